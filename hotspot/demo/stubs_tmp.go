package demo

func (g *generator) genTips() error       { return nil }
func (g *generator) genCameras() error    { return nil }
func (g *generator) genIndicators() error { return nil }
