package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"
)

// schemaVersion names the JSON layout bench/README.md documents; it changes
// when a field changes meaning or goes away.
const schemaVersion = "gnomon-bench/1"

// result is one run, as printed and as written to --json.
type result struct {
	Schema   string `json:"schema"`
	Scenario string `json:"scenario"`
	// Error is set when the run failed; the figures are then absent or
	// partial.
	Error     string       `json:"error,omitempty"`
	StartedAt time.Time    `json:"started_at"`
	Commit    string       `json:"commit"`
	Machine   machine      `json:"machine"`
	Config    resultConfig `json:"config"`

	SetupSeconds   float64 `json:"setup_s"`
	PresignSeconds float64 `json:"presign_s"`
	// DurationSeconds is the send window: from the clock's start until the
	// last sender stopped.
	DurationSeconds float64 `json:"duration_s"`
	// PresignedExhausted is true when every pre-signed transaction was sent
	// before the duration ran out: the node accepted more than --max-txs
	// allowed for, and the window is shorter than asked.
	PresignedExhausted bool `json:"presigned_exhausted"`

	Sent             int     `json:"sent"`
	SentTPS          float64 `json:"sent_tps"`
	Landed           int     `json:"landed"`
	Confirmed        int     `json:"confirmed"`
	Finalized        int     `json:"finalized"`
	ConfirmedTPS     float64 `json:"confirmed_tps"`
	ConfirmedTPSPeak float64 `json:"confirmed_tps_peak"`
	DropRate         float64 `json:"drop_rate"`

	Outcomes outcomes          `json:"outcomes"`
	Reasons  map[string]int    `json:"reasons"`
	Latency  map[string]*stats `json:"latency_ms"`

	PerSecond []second `json:"per_second"`

	NodeCPUPercent  *float64 `json:"node_cpu_percent"`
	BenchCPUPercent float64  `json:"bench_cpu_percent"`
	// StealPercent is the share of the machine's CPU time the hypervisor
	// took over the send window (0–100 of all cores), nil when unknown.
	StealPercent *float64           `json:"steal_percent"`
	NodeCounters map[string]float64 `json:"node_counters,omitempty"`
	Tracking     tracking           `json:"tracking"`

	// The raw latencies, for the plot only.
	latencies map[string][]float64
}

type machine struct {
	CPU   string `json:"cpu"`
	Cores int    `json:"cores"`
	Go    string `json:"go"`
}

type resultConfig struct {
	Rate        float64 `json:"rate"`
	Duration    float64 `json:"duration_s"`
	Accounts    int     `json:"accounts"`
	Connections int     `json:"connections"`
	Streams     int     `json:"streams"`
	MaxTxs      int     `json:"max_txs"`
	NodeStarted bool    `json:"node_started"`
}

// outcomes partitions every signature the harness tried to send; their sum
// is Sent.
type outcomes struct {
	LandedOK    int `json:"landed_ok"`
	Rejected    int `json:"rejected"`
	Expired     int `json:"expired"`
	SendFailed  int `json:"send_failed"`
	Unaccounted int `json:"unaccounted"`
}

type stats struct {
	Count int     `json:"count"`
	P50   float64 `json:"p50"`
	P90   float64 `json:"p90"`
	P99   float64 `json:"p99"`
	Max   float64 `json:"max"`
}

type second struct {
	T         int `json:"t"`
	Sent      int `json:"sent"`
	Confirmed int `json:"confirmed"`
}

type tracking struct {
	ByNotification  int `json:"by_notification"`
	BackfilledSlots int `json:"backfilled_slots"`
	FoundBySweep    int `json:"found_by_sweep"`
	TimingUnknown   int `json:"timing_unknown"`
	Reconnects      int `json:"reconnects"`
}

func newStats(ms []float64) *stats {
	s := &stats{Count: len(ms)}
	if len(ms) == 0 {
		return s
	}
	slices.Sort(ms)
	q := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(ms)))) - 1
		return round1(ms[max(0, min(i, len(ms)-1))])
	}
	s.P50, s.P90, s.P99, s.Max = q(0.50), q(0.90), q(0.99), round1(ms[len(ms)-1])
	return s
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }

func machineInfo() machine {
	m := machine{CPU: "unknown", Cores: runtime.NumCPU(), Go: runtime.Version()}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	return m
}

// gitCommit names the commit of the working tree the harness runs in; the
// build carries no VCS stamp (the repository builds with -buildvcs=false).
// What a run itself rewrites (bench/data, bench/RESULTS.md) does not make
// the tree dirty: make bench overwrites the committed figures it replaces.
func gitCommit() string {
	out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	c := strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no", "--",
		":(top)", ":(top,exclude)bench/data", ":(top,exclude)bench/RESULTS.md").Output(); err == nil && len(st) > 0 {
		c += "-dirty"
	}
	return c
}

// noisyStealPercent is the steal above which a run is flagged: at 10.7%
// the latency target was missed that two quiet runs had met.
const noisyStealPercent = 5.0

// noisyHost reports whether the hypervisor took enough of the machine
// during the run to make its figures unreliable.
func (r *result) noisyHost() bool {
	return r.StealPercent != nil && *r.StealPercent > noisyStealPercent
}

// stealText is the steal as people read it, or unknown.
func (r *result) stealText(unknown string) string {
	if r.StealPercent == nil {
		return unknown
	}
	return fmt.Sprintf("%.1f%%", *r.StealPercent)
}

func (r *result) writeOutputs(cfg config) error {
	if cfg.jsonPath != "" {
		b, err := json.MarshalIndent(r, "", "  ")
		if err != nil {
			return fmt.Errorf("json: %w", err)
		}
		if err := os.WriteFile(cfg.jsonPath, append(b, '\n'), 0o644); err != nil {
			return fmt.Errorf("json: %w", err)
		}
	}
	if cfg.plotPath != "" {
		if err := writePlot(r, cfg.plotPath); err != nil {
			return fmt.Errorf("plot %s: %w", cfg.plotPath, err)
		}
	}
	return nil
}

// printTable writes the human summary.
func (r *result) printTable(w io.Writer) {
	rate := "as fast as the node accepts"
	if r.Config.Rate > 0 {
		rate = fmt.Sprintf("offered %s tx/s", commas(r.Config.Rate))
	}
	fmt.Fprintf(w, "\nscenario %s: %.1f s, %s, %d payer accounts, %d connections × %d senders (commit %s)\n",
		r.Scenario, r.DurationSeconds, rate, r.Config.Accounts, r.Config.Connections, r.Config.Streams, r.Commit)
	fmt.Fprintf(w, "  sent            %10d   %s tx/s\n", r.Sent, commas(r.SentTPS))
	if r.PresignedExhausted {
		fmt.Fprintf(w, "  (every one of the %d pre-signed transactions was sent before the duration ran out; raise --max-txs)\n", r.Config.MaxTxs)
	}
	fmt.Fprintf(w, "  landed          %10d   ok %d, rejected %d\n", r.Landed, r.Outcomes.LandedOK, r.Outcomes.Rejected)
	fmt.Fprintf(w, "  confirmed tx/s  %10s   average over the send window; peak second %s\n", commas(r.ConfirmedTPS), commas(r.ConfirmedTPSPeak))
	fmt.Fprintf(w, "  finalized       %10d\n", r.Finalized)
	fmt.Fprintf(w, "  dropped         %10d   %.2f%% (expired %d, not accepted by the TPU %d, rejected %d, unaccounted %d)\n",
		r.Sent-r.Outcomes.LandedOK, 100*r.DropRate, r.Outcomes.Expired, r.Outcomes.SendFailed, r.Outcomes.Rejected, r.Outcomes.Unaccounted)
	reasons := make([]string, 0, len(r.Reasons))
	for k := range r.Reasons {
		reasons = append(reasons, k)
	}
	sort.Slice(reasons, func(i, j int) bool { return r.Reasons[reasons[i]] > r.Reasons[reasons[j]] })
	for _, k := range reasons {
		fmt.Fprintf(w, "    %8d  %s\n", r.Reasons[k], k)
	}
	fmt.Fprintf(w, "  latency from send (ms)   count       p50       p90       p99       max\n")
	for _, lv := range []string{"processed", "confirmed", "finalized"} {
		s := r.Latency[lv]
		fmt.Fprintf(w, "    %-20s %9d %9.1f %9.1f %9.1f %9.1f\n", lv, s.Count, s.P50, s.P90, s.P99, s.Max)
	}
	node := "unknown"
	if r.NodeCPUPercent != nil {
		node = fmt.Sprintf("%.0f%% (%.2f cores)", *r.NodeCPUPercent, *r.NodeCPUPercent/100)
	}
	fmt.Fprintf(w, "  cpu             node %s, bench %.0f%%, over the send window on %d cores; stolen by the hypervisor: %s of the machine\n",
		node, r.BenchCPUPercent, r.Machine.Cores, r.stealText("unknown"))
	if r.noisyHost() {
		fmt.Fprintf(w, "  warning         the hypervisor took more than %.0f%% of the machine: these figures describe the host as much as the node\n", noisyStealPercent)
	}
	if len(r.NodeCounters) > 0 {
		keys := make([]string, 0, len(r.NodeCounters))
		for k, v := range r.NodeCounters {
			if v != 0 {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		fmt.Fprintf(w, "  node drop counters during the run:")
		if len(keys) == 0 {
			fmt.Fprintf(w, " all zero")
		}
		fmt.Fprintln(w)
		for _, k := range keys {
			fmt.Fprintf(w, "    %8.0f  %s\n", r.NodeCounters[k], k)
		}
	}
	t := r.Tracking
	fmt.Fprintf(w, "  tracking        %d by notifications, %d slots read back, %d found by the status sweep, %d without timestamps, %d reconnects\n",
		t.ByNotification, t.BackfilledSlots, t.FoundBySweep, t.TimingUnknown, t.Reconnects)
}

// commas formats v rounded to an integer with thousands separators.
func commas(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
