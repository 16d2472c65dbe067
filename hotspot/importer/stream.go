package importer

import (
	"context"
	"errors"
	"io"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/store"
	"github.com/diaban/diaban/internal/pgcopy"
)

// copyEncoder parses one record and, when it is good, appends it to c.buf as
// one binary COPY row and, when c.tallies is not nil, its tally. On a bad
// record it returns the reason and appends nothing.
type copyEncoder func(r *record, idx *hotspot.AreaIndex, c *chunkResult) *hotspot.ValidationError

// streamChunk is how many records one worker parses and encodes at a time.
const streamChunk = 4096

// rowBytesGuess sizes a chunk's buffer up front: an incident row is 136 bytes.
const rowBytesGuess = 144

// errStopCopy aborts a COPY (the server is sent CopyFail) when a bad row turns up
// and the import must write nothing; the rest of the file is still parsed,
// to report every bad row.
var errStopCopy = errors.New("a bad row was found: the copy is abandoned")

// chunkResult is one chunk of records, parsed and encoded.
type chunkResult struct {
	done chan struct{}
	buf  pgcopy.Buffer
	rows int
	bad  []*hotspot.ValidationError
	// tallies of the rows in buf, for the incident counts a bulk load
	// writes itself (store.IncidentTally); nil when not wanted.
	tallies []store.IncidentTally
}

// copyStream parses recs on every core while the server is already copying
// the rows parsed so far: each worker encodes whole chunks as binary COPY
// rows, and the chunks are sent in file order to copyFrom, which hands the
// stream to the server and returns the rows it counted. It returns the rows
// copied and every bad row. With stopOnBad, the first bad row abandons the
// COPY (the caller's transaction must then be rolled back) and copied is 0;
// the whole file is still parsed so that every bad row is reported. With a
// nil copyFrom it only parses. With tally, the tallies of the rows copied
// are returned too, chunk by chunk.
func copyStream(ctx context.Context, copyFrom func(context.Context, io.Reader) (int, error), recs []*record, idx *hotspot.AreaIndex, enc copyEncoder, stopOnBad, tally bool, progress func(done, total int)) (copied int, tallies [][]store.IncidentTally, bad []*hotspot.ValidationError, err error) {
	chunks := make([]*chunkResult, (len(recs)+streamChunk-1)/streamChunk)
	for i := range chunks {
		chunks[i] = &chunkResult{done: make(chan struct{})}
	}
	workers := runtime.GOMAXPROCS(0)
	// Workers run at most this many chunks ahead of the COPY, bounding memory.
	ahead := make(chan struct{}, 4*workers)
	var next atomic.Int64
	var stop atomic.Bool // the COPY failed: stop encoding
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				ahead <- struct{}{}
				i := int(next.Add(1)) - 1
				if i >= len(chunks) {
					<-ahead
					return
				}
				c := chunks[i]
				if !stop.Load() {
					lo, hi := i*streamChunk, min((i+1)*streamChunk, len(recs))
					c.buf.B = make([]byte, 0, (hi-lo)*rowBytesGuess)
					if tally {
						c.tallies = make([]store.IncidentTally, 0, hi-lo)
					}
					for _, r := range recs[lo:hi] {
						if ve := enc(r, idx, c); ve != nil {
							c.bad = append(c.bad, ve)
							continue
						}
						c.rows++
					}
				}
				close(c.done)
			}
		}()
	}
	src := &chunkReader{chunks: chunks, ahead: ahead, stopOnBad: stopOnBad, total: len(recs), progress: progress}
	if copyFrom != nil {
		copied, err = copyFrom(ctx, src)
	}
	switch {
	case copyFrom == nil || (src.stopped.Load() && ctx.Err() == nil):
		copied, err = 0, nil // parsed only, or abandoned for a bad row
	case err != nil:
		stop.Store(true) // the server refused: no need to parse the rest
	}
	src.finish()
	wg.Wait()
	for _, c := range chunks {
		bad = append(bad, c.bad...)
		if c.tallies != nil {
			tallies = append(tallies, c.tallies)
		}
	}
	if copyFrom != nil && err == nil && !src.stopped.Load() && copied != src.sent {
		return 0, nil, bad, errors.New("copy: the server counted a different number of rows than were sent")
	}
	return copied, tallies, bad, err
}

// chunkReader is the io.Reader the COPY pulls: the header, each
// chunk's bytes in order as its worker finishes it, then the trailer.
type chunkReader struct {
	chunks    []*chunkResult
	ahead     chan struct{}
	stopOnBad bool
	total     int
	progress  func(done, total int)

	mu      sync.Mutex // the copy may still be in Read when it gives up
	closed  bool
	next    int    // the chunk to send next
	pending []byte // what is left of the chunk being sent
	header  bool
	trailer bool
	stopped atomic.Bool // a bad row ended the COPY
	sent    int         // rows handed to the server
	parsed  int         // records consumed, for progress
}

// finish lets the workers run through whatever the COPY did not take, so
// that every bad row is found, and ends the reader.
func (r *chunkReader) finish() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	for ; r.next < len(r.chunks); r.next++ {
		<-r.chunks[r.next].done
		<-r.ahead
	}
}

func (r *chunkReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return 0, errStopCopy
	}
	if !r.header {
		r.header = true
		r.pending = pgcopy.Header
	}
	for len(r.pending) == 0 {
		if r.next == len(r.chunks) {
			if r.trailer {
				return 0, io.EOF
			}
			r.trailer = true
			r.pending = pgcopy.Trailer
			break
		}
		c := r.chunks[r.next]
		<-c.done
		r.next++
		<-r.ahead
		if len(c.bad) > 0 && r.stopOnBad {
			r.stopped.Store(true)
			return 0, errStopCopy
		}
		r.pending = c.buf.B
		c.buf = pgcopy.Buffer{} // the bytes are sent once; let them go
		r.sent += c.rows
		r.parsed += c.rows + len(c.bad)
		if r.progress != nil {
			r.progress(r.parsed, r.total)
		}
	}
	n := copy(p, r.pending)
	r.pending = r.pending[n:]
	return n, nil
}
