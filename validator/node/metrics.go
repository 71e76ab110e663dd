package node

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// gauges the leader loop sets; read by the metrics endpoint.
type gauges struct {
	slot, root, confirmed, bufferDepth atomic.Uint64
	slotNanos                          atomic.Int64
}

// registry exposes the node's counters, gauges and queue depths. The values
// live where they are counted (plain atomics in each stage); the registry
// only reads them when scraped, so metrics cost the hot path nothing.
func (n *Node) registry() *prometheus.Registry {
	r := prometheus.NewRegistry()
	counter := func(name, help string, labels prometheus.Labels, f func() float64) {
		r.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "gnomon_" + name, Help: help, ConstLabels: labels}, f))
	}
	gauge := func(name, help string, labels prometheus.Labels, f func() float64) {
		r.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "gnomon_" + name, Help: help, ConstLabels: labels}, f))
	}
	u := func(a *atomic.Uint64) func() float64 { return func() float64 { return float64(a.Load()) } }
	tpuStat := func(f func() uint64) func() float64 { return func() float64 { return float64(f()) } }
	s := &n.stats

	counter("tpu_connections_accepted_total", "QUIC connections accepted by the TPU.", nil, tpuStat(func() uint64 { return n.tpu.Stats().ConnectionsAccepted }))
	gauge("tpu_connections_open", "QUIC connections open.", nil, func() float64 { return float64(n.tpu.Stats().ConnectionsOpen) })
	for reason, f := range map[string]func() uint64{
		"max_connections":        func() uint64 { return n.tpu.Stats().RefusedMaxConnections },
		"max_connections_per_ip": func() uint64 { return n.tpu.Stats().RefusedMaxConnectionsPerIP },
		"connection_rate":        func() uint64 { return n.tpu.Stats().RefusedConnectionRate },
		"alpn":                   func() uint64 { return n.tpu.Stats().RefusedALPN },
	} {
		counter("tpu_connections_refused_total", "Connections refused by the TPU, by reason.", prometheus.Labels{"reason": reason}, tpuStat(f))
	}
	counter("tpu_transactions_forwarded_total", "Transactions the TPU passed to sigverify.", nil, tpuStat(func() uint64 { return n.tpu.Stats().Forwarded }))
	for reason, f := range map[string]func() uint64{
		"oversized":    func() uint64 { return n.tpu.Stats().DroppedOversized },
		"malformed":    func() uint64 { return n.tpu.Stats().DroppedMalformed },
		"queue_full":   func() uint64 { return n.tpu.Stats().DroppedQueueFull },
		"stream_error": func() uint64 { return n.tpu.Stats().DroppedStreamError },
	} {
		counter("tpu_dropped_total", "Streams the TPU dropped, by reason.", prometheus.Labels{"reason": reason}, tpuStat(f))
	}
	counter("sigverify_failed_total", "Transactions whose signatures failed the signature rule.", nil, u(&s.SigverifyFailed))
	counter("sigverify_batches_total", "Batches sigverify checked.", nil, u(&s.SigverifyBatches))
	counter("sigverify_signatures_total", "Signatures sigverify checked.", nil, u(&s.SigverifySignatures))
	counter("sigverify_key_cache_total", "Signature checks by whether the signer's expanded key was cached.", prometheus.Labels{"result": "hit"},
		func() float64 { h, _ := n.signers.Stats(); return float64(h) })
	counter("sigverify_key_cache_total", "Signature checks by whether the signer's expanded key was cached.", prometheus.Labels{"result": "miss"},
		func() float64 { _, m := n.signers.Stats(); return float64(m) })
	counter("dedup_duplicates_total", "Transactions dropped as already seen.", nil, u(&s.Duplicates))
	counter("banking_queue_full_total", "Verified transactions dropped because the leader's queue was full.", nil, u(&s.BankingQueueFull))
	counter("banking_shed_total", "Lowest-priority transactions shed from the full buffer.", nil, u(&s.Shed))
	counter("transactions_total", "Transactions the leader executed, by result.", prometheus.Labels{"result": "committed"}, u(&s.Committed))
	counter("transactions_total", "Transactions the leader executed, by result.", prometheus.Labels{"result": "failed"}, u(&s.Failed))
	counter("transactions_total", "Transactions the leader executed, by result.", prometheus.Labels{"result": "dropped"}, u(&s.Dropped))
	counter("slots_total", "Slots produced.", nil, u(&s.Slots))
	gauge("queue_depth", "Items waiting in a link.", prometheus.Labels{"link": "tpuToSigverify"}, func() float64 { return float64(len(n.tpuToSigverify)) })
	gauge("queue_depth", "Items waiting in a link.", prometheus.Labels{"link": "sigverifyToBanking"}, func() float64 { return float64(len(n.sigverifyToBanking)) })
	gauge("queue_depth", "Items waiting in a link.", prometheus.Labels{"link": "bankingBuffer"}, u(&n.gauges.bufferDepth))
	gauge("slot", "The slot being produced.", nil, u(&n.gauges.slot))
	gauge("root_slot", "The latest root (finalized: rooted by two thirds of the stake).", nil, u(&n.gauges.root))
	gauge("confirmed_slot", "The highest slot two thirds of the stake have voted for.", nil, u(&n.gauges.confirmed))
	gauge("slot_duration_seconds", "Wall time of the last slot.", nil, func() float64 { return time.Duration(n.gauges.slotNanos.Load()).Seconds() })
	if n.rpc != nil {
		rs := n.rpc.Stats()
		counter("rpc_requests_total", "JSON-RPC calls answered.", nil, u(&rs.Requests))
		counter("rpc_errors_total", "JSON-RPC calls answered with an error.", nil, u(&rs.Errors))
		counter("rpc_bad_requests_total", "JSON-RPC bodies refused: unparsable, oversized or not JSON-RPC 2.0.", nil, u(&rs.BadRequests))
		counter("rpc_notifications_total", "PubSub notifications queued to clients.", nil, u(&rs.Notifications))
		counter("rpc_slow_clients_dropped_total", "WebSocket clients disconnected because their queue filled.", nil, u(&rs.SlowClientsDropped))
		gauge("rpc_subscriptions_open", "PubSub subscriptions open.", nil, func() float64 {
			return float64(rs.Subscriptions.Load() - rs.SubscriptionsClosed.Load())
		})
		for result, c := range map[string]*atomic.Uint64{"forwarded": &rs.Forwarded, "forward_failed": &rs.ForwardFailed,
			"retried": &rs.Retried, "landed": &rs.Landed, "expired": &rs.Expired, "retries_exhausted": &rs.RetriesExhausted} {
			counter("rpc_send_transaction_total", "sendTransaction forwarding to the leader's TPU, by outcome.", prometheus.Labels{"outcome": result}, u(c))
		}
	}
	return r
}

// serveMetrics serves /metrics until ctx is done, and, when the listener is
// on a loopback address, Go's profiles under /debug/pprof/: a profile or
// execution trace of the running node is how its hot spots are found, but a
// profile costs CPU and the command line may hold paths, so they are never
// offered beyond the machine.
func (n *Node) serveMetrics(ctx context.Context, ln net.Listener) error {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(n.registry(), promhttp.HandlerOpts{}))
	if tcp, ok := ln.Addr().(*net.TCPAddr); ok && tcp.IP.IsLoopback() {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("metrics: %w", err)
	}
	return nil
}
