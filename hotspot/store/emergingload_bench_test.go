package store_test

import (
	"context"
	"testing"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/emerging"
	"github.com/diaban/diaban/hotspot/store"
	"github.com/diaban/diaban/internal/pgtest"
)

// BenchmarkEmergingDemo measures the emerging-hot-spot path from PostGIS
// for the demo district (13 communes, about 20,000 incidents): the cube at
// resolution 9 by 36 monthly bins (Dec 2023 – Nov 2026), then the analysis.
//
//	go test -run '^$' -bench EmergingDemo -benchtime 20x ./hotspot/
func BenchmarkEmergingDemo(b *testing.B) {
	ctx := context.Background()
	s := store.NewStore(pgtest.New(b).Pool)
	loadDemo(b, ctx, s)
	q := hotspot.EmergingQuery{AreaCode: demoDistrict(b, ctx, s)}
	ec, err := s.EmergingCube(ctx, q)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d cells × %d bins, %d incidents", len(ec.Cube.Cells()), ec.Cube.Bins(), ec.Incidents)

	b.Run("load", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.EmergingCube(ctx, q); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("analyse", func(b *testing.B) {
		for b.Loop() {
			// A fresh cube each time, so its neighbour lists are built as in a request.
			c, _ := emerging.NewCube(ec.Cube.Cells(), ec.Cube.Bins())
			for i, cell := range c.Cells() {
				for t, x := range ec.Cube.Series(i) {
					if x > 0 {
						_ = c.Add(cell, t, x)
					}
				}
			}
			if _, err := emerging.Analyze(ctx, c, emerging.Options{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("load+analyse", func(b *testing.B) {
		for b.Loop() {
			ec, err := s.EmergingCube(ctx, q)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := emerging.Analyze(ctx, ec.Cube, emerging.Options{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
