package tpu

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/quic-go/quic-go"

	"github.com/gnomon-chain/gnomon/sdk"
)

// ErrClosed is returned by Serve when the server was closed before or while
// serving, and by a second call to Serve.
var ErrClosed = errors.New("tpu: server closed")

// Application error codes the server closes connections and streams with.
const (
	codeOK             quic.ApplicationErrorCode = 0
	codeStreamRejected quic.StreamErrorCode      = 1
)

// Packet is one transaction that arrived whole and parsed. Raw is owned by the
// packet (Tx aliases it), so the consumer may keep both.
type Packet struct {
	Tx       *sdk.Transaction
	Raw      []byte
	From     netip.Addr
	Received time.Time
	// Peer is the ed25519 key of the certificate the client presented, zero if
	// none. It is recorded, never verified: staked QoS may use it later.
	Peer sdk.Pubkey
}

// Config is what a Server needs. Zero limits take the defaults below.
type Config struct {
	// Addr is the UDP address to listen on, such as "127.0.0.1:8003" or
	// "127.0.0.1:0" for any free port.
	Addr string
	// Identity is the node identity; its key signs the server certificate.
	Identity sdk.Keypair
	// Out receives every parsed transaction. It must be buffered: the server
	// never waits on it and drops what does not fit (Stats.DroppedQueueFull).
	// The server never closes it.
	Out chan<- Packet

	// MaxConnections bounds connections in total, handshaking ones included.
	MaxConnections int
	// MaxConnectionsPerIP bounds connections from one IP address.
	MaxConnectionsPerIP int
	// MaxStreamsPerConnection bounds the unidirectional streams one connection
	// may have open at once (QUIC stream credit, so excess is never sent).
	MaxStreamsPerConnection int
	// ConnectionsPerIPPerMinute bounds new connections from one IP: a token
	// bucket holding this many that refills at this rate per minute.
	ConnectionsPerIPPerMinute int
	// IdleTimeout closes a connection that has been silent this long.
	IdleTimeout time.Duration
	// HandshakeTimeout abandons a handshake that has not completed in time.
	HandshakeTimeout time.Duration
	// StreamReadTimeout bounds the time from a stream's opening to its end.
	StreamReadTimeout time.Duration
	// SweepInterval is how often idle rate buckets are forgotten.
	SweepInterval time.Duration
	// Logger receives debug lines about refused connections; nil discards.
	Logger *slog.Logger
}

// Defaults for a zero Config field. They follow Agave's unstaked limits in
// spirit: a handful of connections per IP, a little over a hundred streams.
const (
	DefaultMaxConnections            = 1024
	DefaultMaxConnectionsPerIP       = 8
	DefaultMaxStreamsPerConnection   = 128
	DefaultConnectionsPerIPPerMinute = 60
	DefaultIdleTimeout               = 10 * time.Second
	DefaultHandshakeTimeout          = 2 * time.Second
	DefaultStreamReadTimeout         = 2 * time.Second
	DefaultSweepInterval             = time.Minute
)

func (c *Config) withDefaults() Config {
	out := *c
	setInt := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	setDur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	setInt(&out.MaxConnections, DefaultMaxConnections)
	setInt(&out.MaxConnectionsPerIP, DefaultMaxConnectionsPerIP)
	setInt(&out.MaxStreamsPerConnection, DefaultMaxStreamsPerConnection)
	setInt(&out.ConnectionsPerIPPerMinute, DefaultConnectionsPerIPPerMinute)
	setDur(&out.IdleTimeout, DefaultIdleTimeout)
	setDur(&out.HandshakeTimeout, DefaultHandshakeTimeout)
	setDur(&out.StreamReadTimeout, DefaultStreamReadTimeout)
	setDur(&out.SweepInterval, DefaultSweepInterval)
	if out.Logger == nil {
		out.Logger = slog.New(slog.DiscardHandler)
	}
	return out
}

// streamWindow is the flow-control window of one stream: a whole transaction
// and the one byte that proves a stream oversized, rounded up. Keeping it this
// small is what bounds a connection's buffered bytes to streams × window.
const streamWindow = 2048

// Server is the TPU ingest stage. One goroutine accepts connections (the one
// that calls Serve), one per connection accepts and reads its streams, one
// per stream still incomplete after inlineReadWait finishes reading it, and
// one forgets idle rate buckets.
type Server struct {
	cfg       Config
	admission *admission
	counters  counters

	udp      *net.UDPConn
	tr       *quic.Transport
	listener *quic.Listener

	ctx    context.Context // cancelled by Close; parent of every goroutine
	cancel context.CancelFunc

	mu      sync.Mutex
	closed  bool
	serving bool
	wg      sync.WaitGroup
	once    sync.Once
}

// connSlot is the admission reservation of one connection, carried in the
// connection's context from quic-go's accept path to its end.
type connSlot struct {
	ip       netip.Addr
	accepted bool // set by the accept loop; read after the connection ends
	mu       sync.Mutex
}

type connSlotKey struct{}

// New binds the UDP socket and prepares the listener; Serve accepts.
func New(cfg Config) (*Server, error) {
	cfg = cfg.withDefaults()
	if cfg.Out == nil || cap(cfg.Out) == 0 {
		return nil, fmt.Errorf("tpu: Config.Out must be a buffered channel")
	}
	cert, err := identityCertificate(cfg.Identity)
	if err != nil {
		return nil, err
	}
	udpAddr, err := net.ResolveUDPAddr("udp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("tpu: resolve %q: %w", cfg.Addr, err)
	}
	udp, err := net.ListenUDP("udp", udpAddr)
	if err != nil {
		return nil, fmt.Errorf("tpu: listen %s: %w", cfg.Addr, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		cfg:       cfg,
		admission: newAdmission(cfg.MaxConnections, cfg.MaxConnectionsPerIP, cfg.ConnectionsPerIPPerMinute),
		udp:       udp,
		ctx:       ctx,
		cancel:    cancel,
	}
	s.tr = &quic.Transport{Conn: udp, ConnContext: s.admit}
	tlsConf := &tls.Config{
		MinVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{cert},
		NextProtos:   []string{ALPN},
		// Clients present self-signed certificates that nothing could verify;
		// requesting one records the peer's identity without trusting it.
		ClientAuth:         tls.RequestClientCert,
		GetConfigForClient: s.countALPN,
	}
	quicConf := &quic.Config{
		HandshakeIdleTimeout:           cfg.HandshakeTimeout,
		MaxIdleTimeout:                 cfg.IdleTimeout,
		MaxIncomingStreams:             -1, // bidirectional streams are not part of the protocol
		MaxIncomingUniStreams:          int64(cfg.MaxStreamsPerConnection),
		InitialStreamReceiveWindow:     streamWindow,
		MaxStreamReceiveWindow:         streamWindow,
		InitialConnectionReceiveWindow: uint64(streamWindow * cfg.MaxStreamsPerConnection),
		MaxConnectionReceiveWindow:     uint64(streamWindow * cfg.MaxStreamsPerConnection),
	}
	ln, err := s.tr.Listen(tlsConf, quicConf)
	if err != nil {
		cancel()
		_ = udp.Close()
		return nil, fmt.Errorf("tpu: quic listen: %w", err)
	}
	s.listener = ln
	return s, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() net.Addr { return s.udp.LocalAddr() }

// Stats is a snapshot of the counters.
func (s *Server) Stats() Stats { return s.counters.snapshot() }

// Serve accepts connections until ctx is cancelled or Close is called, then
// closes the server and waits for every goroutine it started. It returns nil
// after a cancellation, ErrClosed after Close.
func (s *Server) Serve(ctx context.Context) error {
	s.mu.Lock()
	if s.closed || s.serving {
		s.mu.Unlock()
		return ErrClosed
	}
	s.serving = true
	s.mu.Unlock()

	stop := context.AfterFunc(ctx, func() { _ = s.Close() })
	defer stop()
	s.spawn(s.sweepLoop)
	for {
		conn, err := s.listener.Accept(s.ctx)
		if err != nil {
			_ = s.Close()
			if ctx.Err() != nil {
				return nil
			}
			if s.ctx.Err() != nil || errors.Is(err, quic.ErrServerClosed) {
				return ErrClosed
			}
			return fmt.Errorf("tpu: accept: %w", err)
		}
		s.accepted(conn)
	}
}

// Close stops accepting, closes every connection and waits for the server's
// goroutines to return. It is safe to call more than once and from any
// goroutine.
func (s *Server) Close() error {
	var err error
	s.once.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		s.cancel()
		err = errors.Join(s.listener.Close(), s.tr.Close(), s.udp.Close())
		s.wg.Wait()
		if err != nil {
			err = fmt.Errorf("tpu: close: %w", err)
		}
	})
	return err
}

// spawn runs f on a tracked goroutine unless the server is closed, so that
// Close's Wait never races with an Add.
func (s *Server) spawn(f func()) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		f()
	}()
	return true
}

func (s *Server) sweepLoop() {
	t := time.NewTicker(s.cfg.SweepInterval)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case now := <-t.C:
			s.admission.sweep(now)
		}
	}
}

// admit is quic-go's ConnContext hook: it runs on the first packet of a new
// connection, before any TLS work, so a refusal costs one map lookup and one
// CONNECTION_REFUSED packet. The reservation is returned when the connection's
// context ends, whether the handshake failed or the connection closed later.
func (s *Server) admit(ctx context.Context, info *quic.ClientInfo) (context.Context, error) {
	ap := addrPort(info.RemoteAddr)
	ip := ap.Addr()
	r, repeat := s.admission.admit(ap, time.Now())
	if repeat {
		return nil, errRefused
	}
	switch r {
	case refusedMaxConnections:
		s.counters.refusedMaxConnections.Add(1)
		s.cfg.Logger.Debug("tpu: refused connection", "from", ip, "reason", "max_connections")
		return nil, errRefused
	case refusedMaxConnectionsPerIP:
		s.counters.refusedMaxConnectionsPerIP.Add(1)
		s.cfg.Logger.Debug("tpu: refused connection", "from", ip, "reason", "max_connections_per_ip")
		return nil, errRefused
	case refusedConnectionRate:
		s.counters.refusedConnectionRate.Add(1)
		s.cfg.Logger.Debug("tpu: refused connection", "from", ip, "reason", "connection_rate")
		return nil, errRefused
	}
	s.counters.connectionsOpen.Add(1)
	slot := &connSlot{ip: ip}
	context.AfterFunc(ctx, func() {
		s.admission.release(ip)
		s.counters.connectionsOpen.Add(-1)
		slot.mu.Lock()
		done := slot.accepted
		slot.mu.Unlock()
		if !done {
			s.counters.handshakesFailed.Add(1)
		}
	})
	return context.WithValue(ctx, connSlotKey{}, slot), nil
}

var errRefused = errors.New("tpu: connection refused")

// countALPN counts handshakes that offer no "solana-tpu"; crypto/tls itself
// refuses them with no_application_protocol once it sees the nil config.
func (s *Server) countALPN(hello *tls.ClientHelloInfo) (*tls.Config, error) {
	if !slices.Contains(hello.SupportedProtos, ALPN) {
		s.counters.refusedALPN.Add(1)
	}
	return nil, nil
}

func (s *Server) accepted(conn *quic.Conn) {
	if slot, ok := conn.Context().Value(connSlotKey{}).(*connSlot); ok {
		slot.mu.Lock()
		slot.accepted = true
		slot.mu.Unlock()
	}
	s.counters.connectionsAccepted.Add(1)
	if !s.spawn(func() { s.serveConn(conn) }) {
		_ = conn.CloseWithError(codeOK, "server closed")
	}
}

// inlineReadWait is how long serveConn waits for a stream's data before
// handing the stream to a goroutine of its own. A transaction fits in one or
// two packets, so nearly every stream is complete when it is accepted.
const inlineReadWait = time.Millisecond

// serveConn accepts one connection's streams and reads each where it is
// accepted: one goroutine per stream cost a goroutine start per transaction
// and, at full load, hundreds of runnable goroutines that the leader loop
// queued behind. A stream still incomplete after inlineReadWait goes to its
// own goroutine, so a stream that trickles holds up the connection's next
// streams by at most that; stream credit (MaxStreamsPerConnection) bounds
// how many such goroutines one connection can have.
func (s *Server) serveConn(conn *quic.Conn) {
	from := addrPort(conn.RemoteAddr()).Addr()
	peer := peerIdentity(conn.ConnectionState().TLS)
	scratch := make([]byte, sdk.MaxTransactionSize+1)
	for {
		stream, err := conn.AcceptUniStream(s.ctx)
		if err != nil {
			// The peer closed, the idle timeout fired, or the server is closing.
			_ = conn.CloseWithError(codeOK, "")
			return
		}
		s.counters.streams.Add(1)
		opened := time.Now()
		deadline := opened.Add(s.cfg.StreamReadTimeout)
		_ = stream.SetReadDeadline(opened.Add(min(s.cfg.StreamReadTimeout, inlineReadWait)))
		n, err := io.ReadFull(stream, scratch)
		if errors.Is(err, os.ErrDeadlineExceeded) && time.Now().Before(deadline) {
			buf := make([]byte, len(scratch))
			copy(buf, scratch[:n])
			if !s.spawn(func() {
				_ = stream.SetReadDeadline(deadline)
				m, err := io.ReadFull(stream, buf[n:])
				s.finishStream(stream, buf[:n+m], err, from, peer)
			}) {
				stream.CancelRead(codeStreamRejected)
				return
			}
			continue
		}
		s.finishStream(stream, scratch[:n], err, from, peer)
	}
}

// finishStream takes one stream's transaction: data is what was read, err
// how the read ended. The read asks for one byte past the limit, so that an
// oversized stream is recognised without reading the rest of it. data may be
// a reused buffer: the packet gets its own copy, of exactly its size.
func (s *Server) finishStream(stream *quic.ReceiveStream, data []byte, err error, from netip.Addr, peer sdk.Pubkey) {
	switch {
	case err == nil: // filled the whole buffer: one byte over the limit
		stream.CancelRead(codeStreamRejected)
		s.counters.droppedOversized.Add(1)
		return
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		// The stream ended within the limit.
	default:
		stream.CancelRead(codeStreamRejected)
		s.counters.droppedStreamError.Add(1)
		return
	}
	raw := bytes.Clone(data)
	tx, err := sdk.ParseTransaction(raw)
	if err != nil {
		s.counters.droppedMalformed.Add(1)
		return
	}
	p := Packet{Tx: tx, Raw: raw, From: from, Received: time.Now(), Peer: peer}
	select {
	case s.cfg.Out <- p:
		s.counters.forwarded.Add(1)
	default:
		s.counters.droppedQueueFull.Add(1)
	}
}

// addrPort is a UDP address with IPv4-mapped IPv6 unmapped, so that one host
// counts as one IP whichever socket family it arrived on.
func addrPort(a net.Addr) netip.AddrPort {
	var ap netip.AddrPort
	if u, ok := a.(*net.UDPAddr); ok {
		ap = u.AddrPort()
	} else if p, err := netip.ParseAddrPort(a.String()); err == nil {
		ap = p
	}
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}
