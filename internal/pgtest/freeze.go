package pgtest

import (
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// FreezeProxy is a TCP proxy that can stop forwarding without closing, as
// a frozen database backend or a dead network path looks to the client:
// bytes already read are held while frozen and delivered when thawed. It
// breaks only the connections opened through it, so a test can freeze its
// own listener without touching anybody else's server.
type FreezeProxy struct {
	ln     net.Listener
	frozen atomic.Bool
	mu     sync.Mutex
	conns  []net.Conn
}

// NewFreezeProxy listens on a free loopback port and forwards each
// connection to target (host:port) until t ends.
func NewFreezeProxy(t testing.TB, target string) *FreezeProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &FreezeProxy{ln: ln}
	t.Cleanup(func() {
		ln.Close()
		p.mu.Lock()
		for _, c := range p.conns {
			c.Close()
		}
		p.mu.Unlock()
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			u, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, u)
			p.mu.Unlock()
			go p.pipe(c, u)
			go p.pipe(u, c)
		}
	}()
	return p
}

// NewDBFreezeProxy is NewFreezeProxy to the server cfg connects to.
func NewDBFreezeProxy(t testing.TB, cfg *pgx.ConnConfig) *FreezeProxy {
	t.Helper()
	return NewFreezeProxy(t, net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port))))
}

// Addr is the proxy's host:port.
func (p *FreezeProxy) Addr() string { return p.ln.Addr().String() }

// Freeze stops forwarding in both directions; Thaw resumes it.
func (p *FreezeProxy) Freeze() { p.frozen.Store(true) }

// Thaw resumes forwarding what was held.
func (p *FreezeProxy) Thaw() { p.frozen.Store(false) }

// Via returns a copy of cfg that connects through the proxy (no
// fallbacks), with application_name set to name when it is not empty.
func (p *FreezeProxy) Via(cfg *pgx.ConnConfig, name string) *pgx.ConnConfig {
	c := cfg.Copy()
	host, port, _ := net.SplitHostPort(p.Addr())
	n, _ := strconv.Atoi(port)
	c.Host, c.Port = host, uint16(n)
	c.Fallbacks = nil
	if name != "" {
		c.RuntimeParams["application_name"] = name
	}
	return c
}

func (p *FreezeProxy) pipe(from, to net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := from.Read(buf)
		for p.frozen.Load() {
			time.Sleep(10 * time.Millisecond)
		}
		if n > 0 {
			if _, werr := to.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			to.Close()
			return
		}
	}
}
