package placement

// SetDebug routes the solver's progress notes to f (nil: off).
func SetDebug(f func(format string, args ...any)) { debugf = f }
