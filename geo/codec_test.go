package geo

import (
	"bytes"
	"testing"

	"github.com/paulmach/orb"
)

func TestAppendPointEWKBMatchesEWKB(t *testing.T) {
	for _, p := range []Point{{Lon: 108.3380, Lat: 15.8801}, {Lon: -180, Lat: -90}, {Lon: 0, Lat: 0}} {
		want, err := EWKB(orb.Point{p.Lon, p.Lat})
		if err != nil {
			t.Fatal(err)
		}
		prefix := []byte{0xAA}
		got := AppendPointEWKB(prefix, p)
		if !bytes.Equal(got[1:], want) || got[0] != 0xAA {
			t.Fatalf("%v: got % x, want % x after the prefix", p, got, want)
		}
	}
}
