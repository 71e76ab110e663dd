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
	"syscall"
	"time"

	"github.com/gnomon-chain/gnomon/genesis"
	"github.com/gnomon-chain/gnomon/ledger"
	"github.com/gnomon-chain/gnomon/sdk"
	"github.com/gnomon-chain/gnomon/validator/node"
)

// Files a dev ledger directory holds besides the pebble store.
const (
	devGenesisFile  = "genesis.bin"
	devIdentityFile = "identity.json"
	devVoteFile     = "vote-account.json"
	devFaucetFile   = "faucet.json"
	devStoreDir     = "store"
)

// devCommand runs a one-node dev cluster, as solana-test-validator does: it
// creates (or reuses) a ledger directory with a dev genesis, a faucet, and
// the node's keys, prints them, and runs until SIGINT or SIGTERM.
func devCommand(args []string, stdout, stderr io.Writer, log *slog.Logger) error {
	fs := newFlagSet("dev", stderr)
	ledgerDir := fs.String("ledger", "dev-ledger", "ledger `DIR`")
	reset := fs.Bool("reset", false, "wipe the ledger directory first")
	tpuPort := fs.Int("tpu-port", 8003, "TPU QUIC `PORT` on 127.0.0.1 (0: any free port)")
	metricsPort := fs.Int("metrics-port", -1, "serve Prometheus metrics on 127.0.0.1:`PORT` (0: any free port; default off)")
	rpcPort := fs.Int("rpc-port", 8899, "JSON-RPC `PORT` on 127.0.0.1; PubSub WebSocket on the next port (0: any free ports; -1: no RPC)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if *reset {
		if err := os.RemoveAll(*ledgerDir); err != nil {
			return fmt.Errorf("reset %s: %w", *ledgerDir, err)
		}
	}
	if err := os.MkdirAll(*ledgerDir, 0o755); err != nil {
		return fmt.Errorf("ledger %s: %w", *ledgerDir, err)
	}
	began := time.Now()
	store := filepath.Join(*ledgerDir, devStoreDir)
	l, err := ledger.Open(store, ledger.Options{})
	if err != nil {
		return fmt.Errorf("open ledger %s: %w", store, err)
	}
	defer l.Close()
	log.Info("ledger opened", "ms", time.Since(began).Milliseconds())
	began = time.Now()
	// A ledger with rooted accounts restarts from them: genesis accounts
	// are not needed, and decoding a million of them would take seconds.
	g, genesisHash, identity, err := devGenesis(*ledgerDir, !l.HasRootedAccounts())
	if err != nil {
		return err
	}
	log.Info("genesis loaded", "accounts", len(g.Accounts), "ms", time.Since(began).Milliseconds())
	cfg := node.Config{Genesis: g, GenesisHash: genesisHash, Identity: identity, Ledger: l, TPUAddr: fmt.Sprintf("127.0.0.1:%d", *tpuPort), Logger: log,
		TowerPath: filepath.Join(*ledgerDir, "tower.bin")}
	if *metricsPort >= 0 {
		cfg.MetricsAddr = fmt.Sprintf("127.0.0.1:%d", *metricsPort)
	}
	faucet, err := sdk.ReadKeypairFile(filepath.Join(*ledgerDir, devFaucetFile))
	if err != nil {
		return fmt.Errorf("dev faucet: %w", err)
	}
	if *rpcPort >= 0 {
		// The dev cluster's faucet answers requestAirdrop, as
		// solana-test-validator's does.
		cfg.RPCAddr = fmt.Sprintf("127.0.0.1:%d", *rpcPort)
		cfg.RPCWSAddr = fmt.Sprintf("127.0.0.1:%d", *rpcPort+1)
		if *rpcPort == 0 {
			cfg.RPCWSAddr = "127.0.0.1:0"
		}
		cfg.Faucet = &faucet
	}
	n, err := node.New(cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "identity: %s\nfaucet: %s (keypair %s)\ngenesis hash: %s\nledger: %s\ntpu: %s\n",
		identity.Pubkey(), faucet.Pubkey(), filepath.Join(*ledgerDir, devFaucetFile), n.GenesisHash(), *ledgerDir, n.TPUAddr())
	if a := n.RPCAddr(); a != nil {
		fmt.Fprintf(stdout, "rpc: http://%s\nwebsocket: ws://%s\n", a, n.RPCWSAddr())
	}
	if a := n.MetricsAddr(); a != nil {
		fmt.Fprintf(stdout, "metrics: http://%s/metrics\n", a)
	}
	if f, ok := stdout.(*os.File); ok {
		f.Sync()
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	err = n.Run(ctx)
	s := n.Stats()
	log.Info("stopped", "slots", s.Slots.Load(), "committed", s.Committed.Load(),
		"sigverify_failed", s.SigverifyFailed.Load(), "duplicates", s.Duplicates.Load(),
		"tpu_malformed", n.TPUStats().DroppedMalformed, "tpu_oversized", n.TPUStats().DroppedOversized)
	return err
}

// devGenesis loads the ledger directory's genesis (with its hash; its
// accounts only if withAccounts) and identity, or creates them (with vote
// and faucet keypairs) on first use.
func devGenesis(dir string, withAccounts bool) (*genesis.Genesis, sdk.Hash, sdk.Keypair, error) {
	gpath := filepath.Join(dir, devGenesisFile)
	if _, err := os.Stat(gpath); err == nil {
		read := genesis.ReadFileHashed
		if !withAccounts {
			read = genesis.ReadFileWithoutAccounts
		}
		g, h, err := read(gpath)
		if err != nil {
			return nil, sdk.Hash{}, sdk.Keypair{}, err
		}
		id, err := sdk.ReadKeypairFile(filepath.Join(dir, devIdentityFile))
		if err != nil {
			return nil, sdk.Hash{}, sdk.Keypair{}, err
		}
		return &g, h, id, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, sdk.Hash{}, sdk.Keypair{}, fmt.Errorf("genesis %s: %w", gpath, err)
	}
	keys := map[string]sdk.Keypair{}
	for _, name := range []string{devIdentityFile, devVoteFile, devFaucetFile} {
		kp, err := sdk.NewKeypair()
		if err != nil {
			return nil, sdk.Hash{}, sdk.Keypair{}, err
		}
		if err := sdk.WriteKeypairFile(filepath.Join(dir, name), kp); err != nil {
			return nil, sdk.Hash{}, sdk.Keypair{}, err
		}
		keys[name] = kp
	}
	g := genesis.DevGenesis(keys[devIdentityFile].Pubkey(), keys[devVoteFile].Pubkey(), keys[devFaucetFile].Pubkey(), time.Now())
	if err := g.WriteFile(gpath); err != nil {
		return nil, sdk.Hash{}, sdk.Keypair{}, err
	}
	return &g, g.Hash(), keys[devIdentityFile], nil
}
