package tpu

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"net/netip"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/gnomon-chain/gnomon/sdk"
)

// waitFor polls cond until it holds or the deadline passes; tests wait on
// observable state instead of sleeping a guessed amount.
func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func testKeypair(t testing.TB, seed uint64) sdk.Keypair {
	t.Helper()
	var s [32]byte
	binary.LittleEndian.PutUint64(s[:], seed+1)
	return sdk.KeypairFromSeed(s)
}

// transfers builds n distinct signed system transfers, serialized.
func transfers(t testing.TB, n int) [][]byte {
	t.Helper()
	from, to := testKeypair(t, 100), testKeypair(t, 101)
	out := make([][]byte, n)
	for i := range n {
		data := make([]byte, 12)
		binary.LittleEndian.PutUint32(data, 2) // SystemInstruction::Transfer
		binary.LittleEndian.PutUint64(data[4:], uint64(i+1))
		ix := sdk.Instruction{
			ProgramID: sdk.SystemProgramID,
			Accounts: []sdk.AccountMeta{
				{Pubkey: from.Pubkey(), IsSigner: true, IsWritable: true},
				{Pubkey: to.Pubkey(), IsWritable: true},
			},
			Data: data,
		}
		tx, err := sdk.NewTransaction([]sdk.Instruction{ix}, sdk.Hash{1}, from)
		if err != nil {
			t.Fatalf("build transfer: %v", err)
		}
		raw, err := tx.MarshalBinary()
		if err != nil {
			t.Fatalf("serialize transfer: %v", err)
		}
		out[i] = raw
	}
	return out
}

type testServer struct {
	*Server
	out  chan Packet
	addr string
	done chan error
}

// startServer starts a server on 127.0.0.1:0 and closes it at the end of
// the test, checking that Serve returned.
func startServer(t *testing.T, capacity int, edit func(*Config)) *testServer {
	t.Helper()
	out := make(chan Packet, capacity)
	cfg := Config{Addr: "127.0.0.1:0", Identity: testKeypair(t, 0), Out: out}
	if edit != nil {
		edit(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ts := &testServer{Server: s, out: out, addr: s.Addr().String(), done: make(chan error, 1)}
	go func() { ts.done <- s.Serve(context.Background()) }()
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		select {
		case <-ts.done:
		case <-time.After(10 * time.Second):
			t.Errorf("Serve did not return after Close")
		}
	})
	return ts
}

func dialT(t *testing.T, addr string, kp sdk.Keypair) *Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := Dial(ctx, addr, kp)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func sendT(t *testing.T, c *Client, raw []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Send(ctx, raw); err != nil {
		t.Fatalf("Send: %v", err)
	}
}

// receive takes n packets from out or fails.
func receive(t *testing.T, out <-chan Packet, n int) []Packet {
	t.Helper()
	got := make([]Packet, 0, n)
	timeout := time.After(10 * time.Second)
	for len(got) < n {
		select {
		case p := <-out:
			got = append(got, p)
		case <-timeout:
			t.Fatalf("received %d packets, want %d", len(got), n)
		}
	}
	return got
}

func TestServerForwardsEveryTransactionByteForByte(t *testing.T) {
	ts := startServer(t, 256, nil)
	txs := transfers(t, 200)
	const conns = 4
	clientKey := testKeypair(t, 7)
	clients := make([]*Client, conns)
	for i := range clients {
		clients[i] = dialT(t, ts.addr, clientKey)
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(txs))
	for i, raw := range txs {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := clients[i%conns].Send(ctx, raw); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("Send: %v", err)
	}

	want := make(map[string]int, len(txs))
	for _, raw := range txs {
		want[string(raw)]++
	}
	for _, p := range receive(t, ts.out, len(txs)) {
		if want[string(p.Raw)] == 0 {
			t.Fatalf("received a transaction that was not sent, or twice")
		}
		want[string(p.Raw)]--
		if p.From != netip.MustParseAddr("127.0.0.1") {
			t.Errorf("From = %v, want 127.0.0.1", p.From)
		}
		if p.Peer != clientKey.Pubkey() {
			t.Errorf("Peer = %v, want the client's certificate key %v", p.Peer, clientKey.Pubkey())
		}
		if p.Tx == nil || p.Tx.ID() != sdk.Signature(p.Raw[1:65]) {
			t.Errorf("Tx does not match Raw")
		}
		if p.Received.IsZero() {
			t.Errorf("Received is zero")
		}
	}
	// The server counts a packet after handing it over, so the count may
	// trail the last receive by a moment.
	waitFor(t, "200 forwarded", 5*time.Second, func() bool { return ts.Stats().Forwarded == 200 })
	st := ts.Stats()
	if st.Forwarded != 200 || st.Streams != 200 || st.ConnectionsAccepted != conns {
		t.Errorf("stats = %+v, want 200 forwarded over 200 streams on %d connections", st, conns)
	}
}

func TestServerCountsBadStreamsWhileGoodOnesArrive(t *testing.T) {
	ts := startServer(t, 64, nil)
	bad := dialT(t, ts.addr, testKeypair(t, 1))
	good := dialT(t, ts.addr, testKeypair(t, 2))

	rng := rand.New(rand.NewPCG(1, 2))
	garbage := make([]byte, 300)
	for i := range garbage {
		garbage[i] = byte(rng.Uint32())
	}
	// The first byte claims 255 signatures, more than 300 bytes can hold.
	garbage[0] = 0xff
	oversized := bytes.Repeat([]byte{1}, sdk.MaxTransactionSize+1)

	sendT(t, bad, oversized)
	sendT(t, bad, garbage)
	sendT(t, bad, nil)
	txs := transfers(t, 20)
	for _, raw := range txs {
		sendT(t, good, raw)
	}
	for i, p := range receive(t, ts.out, len(txs)) {
		if p.Peer != testKeypair(t, 2).Pubkey() {
			t.Errorf("packet %d is not from the good client", i)
		}
	}
	waitFor(t, "bad streams counted", 5*time.Second, func() bool {
		st := ts.Stats()
		return st.DroppedOversized == 1 && st.DroppedMalformed == 2
	})
	// The bad connection is still usable: refusal is per stream.
	sendT(t, bad, txs[0])
	if p := receive(t, ts.out, 1)[0]; !bytes.Equal(p.Raw, txs[0]) {
		t.Errorf("the bad client's good transaction did not arrive intact")
	}
	// Counted after the hand-over, so it may trail the receive.
	waitFor(t, "21 forwarded", 5*time.Second, func() bool { return ts.Stats().Forwarded == 21 })
}

// A transaction whose stream arrives in pieces still lands, and while it is
// incomplete the connection's next streams are not held up behind it.
func TestServerReadsASlowStreamWithoutHoldingUpTheNext(t *testing.T) {
	ts := startServer(t, 4, nil)
	c := dialT(t, ts.addr, testKeypair(t, 1))
	txs := transfers(t, 2)
	slow, err := c.conn.OpenUniStream()
	if err != nil {
		t.Fatalf("OpenUniStream: %v", err)
	}
	half := len(txs[0]) / 2
	if _, err := slow.Write(txs[0][:half]); err != nil {
		t.Fatalf("Write: %v", err)
	}
	sendT(t, c, txs[1])
	if p := receive(t, ts.out, 1)[0]; !bytes.Equal(p.Raw, txs[1]) {
		t.Fatalf("first packet is not the complete stream's transaction")
	}
	// Well past the inline wait, so the slow stream has been handed off.
	time.Sleep(20 * inlineReadWait)
	if _, err := slow.Write(txs[0][half:]); err != nil {
		t.Fatalf("Write: %v", err)
	}
	if err := slow.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if p := receive(t, ts.out, 1)[0]; !bytes.Equal(p.Raw, txs[0]) {
		t.Errorf("the slow stream's transaction did not arrive intact")
	}
	if st := ts.Stats(); st.Forwarded != 2 || st.DroppedStreamError != 0 {
		t.Errorf("Forwarded = %d, DroppedStreamError = %d, want 2 and 0", st.Forwarded, st.DroppedStreamError)
	}
}

func TestServerDropsAStreamThatOutlivesItsDeadline(t *testing.T) {
	ts := startServer(t, 4, func(c *Config) { c.StreamReadTimeout = 100 * time.Millisecond })
	c := dialT(t, ts.addr, testKeypair(t, 1))
	stream, err := c.conn.OpenUniStream()
	if err != nil {
		t.Fatalf("OpenUniStream: %v", err)
	}
	if _, err := stream.Write([]byte{1, 2, 3}); err != nil {
		t.Fatalf("Write: %v", err)
	}
	waitFor(t, "stream error counted", 5*time.Second, func() bool { return ts.Stats().DroppedStreamError == 1 })
}

func TestServerRefusesConnectionsOverThePerIPLimit(t *testing.T) {
	ts := startServer(t, 8, func(c *Config) { c.MaxConnectionsPerIP = 2 })
	a := dialT(t, ts.addr, testKeypair(t, 1))
	b := dialT(t, ts.addr, testKeypair(t, 2))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if c, err := Dial(ctx, ts.addr, testKeypair(t, 3)); err == nil {
		_ = c.Close()
		t.Fatalf("third connection from one IP was admitted")
	}
	if st := ts.Stats(); st.RefusedMaxConnectionsPerIP != 1 {
		t.Errorf("RefusedMaxConnectionsPerIP = %d, want 1", st.RefusedMaxConnectionsPerIP)
	}
	txs := transfers(t, 2)
	sendT(t, a, txs[0])
	sendT(t, b, txs[1])
	receive(t, ts.out, 2)
}

func TestServerRefusesConnectionsOverTheTotalLimit(t *testing.T) {
	ts := startServer(t, 8, func(c *Config) { c.MaxConnections = 1 })
	a := dialT(t, ts.addr, testKeypair(t, 1))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if c, err := Dial(ctx, ts.addr, testKeypair(t, 2)); err == nil {
		_ = c.Close()
		t.Fatalf("second connection was admitted over MaxConnections=1")
	}
	if st := ts.Stats(); st.RefusedMaxConnections != 1 {
		t.Errorf("RefusedMaxConnections = %d, want 1", st.RefusedMaxConnections)
	}
	sendT(t, a, transfers(t, 1)[0])
	receive(t, ts.out, 1)
}

func TestServerRefusesConnectionsOverThePerIPRate(t *testing.T) {
	ts := startServer(t, 8, func(c *Config) { c.ConnectionsPerIPPerMinute = 3 })
	var clients []*Client
	for i := range 3 {
		c := dialT(t, ts.addr, testKeypair(t, uint64(i)))
		clients = append(clients, c)
	}
	// Closing a connection returns its slot but not its token.
	_ = clients[2].Close()
	waitFor(t, "closed connection released", 5*time.Second, func() bool { return ts.Stats().ConnectionsOpen == 2 })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if c, err := Dial(ctx, ts.addr, testKeypair(t, 9)); err == nil {
		_ = c.Close()
		t.Fatalf("fourth connection in a minute was admitted")
	}
	if st := ts.Stats(); st.RefusedConnectionRate != 1 {
		t.Errorf("RefusedConnectionRate = %d, want 1", st.RefusedConnectionRate)
	}
	txs := transfers(t, 2)
	sendT(t, clients[0], txs[0])
	sendT(t, clients[1], txs[1])
	receive(t, ts.out, 2)
}

func TestServerDropsWhenTheOutputIsFullWithoutStalling(t *testing.T) {
	ts := startServer(t, 1, nil)
	c := dialT(t, ts.addr, testKeypair(t, 1))
	txs := transfers(t, 11)
	for _, raw := range txs[:10] {
		sendT(t, c, raw)
	}
	waitFor(t, "ten streams handled", 5*time.Second, func() bool {
		st := ts.Stats()
		return st.Forwarded+st.DroppedQueueFull == 10
	})
	if st := ts.Stats(); st.Forwarded != 1 || st.DroppedQueueFull != 9 {
		t.Fatalf("Forwarded=%d DroppedQueueFull=%d, want 1 and 9", st.Forwarded, st.DroppedQueueFull)
	}
	receive(t, ts.out, 1)
	sendT(t, c, txs[10])
	if p := receive(t, ts.out, 1)[0]; !bytes.Equal(p.Raw, txs[10]) {
		t.Errorf("the connection's next transaction did not arrive after draining")
	}
}

func TestServerRefusesAnotherALPN(t *testing.T) {
	ts := startServer(t, 8, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if c, err := dial(ctx, ts.addr, testKeypair(t, 1), "h3"); err == nil {
		_ = c.Close()
		t.Fatalf("a connection with ALPN h3 was admitted")
	}
	waitFor(t, "ALPN refusal counted", 5*time.Second, func() bool {
		st := ts.Stats()
		return st.RefusedALPN == 1 && st.HandshakesFailed == 1 && st.ConnectionsOpen == 0
	})
	if st := ts.Stats(); st.ConnectionsAccepted != 0 {
		t.Errorf("ConnectionsAccepted = %d, want 0", st.ConnectionsAccepted)
	}
}

func TestServerRefusesBidirectionalStreams(t *testing.T) {
	ts := startServer(t, 8, nil)
	c := dialT(t, ts.addr, testKeypair(t, 1))
	if _, err := c.conn.OpenStream(); err == nil {
		t.Fatalf("opened a bidirectional stream")
	}
	sendT(t, c, transfers(t, 1)[0])
	receive(t, ts.out, 1)
}

func TestNewRefusesAnUnbufferedOutput(t *testing.T) {
	if _, err := New(Config{Addr: "127.0.0.1:0", Identity: testKeypair(t, 0), Out: make(chan Packet)}); err == nil {
		t.Fatalf("New accepted an unbuffered channel")
	}
	if _, err := New(Config{Addr: "127.0.0.1:0", Out: make(chan Packet, 1)}); err == nil {
		t.Fatalf("New accepted an empty identity")
	}
}

// TestServerCloseStopsEveryGoroutine checks both ways of stopping: Close from
// another goroutine and cancelling Serve's context.
func TestServerCloseStopsEveryGoroutine(t *testing.T) {
	for _, how := range []string{"close", "cancel"} {
		t.Run("by="+how, func(t *testing.T) {
			before := runtime.NumGoroutine()
			out := make(chan Packet, 8)
			s, err := New(Config{Addr: "127.0.0.1:0", Identity: testKeypair(t, 0), Out: out,
				StreamReadTimeout: time.Minute})
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- s.Serve(ctx) }()

			dctx, dcancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer dcancel()
			c, err := Dial(dctx, s.Addr().String(), testKeypair(t, 1))
			if err != nil {
				t.Fatalf("Dial: %v", err)
			}
			// One stream left open mid-transaction, one finished.
			stream, err := c.conn.OpenUniStream()
			if err != nil {
				t.Fatalf("OpenUniStream: %v", err)
			}
			if _, err := stream.Write([]byte{1}); err != nil {
				t.Fatalf("Write: %v", err)
			}
			if err := c.Send(dctx, transfers(t, 1)[0]); err != nil {
				t.Fatalf("Send: %v", err)
			}
			<-out
			waitFor(t, "both streams accepted", 5*time.Second, func() bool { return s.Stats().Streams == 2 })

			want := ErrClosed
			if how == "close" {
				if err := s.Close(); err != nil {
					t.Fatalf("Close: %v", err)
				}
			} else {
				cancel()
				want = nil
			}
			select {
			case err := <-done:
				if !errors.Is(err, want) && err != want {
					t.Fatalf("Serve = %v, want %v", err, want)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("Serve did not return")
			}
			if err := s.Close(); err != nil {
				t.Fatalf("second Close: %v", err)
			}
			if err := s.Serve(context.Background()); !errors.Is(err, ErrClosed) {
				t.Fatalf("Serve after Close = %v, want ErrClosed", err)
			}
			if err := c.Send(dctx, transfers(t, 1)[0]); err == nil {
				// The client may not have seen the close yet; either way the
				// server must not forward it.
				select {
				case <-out:
					t.Fatalf("a closed server forwarded a transaction")
				case <-time.After(50 * time.Millisecond):
				}
			}
			_ = c.Close()
			waitFor(t, "goroutines to stop", 10*time.Second, func() bool { return runtime.NumGoroutine() <= before })
		})
	}
}

func TestServerClosesIdleConnections(t *testing.T) {
	ts := startServer(t, 8, func(c *Config) { c.IdleTimeout = 200 * time.Millisecond })
	c := dialT(t, ts.addr, testKeypair(t, 1))
	sendT(t, c, transfers(t, 1)[0])
	receive(t, ts.out, 1)
	waitFor(t, "idle connection closed", 5*time.Second, func() bool { return ts.Stats().ConnectionsOpen == 0 })
	if st := ts.Stats(); st.HandshakesFailed != 0 {
		t.Errorf("HandshakesFailed = %d, want 0: the connection completed its handshake", st.HandshakesFailed)
	}
}
