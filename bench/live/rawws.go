package main

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"os"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// The generator's websockets are raw sockets read through epoll by a few
// threads, not a goroutine and a websocket library per socket: 10,000 of
// those cost the generator as much CPU as the server spends writing, on the
// cores the two share. A socket is opened with a blocking handshake, then
// set non-blocking and read whenever epoll says; server frames are
// unmasked, so each is parsed where it lies in the read buffer.

// rawConn is one websocket of the generator.
type rawConn struct {
	fd      int
	pending []byte // the start of a frame not yet complete
	closed  bool
	// ended is when the server ended the socket (a close frame, EOF or a
	// reset; unix ns), 0 while it is open.
	ended  int64
	onText func(b []byte, now int64)
}

// dialRaw opens a websocket to addr (host:port) at path with the headers,
// and returns it after the 101 and whatever followed it in the same read.
func dialRaw(addr, path string, header map[string]string) (*rawConn, []byte, error) {
	ta, err := net.ResolveTCPAddr("tcp4", addr)
	if err != nil {
		return nil, nil, err
	}
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, err
	}
	sa := &syscall.SockaddrInet4{Port: ta.Port}
	copy(sa.Addr[:], ta.IP.To4())
	if err := syscall.Connect(fd, sa); err != nil {
		syscall.Close(fd)
		return nil, nil, err
	}
	_ = syscall.SetsockoptInt(fd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1)
	tv := syscall.NsecToTimeval(int64(30 * time.Second))
	_ = syscall.SetsockoptTimeval(fd, syscall.SOL_SOCKET, syscall.SO_RCVTIMEO, &tv)
	var key [16]byte
	_, _ = rand.Read(key[:])
	var req bytes.Buffer
	fmt.Fprintf(&req, "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: %s\r\n",
		path, addr, base64.StdEncoding.EncodeToString(key[:]))
	for k, v := range header {
		fmt.Fprintf(&req, "%s: %s\r\n", k, v)
	}
	req.WriteString("\r\n")
	if err := writeAll(fd, req.Bytes()); err != nil {
		syscall.Close(fd)
		return nil, nil, err
	}
	buf := make([]byte, 0, 4096)
	tmp := make([]byte, 4096)
	for {
		n, err := syscall.Read(fd, tmp)
		if err != nil || n <= 0 {
			syscall.Close(fd)
			return nil, nil, fmt.Errorf("handshake: read: %v", err)
		}
		buf = append(buf, tmp[:n]...)
		if i := bytes.Index(buf, []byte("\r\n\r\n")); i >= 0 {
			status := buf[:i]
			if !bytes.HasPrefix(status, []byte("HTTP/1.1 101")) {
				syscall.Close(fd)
				line, _, _ := bytes.Cut(status, []byte("\r\n"))
				return nil, nil, fmt.Errorf("handshake: %s", line)
			}
			return &rawConn{fd: fd}, buf[i+4:], nil
		}
	}
}

func writeAll(fd int, b []byte) error {
	for len(b) > 0 {
		n, err := syscall.Write(fd, b)
		if err == syscall.EAGAIN || err == syscall.EINTR {
			time.Sleep(time.Millisecond)
			continue
		}
		if err != nil {
			return err
		}
		b = b[n:]
	}
	return nil
}

// writeFrame sends one masked client frame (RFC 6455 5.3).
func (c *rawConn) writeFrame(op byte, payload []byte) error {
	var mask [4]byte
	_, _ = rand.Read(mask[:])
	f := []byte{0x80 | op}
	switch n := len(payload); {
	case n < 126:
		f = append(f, 0x80|byte(n))
	case n < 1<<16:
		f = append(f, 0x80|126, byte(n>>8), byte(n))
	default:
		return fmt.Errorf("frame too long")
	}
	f = append(f, mask[:]...)
	for i, b := range payload {
		f = append(f, b^mask[i%4])
	}
	return writeAll(c.fd, f)
}

// consume parses the complete frames in pending+data; text frames go to
// onText, pings are answered, a close ends the socket.
func (c *rawConn) consume(data []byte, now int64) {
	if len(c.pending) > 0 {
		c.pending = append(c.pending, data...)
		data = c.pending
	}
	for {
		if len(data) < 2 {
			break
		}
		op, n, h := data[0]&0x0f, int(data[1]&0x7f), 2
		switch n {
		case 126:
			if len(data) < 4 {
				goto keep
			}
			n, h = int(data[2])<<8|int(data[3]), 4
		case 127:
			if len(data) < 10 {
				goto keep
			}
			n = 0
			for _, b := range data[2:10] {
				n = n<<8 | int(b)
			}
			h = 10
		}
		if len(data) < h+n {
			goto keep
		}
		switch body := data[h : h+n]; op {
		case 1:
			c.onText(body, now)
		case 8:
			c.closed = true
			if c.ended == 0 {
				c.ended = now
			}
		case 9:
			_ = c.writeFrame(0xA, body)
		}
		data = data[h+n:]
	}
keep:
	if len(data) == 0 {
		c.pending = c.pending[:0]
	} else {
		c.pending = append(c.pending[:0:0], data...)
	}
}

// poller reads many rawConns with a few epoll threads.
type poller struct {
	eps   []int
	mu    sync.Mutex
	conns map[int32]*rawConn
}

func newPoller(threads int) (*poller, error) {
	p := &poller{conns: map[int32]*rawConn{}}
	for range threads {
		ep, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
		if err != nil {
			return nil, err
		}
		p.eps = append(p.eps, ep)
		go p.loop(ep)
	}
	return p, nil
}

// add starts reading c (after first, what came with its handshake).
func (p *poller) add(c *rawConn, first []byte) error {
	if err := syscall.SetNonblock(c.fd, true); err != nil {
		return err
	}
	p.mu.Lock()
	p.conns[int32(c.fd)] = c
	p.mu.Unlock()
	if len(first) > 0 {
		c.consume(first, time.Now().UnixNano())
	}
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP, Fd: int32(c.fd)}
	return syscall.EpollCtl(p.eps[c.fd%len(p.eps)], syscall.EPOLL_CTL_ADD, c.fd, &ev)
}

func (p *poller) loop(ep int) {
	runtime.LockOSThread()
	events := make([]syscall.EpollEvent, 256)
	buf := make([]byte, 256<<10)
	for {
		n, err := syscall.EpollWait(ep, events, -1)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			panic("epoll_wait: " + err.Error())
		}
		now := time.Now().UnixNano()
		for _, e := range events[:n] {
			p.mu.Lock()
			c := p.conns[e.Fd]
			p.mu.Unlock()
			if c == nil || c.closed {
				continue
			}
			for {
				m, err := syscall.Read(c.fd, buf)
				if m > 0 {
					c.consume(buf[:m], now)
				}
				if err == syscall.EINTR {
					continue
				}
				if m <= 0 || err != nil || m < len(buf) {
					if m == 0 && err == nil || err != nil && err != syscall.EAGAIN {
						// EOF, or a reset: the server ended the socket.
						c.closed = true
						if c.ended == 0 {
							c.ended = now
						}
					}
					break
				}
			}
			if c.closed {
				_ = syscall.EpollCtl(ep, syscall.EPOLL_CTL_DEL, c.fd, nil)
			}
		}
	}
}

// close ends every socket.
func (p *poller) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for fd, c := range p.conns {
		c.closed = true
		_ = syscall.Close(int(fd))
	}
}

// cpuSeconds is a process's user+system CPU time from /proc (pid 0: self).
func cpuSeconds(pid int) float64 {
	path := "/proc/self/stat"
	if pid != 0 {
		path = "/proc/" + strconv.Itoa(pid) + "/stat"
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	if i := bytes.LastIndexByte(b, ')'); i >= 0 {
		f := bytes.Fields(b[i+1:])
		if len(f) > 13 {
			u, _ := strconv.ParseFloat(string(f[11]), 64)
			s, _ := strconv.ParseFloat(string(f[12]), 64)
			return (u + s) / 100 // USER_HZ
		}
	}
	return 0
}
