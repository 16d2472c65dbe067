// Package pgcopy writes rows in PostgreSQL's binary COPY format
// (https://www.postgresql.org/docs/15/sql-copy.html, "Binary Format"), the
// cheapest form for the server to read, straight into a byte slice: no
// interface boxing, no per-value type lookup, so many goroutines can encode
// chunks of one load in parallel and hand them to pgconn's CopyFrom in order.
//
// A stream is Header, then rows (BeginRow followed by exactly as many field
// writes as it announced), then Trailer. Each field is its length as a
// big-endian int32 (-1 for NULL) and the type's binary "send" form.
package pgcopy

import (
	"encoding/binary"
	"math"
	"time"
)

// Header is the 19-byte file header: signature, flags (no OIDs), no extension.
var Header = []byte("PGCOPY\n\xff\r\n\x00" + "\x00\x00\x00\x00" + "\x00\x00\x00\x00")

// Trailer ends a stream: a field count of -1.
var Trailer = []byte{0xff, 0xff}

// postgresEpoch is 2000-01-01 00:00:00 UTC, where timestamptz counts from.
var postgresEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).Unix()

// Buffer accumulates encoded rows. The zero value is ready to use.
type Buffer struct {
	B []byte
}

// Reset empties the buffer, keeping its memory.
func (b *Buffer) Reset() { b.B = b.B[:0] }

// Len returns the number of bytes written.
func (b *Buffer) Len() int { return len(b.B) }

// BeginRow starts a row of n fields.
func (b *Buffer) BeginRow(n int) { b.B = binary.BigEndian.AppendUint16(b.B, uint16(n)) }

// Null writes a NULL field.
func (b *Buffer) Null() { b.B = binary.BigEndian.AppendUint32(b.B, math.MaxUint32) }

// Text writes a text (or varchar) field; s must be valid UTF-8.
func (b *Buffer) Text(s string) {
	b.B = binary.BigEndian.AppendUint32(b.B, uint32(len(s)))
	b.B = append(b.B, s...)
}

// Bytes writes a field whose binary form is p as is: bytea, or PostGIS
// geometry, whose binary form is EWKB.
func (b *Buffer) Bytes(p []byte) {
	b.B = binary.BigEndian.AppendUint32(b.B, uint32(len(p)))
	b.B = append(b.B, p...)
}

// BeginField starts a field whose bytes the caller appends to B itself (an
// encoder of its own, say); EndField(start) then writes its length.
func (b *Buffer) BeginField() (start int) {
	b.B = append(b.B, 0, 0, 0, 0)
	return len(b.B)
}

// EndField ends the field BeginField started.
func (b *Buffer) EndField(start int) {
	binary.BigEndian.PutUint32(b.B[start-4:], uint32(len(b.B)-start))
}

// Int8 writes a bigint field.
func (b *Buffer) Int8(v int64) {
	b.B = binary.BigEndian.AppendUint32(b.B, 8)
	b.B = binary.BigEndian.AppendUint64(b.B, uint64(v))
}

// Int4 writes an integer field.
func (b *Buffer) Int4(v int32) {
	b.B = binary.BigEndian.AppendUint32(b.B, 4)
	b.B = binary.BigEndian.AppendUint32(b.B, uint32(v))
}

// Int2 writes a smallint field.
func (b *Buffer) Int2(v int16) {
	b.B = binary.BigEndian.AppendUint32(b.B, 2)
	b.B = binary.BigEndian.AppendUint16(b.B, uint16(v))
}

// Float8 writes a double precision field.
func (b *Buffer) Float8(v float64) {
	b.B = binary.BigEndian.AppendUint32(b.B, 8)
	b.B = binary.BigEndian.AppendUint64(b.B, math.Float64bits(v))
}

// Timestamptz writes a timestamp with time zone field: microseconds since
// 2000-01-01 UTC (PostgreSQL's integer datetimes, the only kind since 10).
// Precision below a microsecond is truncated (as pgx does; the server
// rounds text input instead).
func (b *Buffer) Timestamptz(t time.Time) {
	us := (t.Unix()-postgresEpoch)*1_000_000 + int64(t.Nanosecond()/1000)
	b.B = binary.BigEndian.AppendUint32(b.B, 8)
	b.B = binary.BigEndian.AppendUint64(b.B, uint64(us))
}
