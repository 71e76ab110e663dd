package tpu

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkIngest measures transactions per second from one client, spread
// over conns connections, through the server and into the output channel. The
// transactions are serialized beforehand so only ingest is measured.
func BenchmarkIngest(b *testing.B) {
	for _, conns := range []int{1, 4} {
		b.Run(fmt.Sprintf("conns=%d", conns), func(b *testing.B) { benchmarkIngest(b, conns) })
	}
}

func benchmarkIngest(b *testing.B, conns int) {
	const distinct = 1024
	txs := transfers(b, distinct)
	out := make(chan Packet, 8192)
	s, err := New(Config{Addr: "127.0.0.1:0", Identity: testKeypair(b, 0), Out: out})
	if err != nil {
		b.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = s.Serve(ctx) }()

	var received atomic.Int64
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		for range out {
			received.Add(1)
		}
	}()
	// The server must be closed before out is: it is the only sender.
	defer func() {
		_ = s.Close()
		close(out)
		<-drained
	}()

	clientKey := testKeypair(b, 1)
	clients := make([]*Client, conns)
	for i := range clients {
		dctx, dcancel := context.WithTimeout(ctx, 5*time.Second)
		c, err := Dial(dctx, s.Addr().String(), clientKey)
		dcancel()
		if err != nil {
			b.Fatalf("Dial: %v", err)
		}
		defer c.Close()
		clients[i] = c
	}

	// Each connection runs as many senders as the server grants streams, so
	// the connection is kept full rather than one stream at a time.
	const sendersPerConn = 64
	var next atomic.Int64
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for _, c := range clients {
		for range sendersPerConn {
			wg.Go(func() {
				for {
					i := next.Add(1) - 1
					if i >= int64(b.N) {
						return
					}
					if err := c.Send(ctx, txs[i%distinct]); err != nil {
						b.Errorf("Send: %v", err)
						return
					}
				}
			})
		}
	}
	wg.Wait()
	deadline := time.Now().Add(30 * time.Second)
	for {
		st := s.Stats()
		if int64(st.Forwarded+st.DroppedQueueFull+st.DroppedStreamError) >= int64(b.N) || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	st := s.Stats()
	b.ReportMetric(float64(st.Forwarded)/elapsed.Seconds(), "tx/s")
	if lost := int64(b.N) - int64(st.Forwarded); lost > 0 {
		b.ReportMetric(float64(lost), "dropped")
	}
}
