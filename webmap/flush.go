package webmap

import (
	"errors"
	"net"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
)

// The live stream's writes are done by a few flusher goroutines, not by
// one goroutine per socket: at 10,000 sockets a goroutine woken per
// message per socket kept thousands runnable, and the feed's own
// goroutine (database round trips between changes) waited behind them
// for seconds. A client with messages queued is put on one flusher's
// list once; the flusher writes everything queued in one write, at most
// once per WriteGap per socket (what arrives meanwhile waits for the next
// write), without waiting (writeNow). A socket whose buffer is full
// is not waited for: what did not fit is finished by a goroutine of the
// client's own (writeWait), and until then the client is not flushed; its
// queue grows, and past queueSize it is told to resync (client.offer).
//
// Every write to a socket — the pool's, and the client's own goroutine's
// (hello, replay, pings, pongs, the close) — holds the client's wmu, so
// frames never interleave.

// flushWait is how long a flusher waits for a connection that is not a
// socket (writeNow) before handing the rest of the write to the client's
// own goroutine; a socket is never waited for.
const flushWait = 5 * time.Millisecond

// maxScratch is the largest write buffer a flusher keeps for the next.
const maxScratch = 1 << 20

// flusherCount is how many flushers write the live stream.
const flusherCount = 4

// flusher writes the queues of the clients put on its list.
type flusher struct {
	gap time.Duration
	// scratch is where a socket's queued frames are joined for its write,
	// reused from write to write: a buffer per write was three quarters of
	// what the server allocated at 10,000 sockets (the profile, BENCHMARKS).
	scratch []byte
	mu      sync.Mutex
	list    []*client
	wake    chan struct{}
}

// flushers are the hub's flushers; a client always goes to the same one.
type flushers []*flusher

func newFlushers(gap time.Duration) flushers {
	fs := make(flushers, flusherCount)
	for i := range fs {
		fs[i] = &flusher{gap: gap, wake: make(chan struct{}, 1)}
	}
	return fs
}

// start runs the flushers until stop is closed.
func (fs flushers) start(stop <-chan struct{}) {
	for _, f := range fs {
		go f.run(stop)
	}
}

// schedule puts c on its flusher's list (c.mu held, c.scheduled just set).
func (fs flushers) schedule(c *client) {
	f := fs[c.id%uint64(len(fs))]
	f.mu.Lock()
	f.list = append(f.list, c)
	f.mu.Unlock()
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// waiting is a client written to less than a gap ago, and when it may be
// written again. The gap is the same for all, so the waiting line is in
// order of due.
type waiting struct {
	c   *client
	due time.Time
}

func (f *flusher) run(stop <-chan struct{}) {
	var line []waiting // clients due later, in order of due
	var spare []*client
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		if len(line) > 0 {
			timer.Reset(time.Until(line[0].due))
		}
		select {
		case <-stop:
			return
		case <-f.wake:
		case <-timer.C:
		}
		timer.Stop()
		f.mu.Lock()
		list := f.list
		f.list = spare[:0]
		f.mu.Unlock()
		now := time.Now()
		// Those due first, then the new ones.
		i := 0
		for ; i < len(line) && !line[i].due.After(now); i++ {
			if due, again := line[i].c.flush(now, f.gap, &f.scratch); again {
				line = append(line, waiting{line[i].c, due})
			}
		}
		line = append(line[:0], line[i:]...)
		for _, c := range list {
			if due := c.lastWrite.Load() + int64(f.gap); f.gap > 0 && due > now.UnixNano() {
				line = append(line, waiting{c, time.Unix(0, due)})
				continue
			}
			if due, again := c.flush(now, f.gap, &f.scratch); again {
				line = append(line, waiting{c, due})
			}
		}
		clear(list)
		spare = list
	}
}

// flush writes what c has queued, in one write. It reports when to try
// again when the socket is busy with another writer.
func (c *client) flush(now time.Time, gap time.Duration, scratch *[]byte) (time.Time, bool) {
	if !c.wmu.TryLock() {
		// The client's own goroutine is writing (a replay, a ping, the
		// rest of a write that did not fit): try again shortly.
		return now.Add(max(gap/4, time.Millisecond)), true
	}
	c.mu.Lock()
	if c.state != stateLive || c.ended || len(c.queue) == 0 {
		c.scheduled = false
		c.mu.Unlock()
		c.wmu.Unlock()
		return time.Time{}, false
	}
	q := c.queue
	c.queue = c.spare[:0]
	c.scheduled = false // offers from here on schedule it again
	c.mu.Unlock()
	defer func() { clear(q); c.spare = q[:0] }() // two slices in turn

	sent := 0
	buf := (*scratch)[:0]
	defer func() {
		if cap(buf) <= maxScratch {
			*scratch = buf[:0] // its capacity, for the next write
		}
	}()
	var resync string
	for _, out := range q {
		if out.resync != "" {
			resync = out.resync
			break
		}
		buf = append(buf, out.framed()...)
		sent++
	}
	if resync != "" {
		c.resync(resync) // the writer sends it and closes; what precedes it goes first
	}
	if sent == 0 {
		c.wmu.Unlock()
		return time.Time{}, false
	}
	n, full, err := writeNow(c.conn.NetConn(), buf, now)
	c.lastWrite.Store(now.UnixNano())
	c.hub.stats.sent.Add(float64(sent))
	switch {
	case err == nil && !full:
		c.wmu.Unlock()
	case err == nil:
		// The socket's buffer is full: the client's goroutine finishes
		// the write (holding wmu) and flushes again after it.
		rest := append([]byte(nil), buf[n:]...)
		go c.finishWrite(rest)
	default:
		c.wmu.Unlock()
		c.end(websocket.CloseInternalServerErr, "write failed")
	}
	return time.Time{}, false
}

// writeNow writes buf to nc without waiting for it: on a socket, write
// system calls straight on its non-blocking descriptor (syscall.RawConn),
// no deadline armed and disarmed around them — at 10,000 sockets that
// timer work was a tenth of the flushers' time. It returns how much went
// out, and full when the socket's buffer took less than all of it (the
// rest is for finishWrite). Another connection is written with a deadline
// of flushWait.
func writeNow(nc net.Conn, buf []byte, now time.Time) (n int, full bool, err error) {
	if sc, ok := nc.(syscall.Conn); ok {
		if rc, rerr := sc.SyscallConn(); rerr == nil {
			for attempt := 0; attempt < 2; attempt++ {
				called := false
				var werr error
				err = rc.Write(func(fd uintptr) bool {
					called = true
					for n < len(buf) {
						m, e := syscall.Write(int(fd), buf[n:])
						if m > 0 {
							n += m
						}
						if e == syscall.EINTR {
							continue
						}
						if e != nil {
							if e != syscall.EAGAIN {
								werr = e
							}
							break
						}
						if m <= 0 {
							break
						}
					}
					return true // never wait here
				})
				if !called && errors.Is(err, os.ErrDeadlineExceeded) {
					// A deadline the socket's own goroutine set for its
					// last write has passed: clear it, once.
					_ = nc.SetWriteDeadline(time.Time{})
					continue
				}
				if err == nil {
					err = werr
				}
				return n, err == nil && n < len(buf), err
			}
			return n, false, err
		}
	}
	_ = nc.SetWriteDeadline(now.Add(flushWait))
	n, err = nc.Write(buf)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return n, true, nil
	}
	return n, false, err
}

// finishWrite writes the rest of a frame the flusher could not (wmu
// held, released here); a client that does not take it within writeWait
// is dropped with a resync.
func (c *client) finishWrite(rest []byte) {
	nc := c.conn.NetConn()
	_ = nc.SetWriteDeadline(time.Now().Add(writeWait))
	_, err := nc.Write(rest)
	c.lastWrite.Store(time.Now().UnixNano())
	c.wmu.Unlock()
	if err != nil {
		c.resync(reasonSlowClient)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.scheduled && len(c.queue) > 0 && c.state == stateLive && !c.ended {
		c.scheduled = true
		c.hub.flushers.schedule(c)
	}
}
