package demo

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"testing"

	"github.com/paulmach/orb"
)

// TestRenderPNG draws the communes and the data set's points to the file
// named by DEMO_PNG, for eyeballing the layout. Skipped unless set.
func TestRenderPNG(t *testing.T) {
	path := os.Getenv("DEMO_PNG")
	if path == "" {
		t.Skip("set DEMO_PNG=/tmp/demo.png to draw the layout")
	}
	lay, err := buildLayout()
	if err != nil {
		t.Fatal(err)
	}
	b := lay.district.Bound()
	if os.Getenv("DEMO_PNG_ALL") == "" {
		b = lay.district[0].Bound()
	}
	const w = 1400
	h := int(float64(w) * (b.Max[1] - b.Min[1]) * kmPerDegLat / ((b.Max[0] - b.Min[0]) * kmPerDegLonAt(b.Min[1])))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	toPt := func(x, y int) orb.Point {
		return orb.Point{b.Min[0] + (float64(x)+0.5)/w*(b.Max[0]-b.Min[0]), b.Max[1] - (float64(y)+0.5)/float64(h)*(b.Max[1]-b.Min[1])}
	}
	pal := []color.RGBA{{230, 190, 190, 255}, {190, 230, 190, 255}, {190, 190, 230, 255}, {230, 230, 170, 255}, {170, 230, 230, 255}, {230, 170, 230, 255}, {210, 210, 210, 255}}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := lay.locate(toPt(x, y), 0)
			c := color.RGBA{255, 255, 255, 255}
			if i >= 0 {
				c = pal[i%len(pal)]
			}
			img.Set(x, y, c)
		}
	}
	dot := func(p orb.Point, r int, c color.RGBA) {
		px := int((p[0] - b.Min[0]) / (b.Max[0] - b.Min[0]) * w)
		py := int((b.Max[1] - p[1]) / (b.Max[1] - b.Min[1]) * float64(h))
		for dy := -r; dy <= r; dy++ {
			for dx := -r; dx <= r; dx++ {
				img.Set(px+dx, py+dy, c)
			}
		}
	}
	for _, c := range lay.communes {
		dot(c.seed.centre, 3, color.RGBA{0, 0, 0, 255})
		t.Logf("%s %-20s %.2f km²", c.code, c.name, c.areaKm2)
	}
	if os.Getenv("DEMO_PNG_DATA") != "" {
		ds, err := Generate(DefaultSeed)
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range ds.Incidents {
			dot(in.Point, 0, color.RGBA{120, 120, 120, 255})
		}
		for _, hs := range ds.Hotspots {
			dot(hs.Point, 3, color.RGBA{220, 0, 0, 255})
		}
		for _, c := range ds.Cameras {
			dot(c.Point, 2, color.RGBA{0, 0, 220, 255})
		}
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}
