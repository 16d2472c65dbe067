package pgcopy_test

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/diaban/diaban/internal/pgcopy"
)

func TestFieldLayout(t *testing.T) {
	var b pgcopy.Buffer
	b.BeginRow(3)
	b.Int8(-2)
	b.Null()
	b.Text("hà")
	want := []byte{0, 3, 0, 0, 0, 8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 3, 'h', 0xc3, 0xa0}
	if !bytes.Equal(b.B, want) {
		t.Fatalf("got % x\nwant % x", b.B, want)
	}
	if len(pgcopy.Header) != 19 {
		t.Fatalf("header is %d bytes, want 19", len(pgcopy.Header))
	}
}

// TestServerReadsWhatBufferWrites copies every field kind into a real
// PostgreSQL and reads the values back.
func TestServerReadsWhatBufferWrites(t *testing.T) {
	url := os.Getenv("DIABAN_TEST_DATABASE_URL")
	if url == "" {
		url = os.Getenv("DATABASE_URL")
	}
	if url == "" {
		url = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE TEMP TABLE copied (t text, n bigint, f float8, at timestamptz, b bytea, z bigint)`); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 6, 30, 17, 0, 0, 123456789, time.UTC) // 01/07/2025 00:00 in Vietnam
	old := time.Date(1999, 12, 31, 23, 59, 59, 999999000, time.UTC)
	var b pgcopy.Buffer
	b.B = append(b.B, pgcopy.Header...)
	for _, r := range []struct {
		text string
		at   time.Time
	}{{"Phường Minh An", at}, {"", old}} {
		b.BeginRow(6)
		b.Text(r.text)
		b.Int8(-9_000_000_000)
		b.Float8(108.3380)
		b.Timestamptz(r.at)
		start := b.BeginField()
		b.B = append(b.B, 0, 1, 0xff)
		b.EndField(start)
		b.Null()
	}
	b.B = append(b.B, pgcopy.Trailer...)
	tag, err := conn.PgConn().CopyFrom(ctx, bytes.NewReader(b.B), `COPY copied FROM STDIN (FORMAT binary)`)
	if err != nil {
		t.Fatalf("copy: %v", err)
	}
	if tag.RowsAffected() != 2 {
		t.Fatalf("copied %d rows, want 2", tag.RowsAffected())
	}
	rows, _ := conn.Query(ctx, `SELECT t, n, f, at, b, z FROM copied ORDER BY at DESC`)
	type row struct {
		T  string
		N  int64
		F  float64
		At time.Time
		B  []byte
		Z  *int64
	}
	got, err := pgx.CollectRows(rows, pgx.RowToStructByPos[row])
	if err != nil {
		t.Fatal(err)
	}
	if got[0].T != "Phường Minh An" || got[0].N != -9_000_000_000 || got[0].F != 108.3380 || !bytes.Equal(got[0].B, []byte{0, 1, 0xff}) || got[0].Z != nil {
		t.Fatalf("row 1 read back as %+v", got[0])
	}
	if !got[0].At.Equal(at.Truncate(time.Microsecond)) {
		t.Fatalf("time read back as %v, want %v", got[0].At.UTC(), at.Truncate(time.Microsecond))
	}
	if got[1].T != "" || !got[1].At.Equal(old) {
		t.Fatalf("row 2 read back as %+v (a time before 2000 must count backwards)", got[1])
	}
}

func TestSmallIntegerFields(t *testing.T) {
	var b pgcopy.Buffer
	b.BeginRow(2)
	b.Int4(-2)
	b.Int2(10)
	want := []byte{0, 2, 0, 0, 0, 4, 0xff, 0xff, 0xff, 0xfe, 0, 0, 0, 2, 0, 10}
	if !bytes.Equal(b.B, want) {
		t.Fatalf("got % x\nwant % x", b.B, want)
	}
}
