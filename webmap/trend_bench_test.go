package webmap_test

import (
	"io"
	"testing"
)

// BenchmarkAreaTrendDemo measures GET /api/areas/{code}/trend (36 months,
// the scorecard's chart) on the demo: the district (every hotspot, incident
// and tip of its communes) and one commune, as the scorecard asks it when
// one is clicked.
func BenchmarkAreaTrendDemo(b *testing.B) {
	ts := newEmptyServer(b)
	loadDemoTB(b, ts)
	ts.settle(b)
	for _, c := range []struct{ name, path string }{
		{"district-503", "/api/areas/503/trend?period=2026"},
		{"commune-20413", "/api/areas/20413/trend?period=2026"},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				resp, err := ts.http.Get(ts.URL + c.path)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Fatalf("%s: %d", c.path, resp.StatusCode)
				}
			}
		})
	}
}
