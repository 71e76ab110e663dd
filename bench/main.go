package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"syscall"
	"time"
)

// maxPresigned bounds the pre-signed transactions, which all sit in memory
// (about 400 bytes each with their records): 20 million is ~8 GB.
const maxPresigned = 20_000_000

// config is one run's command line.
type config struct {
	rpc, ws, tpu, metrics string
	validator             string // if set, start a fresh dev node from this binary
	workDir               string // where a started node's ledger and log go
	payer                 string
	scenario              string
	accounts              int
	duration              time.Duration
	rate                  float64
	maxTxs                int
	connections, streams  int
	drain                 time.Duration
	expiryWait            time.Duration
	jsonPath, plotPath    string
	halfRateOf            string // take --rate as half the confirmed_tps of this JSON
}

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	code := runMain(ctx, os.Args[1:], os.Stdout, os.Stderr, log)
	stop()
	os.Exit(code)
}

// runMain is the command without the process around it; it returns the
// exit status: 0 success, 1 a failed or unaccounted run, 2 bad usage.
func runMain(ctx context.Context, args []string, stdout, stderr io.Writer, log *slog.Logger) int {
	if len(args) > 0 && args[0] == "results" {
		if err := resultsCommand(args[1:], stderr); err != nil {
			fmt.Fprintln(stderr, "bench results:", err)
			if errors.Is(err, flag.ErrHelp) {
				return 2
			}
			return 1
		}
		return 0
	}
	cfg, err := parseConfig(args, stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "bench:", err)
		}
		return 2
	}
	res, err := run(ctx, cfg, stdout, stderr, log)
	if err != nil && res == nil && cfg.jsonPath != "" {
		// A failed run still leaves its JSON, so that make bench's table
		// shows the failure and its reason instead of a missing row.
		res = &result{Schema: schemaVersion, Scenario: cfg.scenario, StartedAt: time.Now().UTC(), Commit: gitCommit(),
			Machine: machineInfo(), Error: err.Error(), Config: resultConfig{Rate: cfg.rate, Duration: cfg.duration.Seconds(),
				Accounts: cfg.accounts, Connections: cfg.connections, Streams: cfg.streams, MaxTxs: cfg.maxTxs, NodeStarted: cfg.validator != ""}}
		cfg.plotPath = ""
	}
	if res != nil {
		if werr := res.writeOutputs(cfg); werr != nil {
			fmt.Fprintln(stderr, "bench:", werr)
			return 1
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
	if res.Outcomes.Unaccounted > 0 {
		fmt.Fprintf(stderr, "bench: %d signatures unaccounted\n", res.Outcomes.Unaccounted)
		return 1
	}
	return 0
}

func parseConfig(args []string, stderr io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.rpc, "rpc", "http://127.0.0.1:8899", "the node's JSON-RPC `URL` (ignored with --validator)")
	fs.StringVar(&cfg.ws, "ws", "", "PubSub `URL` (default: from getClusterNodes, else the RPC port + 1)")
	fs.StringVar(&cfg.tpu, "tpu", "", "TPU QUIC `HOST:PORT` (default: the leader's tpuQuic from getClusterNodes)")
	fs.StringVar(&cfg.metrics, "metrics", "", "the node's Prometheus `URL`, for its drop counters (default: none, or the started node's)")
	fs.StringVar(&cfg.validator, "validator", "", "start a fresh dev validator from this `BINARY` (built with go build ./validator) and bench it")
	fs.StringVar(&cfg.workDir, "workdir", "", "`DIR` for a started node's ledger and log (default: a temporary directory, removed after)")
	fs.StringVar(&cfg.payer, "payer", "", "keypair `FILE` that funds the accounts (default: the started node's faucet, else dev-faucet airdrops)")
	fs.StringVar(&cfg.scenario, "scenario", scenarioTransfer, "`NAME`: transfer, hot-account, token-transfer or mixed")
	fs.IntVar(&cfg.accounts, "accounts", 8192, "payer accounts (and as many recipients); more than a slot's transactions keeps transfers conflict-free")
	fs.DurationVar(&cfg.duration, "duration", 20*time.Second, "how long to send")
	fs.Float64Var(&cfg.rate, "rate", 0, "offered transactions per second (0: as fast as the node accepts)")
	fs.IntVar(&cfg.maxTxs, "max-txs", 0, "transactions to pre-sign (0: duration × rate, or duration × 40,000 at --rate 0)")
	fs.IntVar(&cfg.connections, "connections", 4, "QUIC connections to the TPU (the TPU allows 8 per IP)")
	fs.IntVar(&cfg.streams, "streams", 32, "concurrent senders per connection")
	fs.DurationVar(&cfg.drain, "drain", 30*time.Second, "after sending, the longest to wait for landed transactions to finalize")
	fs.DurationVar(&cfg.expiryWait, "expiry-wait", 90*time.Second, "the longest to wait for unlanded transactions' blockhash to expire, so they can be called expired")
	fs.StringVar(&cfg.halfRateOf, "half-rate-of", "", "set --rate to half the confirmed_tps of the run in this JSON `FILE` (the latency target's load)")
	fs.StringVar(&cfg.jsonPath, "json", "", "write the result as JSON to `FILE` (schema: bench/README.md)")
	fs.StringVar(&cfg.plotPath, "plot", "", "write a PNG plot to `FILE`")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	switch {
	case fs.NArg() != 0:
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case !slices.Contains(scenarios, cfg.scenario):
		return cfg, fmt.Errorf("--scenario %q: want one of %v", cfg.scenario, scenarios)
	case cfg.accounts < 1 || cfg.accounts > 1_000_000:
		return cfg, fmt.Errorf("--accounts %d: want 1 to 1,000,000", cfg.accounts)
	case cfg.duration <= 0 || cfg.rate < 0 || cfg.maxTxs < 0:
		return cfg, errors.New("--duration must be positive, --rate and --max-txs not negative")
	case cfg.connections < 1 || cfg.streams < 1:
		return cfg, errors.New("--connections and --streams must be at least 1")
	}
	if cfg.halfRateOf != "" {
		b, err := os.ReadFile(cfg.halfRateOf)
		if err != nil {
			return cfg, fmt.Errorf("--half-rate-of: %w", err)
		}
		var prev struct {
			ConfirmedTPS float64 `json:"confirmed_tps"`
		}
		if err := json.Unmarshal(b, &prev); err != nil {
			return cfg, fmt.Errorf("--half-rate-of %s: %w", cfg.halfRateOf, err)
		}
		if prev.ConfirmedTPS <= 0 {
			return cfg, fmt.Errorf("--half-rate-of %s: confirmed_tps is %v", cfg.halfRateOf, prev.ConfirmedTPS)
		}
		cfg.rate = math.Round(prev.ConfirmedTPS / 2)
	}
	if cfg.maxTxs == 0 {
		rate := cfg.rate
		if rate == 0 {
			rate = 40_000
		}
		n := cfg.duration.Seconds()*rate + 1
		if n > maxPresigned {
			return cfg, fmt.Errorf("--duration %s at %.0f tx/s needs %.0f pre-signed transactions, more than %d; set --max-txs", cfg.duration, rate, n, maxPresigned)
		}
		cfg.maxTxs = int(n)
	}
	if cfg.maxTxs > maxPresigned {
		return cfg, fmt.Errorf("--max-txs %d: at most %d", cfg.maxTxs, maxPresigned)
	}
	return cfg, nil
}

// endpoints fills in the WebSocket and TPU addresses the user did not give.
func endpoints(ctx context.Context, rc *rpcClient, cfg *config) error {
	if cfg.ws != "" && cfg.tpu != "" {
		return nil
	}
	nodes, err := rc.clusterNodes(ctx)
	if err != nil {
		return fmt.Errorf("find the TPU: %w", err)
	}
	if len(nodes) == 0 {
		return errors.New("find the TPU: getClusterNodes lists no node")
	}
	// A dev cluster has one node, the leader; with several, --tpu names it.
	n := nodes[0]
	if cfg.tpu == "" {
		if n.TPUQuic == nil {
			return fmt.Errorf("find the TPU: node %s has no tpuQuic", n.Pubkey)
		}
		cfg.tpu = *n.TPUQuic
	}
	if cfg.ws == "" {
		if n.PubSub != nil {
			cfg.ws = "ws://" + *n.PubSub
		} else {
			u, err := url.Parse(cfg.rpc)
			if err != nil {
				return fmt.Errorf("--rpc: %w", err)
			}
			port, err := strconv.Atoi(u.Port())
			if err != nil {
				return fmt.Errorf("--rpc %s: no port to derive the WebSocket from; pass --ws", cfg.rpc)
			}
			cfg.ws = fmt.Sprintf("ws://%s:%d", u.Hostname(), port+1)
		}
	}
	return nil
}
