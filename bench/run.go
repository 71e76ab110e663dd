package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gnomon-chain/gnomon/internal/cpustat"
	"github.com/gnomon-chain/gnomon/sdk"
)

// run performs one benchmark: node (if asked), set-up, pre-signing, the
// timed send, the drain, and the accounting of every signature. It returns
// a result whenever the load phase ran, even with an error, so that what
// was measured is still written out.
func run(ctx context.Context, cfg config, stdout, stderr io.Writer, log *slog.Logger) (_ *result, err error) {
	prog := newProgress(stderr)
	defer prog.end()
	res := &result{Schema: schemaVersion, Scenario: cfg.scenario, StartedAt: time.Now().UTC(), Commit: gitCommit(),
		Machine: machineInfo(), Reasons: map[string]int{}, Latency: map[string]*stats{}, latencies: map[string][]float64{},
		Config: resultConfig{Rate: cfg.rate, Duration: cfg.duration.Seconds(), Accounts: cfg.accounts,
			Connections: cfg.connections, Streams: cfg.streams, MaxTxs: cfg.maxTxs, NodeStarted: cfg.validator != ""}}
	setupStart := time.Now()

	pid := 0
	if cfg.validator != "" {
		dir := cfg.workDir
		if dir == "" {
			tmp, err := os.MkdirTemp("", "gnomon-bench-")
			if err != nil {
				return nil, fmt.Errorf("workdir: %w", err)
			}
			// Kept when the run fails, so the node's log can be read.
			defer func() {
				if err == nil {
					os.RemoveAll(tmp)
				} else {
					log.Info("kept the node's directory", "dir", tmp)
				}
			}()
			dir = tmp
		} else if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("workdir: %w", err)
		}
		prog.begin("node", 0, nil)
		node, err := startDevNode(ctx, cfg.validator, dir, filepath.Join(dir, "node.log"))
		if err != nil {
			return nil, err
		}
		defer func() {
			if serr := node.stop(); serr != nil {
				log.Warn("dev node stopped with an error", "err", serr, "log", filepath.Join(dir, "node.log"))
			}
		}()
		// A node that dies ends the run at once, with its own last words,
		// rather than leaving every later step to time out.
		var cancel context.CancelCauseFunc
		ctx, cancel = context.WithCancelCause(ctx)
		defer cancel(nil)
		go func() {
			select {
			case <-node.exited:
				cancel(errors.New(node.exitReport()))
			case <-ctx.Done():
			}
		}()
		defer func() {
			if cause := context.Cause(ctx); err != nil && cause != nil && !errors.Is(cause, context.Canceled) && !strings.Contains(err.Error(), cause.Error()) {
				err = fmt.Errorf("%w: %w", cause, err)
			}
		}()
		cfg.rpc, cfg.ws, cfg.tpu = node.rpc, node.ws, node.tpu
		if cfg.metrics == "" {
			cfg.metrics = node.metrics
		}
		if cfg.payer == "" {
			cfg.payer = node.faucet
		}
		pid = node.pid()
	}
	rc := newRPCClient(cfg.rpc)
	if err := endpoints(ctx, rc, &cfg); err != nil {
		return nil, err
	}
	if pid == 0 {
		if u, err := url.Parse(cfg.rpc); err == nil {
			if port, err := strconv.Atoi(u.Port()); err == nil {
				if p, err := pidListeningOn(port); err == nil {
					pid = p
				} else {
					log.Info("node CPU use will be reported as unknown", "reason", err)
				}
			}
		}
	}

	sc := setupConfig{scenario: cfg.scenario, accounts: cfg.accounts, rounds: (cfg.maxTxs + cfg.accounts - 1) / cfg.accounts}
	if cfg.payer != "" {
		kp, err := sdk.ReadKeypairFile(cfg.payer)
		if err != nil {
			return nil, fmt.Errorf("--payer: %w", err)
		}
		sc.funder = kp
	} else {
		kp, err := sdk.NewKeypair()
		if err != nil {
			return nil, err
		}
		sc.funder, sc.airdrop = kp, true
	}
	w, err := setup(ctx, rc, sc, prog)
	if err != nil {
		return nil, err
	}
	res.SetupSeconds = time.Since(setupStart).Seconds()

	presignStart := time.Now()
	bh, err := rc.latestBlockhash(ctx)
	if err != nil {
		return nil, fmt.Errorf("blockhash: %w", err)
	}
	ps, err := w.presign(cfg.maxTxs, bh.Blockhash, prog)
	if err != nil {
		return nil, err
	}
	res.PresignSeconds = time.Since(presignStart).Seconds()

	scfg := sendConfig{tpu: cfg.tpu, connections: cfg.connections, streams: cfg.streams, rate: cfg.rate, duration: cfg.duration}
	snd, err := dialSenders(ctx, scfg)
	if err != nil {
		return nil, err
	}
	defer snd.close()

	// The clock starts a moment after subscribing; everything is timed
	// from t0.
	tr := newTracker(cfg.ws, ps, log)
	t0 := time.Now().Add(300 * time.Millisecond)
	tr.t0 = t0
	conn, err := tr.subscribe(ctx)
	if err != nil {
		return nil, err
	}
	tctx, tcancel := context.WithCancel(ctx)
	trDone := make(chan struct{})
	go func() {
		defer close(trDone)
		tr.run(tctx, conn)
	}()
	stopTracker := sync.OnceFunc(func() {
		tcancel()
		<-trDone
	})
	defer stopTracker()

	countersBefore := nodeCounters(ctx, cfg.metrics, log)
	var ticksBefore uint64
	if pid != 0 {
		if ticksBefore, err = cpuTicks(pid); err != nil {
			pid = 0
		}
	}
	var ruBefore syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ruBefore)
	machineBefore, machineErr := cpustat.Read()

	sl := newSendLog(len(ps.raw))
	prog.begin("run", int64(cfg.duration.Seconds()), func() string {
		return fmt.Sprintf("landed %d, finalized %d%s", tr.landed.Load(), tr.finalCount.Load(), sendFailures(sl.sent.Load(), sl.failed.Load()))
	})
	// The bar's steps are seconds of the send window.
	ticker := time.NewTicker(time.Second)
	tickDone := make(chan struct{})
	go func() {
		defer close(tickDone)
		for {
			select {
			case <-ticker.C:
				prog.add(1)
			case <-tctx.Done():
				return
			}
		}
	}()
	snd.sendAll(ctx, scfg, ps, t0, sl)
	ticker.Stop()
	window := sl.end
	if pid != 0 {
		if ticksAfter, err := cpuTicks(pid); err == nil {
			pct := float64(ticksAfter-ticksBefore) / clockTicksPerSecond / window.Seconds() * 100
			res.NodeCPUPercent = &pct
		}
	}
	var ruAfter syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ruAfter)
	benchCPU := time.Duration(ruAfter.Utime.Nano() + ruAfter.Stime.Nano() - ruBefore.Utime.Nano() - ruBefore.Stime.Nano())
	res.BenchCPUPercent = benchCPU.Seconds() / window.Seconds() * 100
	if machineErr == nil {
		if after, err := cpustat.Read(); err == nil {
			if pct, ok := cpustat.StealPercent(machineBefore, after); ok {
				res.StealPercent = &pct
			}
		}
	}

	accepted := sl.sent.Load()
	prog.begin("drain", accepted, func() string { return fmt.Sprintf("landed %d", tr.landed.Load()) })
	drain(ctx, tr, accepted, cfg.drain, prog)
	stopTracker()
	<-tickDone
	prog.end()
	countersAfter := nodeCounters(ctx, cfg.metrics, log)
	res.NodeCounters = counterDelta(countersBefore, countersAfter)

	// What the notifications missed: slots read back, then a status sweep
	// over every accepted signature.
	var upto uint64
	if err := rc.call(ctx, "getSlot", []any{map[string]string{"commitment": "confirmed"}}, &upto); err != nil {
		return nil, fmt.Errorf("drain: %w", err)
	}
	byNotification := int(tr.landed.Load())
	backfilled, err := tr.backfill(ctx, rc, upto)
	if err != nil {
		return nil, err
	}
	res.Tracking = tracking{ByNotification: byNotification, BackfilledSlots: backfilled, Reconnects: tr.reconnects}
	prog.begin("statuses", accepted, nil)
	acct, err := account(ctx, rc, tr, sl, bh.Blockhash, cfg.expiryWait, prog, log)
	prog.end()
	if err != nil {
		return nil, err
	}
	res.Tracking.FoundBySweep = acct.foundBySweep
	res.fill(tr, sl, acct, window)
	res.PresignedExhausted = sl.ok[len(sl.ok)-1] || sl.err[len(sl.err)-1] != ""
	res.printTable(stdout)
	return res, nil
}

func sendFailures(sent, failed int64) string {
	s := fmt.Sprintf(", sent %d", sent)
	if failed > 0 {
		s += fmt.Sprintf(" (%d send errors)", failed)
	}
	return s
}

// drain waits until every landed transaction is finalized and nothing new
// has landed for two seconds (or every accepted one has finalized), at most
// limit.
func drain(ctx context.Context, tr *tracker, accepted int64, limit time.Duration, prog *progress) {
	const quiet = 2 * time.Second
	start := time.Now()
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for time.Since(start) < limit {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		fin := tr.finalCount.Load()
		prog.done.Store(fin)
		if fin >= accepted {
			return
		}
		sinceLanding := time.Since(tr.t0) - time.Duration(tr.lastLanded.Load())
		if tr.pendingN.Load() == 0 && sinceLanding > quiet {
			return
		}
	}
}

// dropCounterNames are the node's metrics that explain a transaction that
// never landed.
var dropCounterNames = []string{"tpu_dropped_total", "tpu_connections_refused_total", "sigverify_failed_total",
	"dedup_duplicates_total", "banking_queue_full_total", "banking_shed_total", `transactions_total{result="dropped"}`,
	`transactions_total{result="failed"}`}

func nodeCounters(ctx context.Context, url string, log *slog.Logger) map[string]float64 {
	if url == "" {
		return nil
	}
	m, err := scrapeMetrics(ctx, url)
	if err != nil {
		log.Warn("node metrics unavailable", "err", err)
		return nil
	}
	out := map[string]float64{}
	for k, v := range m {
		for _, name := range dropCounterNames {
			if strings.HasPrefix(k, "gnomon_"+name) {
				out[strings.TrimPrefix(k, "gnomon_")] = v
			}
		}
	}
	return out
}

func counterDelta(before, after map[string]float64) map[string]float64 {
	if before == nil || after == nil {
		return nil
	}
	out := map[string]float64{}
	for k, v := range after {
		out[k] = v - before[k]
	}
	return out
}

// verdicts per signature.
type verdict uint8

const (
	notSent verdict = iota // the clock ran out before a sender reached it
	landedOK
	rejected    // landed with an error
	expired     // never processed, and its blockhash is no longer valid
	sendFailed  // the TPU did not take it (the send error says why)
	unaccounted // none of the above could be established
)

type accounting struct {
	verdict      []verdict
	reason       []string // for rejected, sendFailed and unaccounted
	confirmed    []bool   // per the sweep: confirmed or finalized when looked up
	finalized    []bool   // per the sweep, for those without a root notification
	foundBySweep int
}

// account gives every attempted signature its verdict. Landed ones get
// their error from a sweep of getSignatureStatuses; the ones never seen
// landed are looked up too, and if the node does not know them, the
// harness waits (at most expiryWait) until their blockhash has expired, so
// that "expired" is a fact and not a guess, then looks once more.
func account(ctx context.Context, rc *rpcClient, tr *tracker, sl *sendLog, bh sdk.Hash, expiryWait time.Duration,
	prog *progress, log *slog.Logger) (*accounting, error) {
	n := len(sl.ok)
	a := &accounting{verdict: make([]verdict, n), reason: make([]string, n), confirmed: make([]bool, n), finalized: make([]bool, n)}
	var todo []int32
	for k := range n {
		switch {
		case sl.err[k] != "":
			a.verdict[k], a.reason[k] = sendFailed, "not accepted by the TPU: "+sl.err[k]
		case sl.ok[k]:
			todo = append(todo, int32(k))
		}
	}
	missing, err := sweep(ctx, rc, tr, a, todo, prog)
	if err != nil {
		return nil, err
	}
	if len(missing) == 0 {
		return a, nil
	}
	log.Info("transactions not processed; waiting for their blockhash to expire", "count", len(missing), "limit", expiryWait)
	prog.begin("expiry wait", 0, func() string { return fmt.Sprintf("%d transactions not processed", len(missing)) })
	deadline := time.Now().Add(expiryWait)
	valid := true
	for valid && time.Now().Before(deadline) {
		if valid, err = rc.blockhashValid(ctx, bh); err != nil {
			return nil, fmt.Errorf("expiry: %w", err)
		}
		if valid {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(time.Second):
			}
		}
	}
	prog.end()
	still, err := sweep(ctx, rc, tr, a, missing, prog)
	if err != nil {
		return nil, err
	}
	for _, k := range still {
		if valid {
			a.verdict[k], a.reason[k] = unaccounted, fmt.Sprintf("not processed, and its blockhash was still valid after --expiry-wait %s", expiryWait)
		} else {
			a.verdict[k], a.reason[k] = expired, ""
		}
	}
	return a, nil
}

// sweep looks up todo's statuses, 256 a call on four connections, records
// the verdict of each one the node knows, and returns the rest.
func sweep(ctx context.Context, rc *rpcClient, tr *tracker, a *accounting, todo []int32, prog *progress) ([]int32, error) {
	var (
		mu       sync.Mutex
		missing  []int32
		firstErr error
		wg       sync.WaitGroup
	)
	batches := make(chan []int32)
	for range 4 {
		wg.Go(func() {
			sigs := make([]sdk.Signature, 0, maxStatusBatch)
			for b := range batches {
				sigs = sigs[:0]
				for _, k := range b {
					sigs = append(sigs, tr.ps.sigs[k])
				}
				var sts []*sigStatus
				var err error
				for attempt := 0; attempt < 3; attempt++ {
					if sts, err = rc.signatureStatuses(ctx, sigs); err == nil {
						break
					}
				}
				mu.Lock()
				if err != nil {
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					continue
				}
				for i, st := range sts {
					k := b[i]
					switch {
					case st == nil && tr.slot[k] != 0:
						a.verdict[k], a.reason[k] = unaccounted, "named in a confirmed block, but the node has no status for it"
					case st == nil:
						missing = append(missing, k)
					default:
						if tr.slot[k] == 0 {
							tr.slot[k] = st.Slot
							a.foundBySweep++
						}
						a.finalized[k] = st.ConfirmationStatus == "finalized"
						a.confirmed[k] = a.finalized[k] || st.ConfirmationStatus == "confirmed"
						if st.failed() {
							a.verdict[k], a.reason[k] = rejected, "rejected: "+string(st.Err)
						} else {
							a.verdict[k] = landedOK
						}
					}
				}
				mu.Unlock()
				prog.add(int64(len(b)))
			}
		})
	}
	for start := 0; start < len(todo); start += maxStatusBatch {
		select {
		case batches <- todo[start:min(start+maxStatusBatch, len(todo))]:
		case <-ctx.Done():
		}
	}
	close(batches)
	wg.Wait()
	if firstErr != nil {
		return nil, fmt.Errorf("status sweep: %w", firstErr)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("status sweep: %w", err)
	}
	return missing, nil
}

// fill computes the figures from the per-signature records.
func (r *result) fill(tr *tracker, sl *sendLog, a *accounting, window time.Duration) {
	r.DurationSeconds = window.Seconds()
	secs := int(window/time.Second) + 1
	perSec := make([]second, secs)
	grow := func(t time.Duration) int {
		i := max(0, int(t/time.Second))
		for len(perSec) <= i {
			perSec = append(perSec, second{T: len(perSec)})
		}
		return i
	}
	for i := range perSec {
		perSec[i].T = i
	}
	lat := map[string][]float64{}
	inWindow := 0
	for k, v := range a.verdict {
		if v == notSent {
			continue
		}
		r.Sent++
		perSec[grow(sl.at[k])].Sent++
		switch v {
		case landedOK:
			r.Outcomes.LandedOK++
		case rejected:
			r.Outcomes.Rejected++
		case expired:
			r.Outcomes.Expired++
			r.Reasons["expired: never processed; its blockhash is no longer valid"]++
		case sendFailed:
			r.Outcomes.SendFailed++
		case unaccounted:
			r.Outcomes.Unaccounted++
		}
		if a.reason[k] != "" {
			r.Reasons[a.reason[k]]++
		}
		if v != landedOK && v != rejected {
			continue
		}
		r.Landed++
		if tr.confirmed[k] != unknown || a.confirmed[k] {
			r.Confirmed++
		}
		if tr.finalized[k] != unknown || a.finalized[k] {
			r.Finalized++
		}
		if tr.confirmed[k] == unknown {
			r.Tracking.TimingUnknown++
			continue
		}
		send := sl.at[k]
		ms := func(d time.Duration) float64 { return float64(d-send) / float64(time.Millisecond) }
		if tr.processed[k] != unknown {
			lat["processed"] = append(lat["processed"], ms(tr.processed[k]))
		}
		lat["confirmed"] = append(lat["confirmed"], ms(tr.confirmed[k]))
		if tr.finalized[k] != unknown {
			lat["finalized"] = append(lat["finalized"], ms(tr.finalized[k]))
		}
		if v == landedOK {
			perSec[grow(tr.confirmed[k])].Confirmed++
			if tr.confirmed[k] <= window {
				inWindow++
			}
		}
	}
	r.PerSecond = perSec
	r.SentTPS = float64(r.Sent) / window.Seconds()
	r.ConfirmedTPS = math.Round(float64(inWindow) / window.Seconds())
	// The peak is over whole seconds inside the send window.
	for _, s := range perSec {
		if time.Duration(s.T+1)*time.Second <= window {
			r.ConfirmedTPSPeak = max(r.ConfirmedTPSPeak, float64(s.Confirmed))
		}
	}
	if r.Sent > 0 {
		r.DropRate = float64(r.Sent-r.Outcomes.LandedOK) / float64(r.Sent)
	}
	for _, lv := range []string{"processed", "confirmed", "finalized"} {
		r.latencies[lv] = lat[lv]
		r.Latency[lv] = newStats(slices.Clone(lat[lv]))
	}
}
