package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gnomon-chain/gnomon/sdk"
	"github.com/gnomon-chain/gnomon/tpu"
)

// sendConfig is how the load is offered.
type sendConfig struct {
	tpu         string
	connections int // QUIC connections (the TPU allows a few per IP)
	streams     int // concurrent senders per connection
	rate        float64
	duration    time.Duration
}

// sendLog is what the senders record per transaction. Each index is
// written by the one sender that claimed it, and read only after every
// sender has returned.
type sendLog struct {
	at  []time.Duration // when Send was called, since the clock started; valid if sent
	ok  []bool          // Send returned nil: the bytes were queued on a stream
	err []string        // the send error, when Send failed
	// An index with neither ok nor err was never attempted: the clock ran
	// out first.
	sent   atomic.Int64 // successful Sends, for progress
	failed atomic.Int64
	end    time.Duration // when the last sender stopped
}

// senders are the QUIC connections to the TPU. They stay open until the
// run is accounted for: closing a connection discards whatever its streams
// still had queued, which would lose transactions the harness counted as
// sent.
type senders struct {
	clients []*tpu.Client
}

func dialSenders(ctx context.Context, cfg sendConfig) (*senders, error) {
	s := &senders{}
	for range cfg.connections {
		kp, err := sdk.NewKeypair()
		if err != nil {
			s.close()
			return nil, fmt.Errorf("send: %w", err)
		}
		dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		c, err := tpu.Dial(dctx, cfg.tpu, kp)
		cancel()
		if err != nil {
			s.close()
			return nil, fmt.Errorf("send: %w", err)
		}
		s.clients = append(s.clients, c)
	}
	return s, nil
}

func (s *senders) close() {
	for _, c := range s.clients {
		c.Close()
	}
}

func newSendLog(n int) *sendLog {
	return &sendLog{at: make([]time.Duration, n), ok: make([]bool, n), err: make([]string, n)}
}

// sendAll sends ps's transactions from t0 for cfg.duration, or until they
// run out, with cfg.streams senders on each connection, recording into log.
// With a rate, transaction k is due at t0 + k/rate and a sender that falls
// behind sends without pausing until it catches up, so the offered load is
// the rate whenever the node keeps up.
func (s *senders) sendAll(ctx context.Context, cfg sendConfig, ps *presigned, t0 time.Time, log *sendLog) {
	n := len(ps.raw)
	if d := time.Until(t0); d > 0 {
		time.Sleep(d)
	}
	deadline := t0.Add(cfg.duration)
	var next atomic.Int64
	var wg sync.WaitGroup
	for _, c := range s.clients {
		for range cfg.streams {
			wg.Go(func() {
				for {
					k := next.Add(1) - 1
					if k >= int64(n) {
						return
					}
					if cfg.rate > 0 {
						due := t0.Add(time.Duration(float64(k) / cfg.rate * float64(time.Second)))
						if d := time.Until(due); d > 0 {
							select {
							case <-time.After(d):
							case <-ctx.Done():
								return
							}
						}
					}
					now := time.Now()
					if !now.Before(deadline) || ctx.Err() != nil {
						return
					}
					log.at[k] = now.Sub(t0)
					sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
					err := c.Send(sctx, ps.raw[k])
					cancel()
					if err != nil {
						log.err[k] = err.Error()
						log.failed.Add(1)
						continue
					}
					log.ok[k] = true
					log.sent.Add(1)
				}
			})
		}
	}
	wg.Wait()
	log.end = time.Since(t0)
}
