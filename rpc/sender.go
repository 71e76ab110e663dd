package rpc

import (
	"context"
	"errors"
	"time"

	"github.com/gnomon-chain/gnomon/ledger"
	"github.com/gnomon-chain/gnomon/sdk"
	"github.com/gnomon-chain/gnomon/tpu"
)

// Forwarding, as Agave's send-transaction service: send at once, re-send
// every retryInterval until the transaction lands, its blockhash expires
// or its retries are spent.
const (
	senderQueue   = 16_384
	retryInterval = 2 * time.Second
	maxTracked    = 100_000
)

type pendingTx struct {
	raw        []byte
	sig        sdk.Signature
	blockhash  sdk.Hash
	lastValid  uint64
	maxRetries *uint64
	retries    uint64
}

// sender owns the connection to the leader's TPU and the retry set.
type sender struct {
	s     *Server
	queue chan pendingTx
}

func newSender(s *Server) *sender {
	return &sender{s: s, queue: make(chan pendingTx, senderQueue)}
}

// enqueue hands a transaction to the sender; a full queue drops it
// (counted), which a client sees as a transaction that never lands.
func (f *sender) enqueue(p pendingTx) {
	select {
	case f.queue <- p:
	default:
		f.s.stats.ForwardFailed.Add(1)
	}
}

func (f *sender) run(ctx context.Context) {
	var client *tpu.Client
	defer func() {
		if client != nil {
			client.Close()
		}
	}()
	send := func(p *pendingTx) {
		if f.s.cfg.TPUAddr == "" {
			f.s.stats.ForwardFailed.Add(1)
			return
		}
		if client == nil {
			dctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			c, err := tpu.Dial(dctx, f.s.cfg.TPUAddr, f.s.cfg.Identity)
			cancel()
			if err != nil {
				f.s.stats.ForwardFailed.Add(1)
				f.s.log.Warn("rpc: dial leader tpu", "addr", f.s.cfg.TPUAddr, "err", err)
				return
			}
			client = c
		}
		sctx, cancel := context.WithTimeout(ctx, time.Second)
		err := client.Send(sctx, p.raw)
		cancel()
		if err != nil {
			f.s.stats.ForwardFailed.Add(1)
			client.Close()
			client = nil
			return
		}
		f.s.stats.Forwarded.Add(1)
	}
	tracked := make(map[sdk.Signature]*pendingTx)
	ticker := time.NewTicker(retryInterval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case p := <-f.queue:
			if _, dup := tracked[p.sig]; dup {
				continue
			}
			send(&p)
			if len(tracked) < maxTracked && (p.maxRetries == nil || *p.maxRetries > 0) {
				tracked[p.sig] = &p
			}
		case <-ticker.C:
			snap := f.s.state.Load()
			for sig, p := range tracked {
				_, err := f.s.cfg.Ledger.GetStatus(sig)
				switch {
				case err == nil:
					f.s.stats.Landed.Add(1)
					delete(tracked, sig)
				case !errors.Is(err, ledger.ErrStatusNotFound):
					f.s.log.Warn("rpc: status lookup", "sig", sig, "err", err)
				case snap.processed.BlockHeight() > p.lastValid || !snap.processed.IsBlockhashValid(p.blockhash):
					f.s.stats.Expired.Add(1)
					delete(tracked, sig)
				case p.maxRetries != nil && p.retries >= *p.maxRetries:
					f.s.stats.RetriesExhausted.Add(1)
					delete(tracked, sig)
				default:
					p.retries++
					f.s.stats.Retried.Add(1)
					send(p)
				}
			}
		}
	}
}
