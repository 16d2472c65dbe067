package store_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/diaban/diaban/hotspot/importer"
	"github.com/diaban/diaban/hotspot/store"
	"github.com/diaban/diaban/internal/pgtest"
)

// newStore returns a store on a fresh database holding testdata/areas.geojson:
// province 49 > district 503 > communes 20530 (lon 108.2–108.3) and 20533 (108.3–108.4).
func newStore(t *testing.T) (*store.Store, context.Context) {
	t.Helper()
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	db := pgtest.New(t)
	s := store.NewStore(db.Pool)
	f, err := os.Open("../testdata/areas.geojson")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := importer.Import(ctx, s, "areas", f, importer.Options{}); err != nil {
		t.Fatalf("import areas: %v", err)
	}
	return s, ctx
}

func importString(t *testing.T, s *store.Store, ctx context.Context, kind, data string, opt importer.Options) (*importer.Result, error) {
	t.Helper()
	return importer.Import(ctx, s, kind, strings.NewReader(data), opt)
}
