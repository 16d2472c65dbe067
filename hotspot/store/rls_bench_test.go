package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/diaban/diaban/hotspot/store"
	"github.com/diaban/diaban/internal/pgtest"
)

// BenchmarkListHotspotsRLS: the cost of the application role (SET ROLE,
// the scope set on acquire, the policies) on a small pooled read, against
// the owner's store. 2,000 hotspots over communes 20530 and 20533.
func BenchmarkListHotspotsRLS(b *testing.B) {
	ctx := context.Background()
	db := pgtest.New(b)
	db.ImportFile(b, "areas", "../testdata/areas.geojson")
	var csv strings.Builder
	csv.WriteString("ref,lon,lat,kind,name\n")
	for i := range 2000 {
		fmt.Fprintf(&csv, "H%d,%.5f,15.9,dealing,\n", i, 108.21+float64(i%180)/1000)
	}
	db.Import(b, "hotspots", csv.String())
	owner := store.NewStore(db.Pool)
	app, err := store.Open(ctx, store.StoreConfig{URL: db.URL, AppRole: "diaban_app"})
	if err != nil {
		b.Fatal(err)
	}
	defer app.Close()
	idx, err := owner.Areas(ctx)
	if err != nil {
		b.Fatal(err)
	}
	commune, _ := idx.Descendants("20530")
	province, _ := idx.Descendants("49")
	run := func(s *store.Store, ctx context.Context, area string) func(*testing.B) {
		return func(b *testing.B) {
			for b.Loop() {
				if _, err := s.ListHotspots(ctx, store.HotspotFilter{AreaCode: area}); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	b.Run("owner/commune", run(owner, ctx, "20530"))
	b.Run("app/commune-scope/commune", run(app, store.WithScope(ctx, commune), "20530"))
	b.Run("owner/province", run(owner, ctx, "49"))
	b.Run("app/system-scope/province", run(app, store.WithSystemScope(ctx), "49"))
	b.Run("app/province-scope/province", run(app, store.WithScope(ctx, province), "49"))
	// Alternating scopes: the scope is set again on every acquire.
	b.Run("app/alternating/commune", func(b *testing.B) {
		a, c := store.WithScope(ctx, commune), store.WithScope(ctx, province)
		i := 0
		for b.Loop() {
			cx := a
			if i%2 == 1 {
				cx = c
			}
			i++
			if _, err := app.ListHotspots(cx, store.HotspotFilter{AreaCode: "20530"}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
