package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/gnomon-chain/gnomon/genesis"
	"github.com/gnomon-chain/gnomon/ledger"
	"github.com/gnomon-chain/gnomon/sdk"
	"github.com/gnomon-chain/gnomon/validator/node"
)

// runCommand starts a validator from flags, as agave-validator does. For now
// a node can only be the sole validator of its genesis: clusters of several
// need gossip and turbine's network, which are not built yet, and the
// command says so rather than start a node that cannot follow anyone.
func runCommand(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("run", stderr)
	identityPath := fs.String("identity", "", "identity keypair `FILE` (required)")
	voteAccount := fs.String("vote-account", "", "vote account keypair `FILE` or pubkey")
	ledgerDir := fs.String("ledger", "", "ledger `DIR` (required)")
	genesisPath := fs.String("genesis", "", "genesis `FILE`, copied into a new ledger")
	expected := fs.String("expected-genesis-hash", "", "refuse to start unless the genesis hash is `HASH`")
	portRange := fs.String("dynamic-port-range", "8002-8020", "`MIN-MAX` ports for the TPU")
	bind := fs.String("bind-address", "127.0.0.1", "`IP` to listen on")
	rpcPort := fs.Int("rpc-port", 8899, "JSON-RPC `PORT`; PubSub WebSocket on the next port (-1: no RPC)")
	faucetPath := fs.String("rpc-faucet-keypair", "", "keypair `FILE` that funds requestAirdrop (default: airdrops off)")
	fs.Int("gossip-port", 8001, "gossip `PORT` (gossip is not built yet; accepted for agave compatibility)")
	limit := fs.Uint64("limit-ledger-size", 0, "keep about `SHREDS` shreds, pruning the oldest rooted slots (0: keep all)")
	metricsPort := fs.Int("metrics-port", -1, "serve Prometheus metrics on `PORT` (default off)")
	logLevel := fs.String("log-level", "info", "`LEVEL`: debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case fs.NArg() != 0:
		return usagef("unexpected argument %q", fs.Arg(0))
	case *identityPath == "":
		return usagef("--identity is required")
	case *ledgerDir == "":
		return usagef("--ledger is required")
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return usagef("--log-level %q: %v", *logLevel, err)
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	lo, hi, err := parsePortRange(*portRange)
	if err != nil {
		return usagef("--dynamic-port-range: %v", err)
	}
	identity, err := sdk.ReadKeypairFile(*identityPath)
	if err != nil {
		return err
	}
	// A ledger with rooted accounts restarts from them: its genesis is read
	// without its accounts, which for a large genesis saves seconds.
	store := filepath.Join(*ledgerDir, devStoreDir)
	var l *ledger.Ledger
	if _, err := os.Stat(store); err == nil {
		if l, err = ledger.Open(store, ledger.Options{}); err != nil {
			return fmt.Errorf("open ledger %s: %w", store, err)
		}
		defer l.Close()
	}
	g, genesisHash, err := ledgerGenesis(*ledgerDir, *genesisPath, *expected, l == nil || !l.HasRootedAccounts())
	if err != nil {
		return err
	}
	if len(g.Validators) != 1 || g.Validators[0].Identity != identity.Pubkey() {
		return fmt.Errorf("genesis %s has %d validators and %s is not its only one: clusters of several validators need gossip and turbine networking, which are not built yet",
			genesisHash, len(g.Validators), identity.Pubkey())
	}
	if *voteAccount != "" {
		vote, err := keyOrPubkey(*voteAccount)
		if err != nil {
			return err
		}
		if vote != g.Validators[0].VoteAccount {
			return fmt.Errorf("vote account %s is not %s's vote account in the genesis (%s)", vote, identity.Pubkey(), g.Validators[0].VoteAccount)
		}
	}
	if l == nil {
		if l, err = ledger.Open(store, ledger.Options{}); err != nil {
			return fmt.Errorf("open ledger %s: %w", store, err)
		}
		defer l.Close()
	}
	cfg := node.Config{Genesis: g, GenesisHash: genesisHash, Identity: identity, Ledger: l, Logger: log, LimitLedgerShreds: *limit,
		TowerPath: filepath.Join(*ledgerDir, "tower.bin")}
	if *metricsPort >= 0 {
		cfg.MetricsAddr = fmt.Sprintf("%s:%d", *bind, *metricsPort)
	}
	if *rpcPort >= 0 {
		cfg.RPCAddr = fmt.Sprintf("%s:%d", *bind, *rpcPort)
		cfg.RPCWSAddr = fmt.Sprintf("%s:%d", *bind, *rpcPort+1)
		if *rpcPort == 0 {
			cfg.RPCWSAddr = *bind + ":0"
		}
	}
	if *faucetPath != "" {
		f, err := sdk.ReadKeypairFile(*faucetPath)
		if err != nil {
			return fmt.Errorf("rpc faucet: %w", err)
		}
		cfg.Faucet = &f
	}
	// The TPU takes the first free port of the range.
	var n *node.Node
	for port := lo; port <= hi; port++ {
		cfg.TPUAddr = fmt.Sprintf("%s:%d", *bind, port)
		if n, err = node.New(cfg); err == nil {
			break
		}
		if !strings.Contains(err.Error(), "address already in use") {
			return err
		}
	}
	if n == nil {
		return fmt.Errorf("no free TPU port in %d-%d: %w", lo, hi, err)
	}
	fmt.Fprintf(stdout, "identity: %s\ngenesis hash: %s\nledger: %s\ntpu: %s\n", identity.Pubkey(), n.GenesisHash(), *ledgerDir, n.TPUAddr())
	if a := n.MetricsAddr(); a != nil {
		fmt.Fprintf(stdout, "metrics: http://%s/metrics\n", a)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	return n.Run(ctx)
}

// ledgerGenesis returns the ledger directory's genesis and its hash,
// installing the --genesis file into a new ledger, and refusing a genesis
// that differs from the ledger's or from --expected-genesis-hash. Hashes
// come from the files' bytes: re-encoding a large genesis costs seconds.
// Without withAccounts the genesis accounts are checked but not kept.
func ledgerGenesis(dir, genesisPath, expected string, withAccounts bool) (*genesis.Genesis, sdk.Hash, error) {
	inLedger := filepath.Join(dir, devGenesisFile)
	read := genesis.ReadFileHashed
	if !withAccounts {
		read = genesis.ReadFileWithoutAccounts
	}
	var given *genesis.Genesis
	var givenHash sdk.Hash
	if genesisPath != "" {
		g, h, err := read(genesisPath)
		if err != nil {
			return nil, sdk.Hash{}, err
		}
		given, givenHash = &g, h
	}
	var g *genesis.Genesis
	var hash sdk.Hash
	switch stored, storedHash, err := read(inLedger); {
	case err == nil:
		if given != nil && givenHash != storedHash {
			return nil, sdk.Hash{}, fmt.Errorf("ledger %s belongs to genesis %s, not %s (%s)", dir, storedHash, givenHash, genesisPath)
		}
		g, hash = &stored, storedHash
	case errors.Is(err, os.ErrNotExist):
		if given == nil {
			return nil, sdk.Hash{}, fmt.Errorf("ledger %s has no genesis: pass --genesis FILE", dir)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, sdk.Hash{}, fmt.Errorf("ledger %s: %w", dir, err)
		}
		g, hash = given, givenHash
	default:
		return nil, sdk.Hash{}, err
	}
	if expected != "" {
		want, err := sdk.ParseHash(expected)
		if err != nil {
			return nil, sdk.Hash{}, fmt.Errorf("--expected-genesis-hash %q: %w", expected, err)
		}
		if hash != want {
			return nil, sdk.Hash{}, fmt.Errorf("genesis hash is %s, expected %s", hash, want)
		}
	}
	if given != nil {
		if _, err := os.Stat(inLedger); errors.Is(err, os.ErrNotExist) {
			if err := given.WriteFile(inLedger); err != nil {
				return nil, sdk.Hash{}, err
			}
		}
	}
	return g, hash, nil
}

func parsePortRange(s string) (lo, hi int, err error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return 0, 0, fmt.Errorf("%q is not MIN-MAX", s)
	}
	if lo, err = strconv.Atoi(a); err != nil {
		return 0, 0, err
	}
	if hi, err = strconv.Atoi(b); err != nil {
		return 0, 0, err
	}
	if lo < 1 || hi > 65535 || lo > hi {
		return 0, 0, fmt.Errorf("%q is not a range of ports", s)
	}
	return lo, hi, nil
}

// keyOrPubkey reads a keypair file's pubkey, or parses a base58 pubkey.
func keyOrPubkey(s string) (sdk.Pubkey, error) {
	if kp, err := sdk.ReadKeypairFile(s); err == nil {
		return kp.Pubkey(), nil
	} else if p, perr := sdk.ParsePubkey(s); perr == nil {
		return p, nil
	} else {
		return sdk.Pubkey{}, err
	}
}
