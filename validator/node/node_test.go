package node

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/gnomon-chain/gnomon/genesis"
	"github.com/gnomon-chain/gnomon/ledger"
	"github.com/gnomon-chain/gnomon/runtime/programs/computebudget"
	"github.com/gnomon-chain/gnomon/runtime/programs/system"
	"github.com/gnomon-chain/gnomon/sdk"
	"github.com/gnomon-chain/gnomon/tpu"
)

// TestFullBufferShedsLowestPrices: past its capacity the leader's buffer
// keeps the highest-paying transactions and counts what it shed.
func TestFullBufferShedsLowestPrices(t *testing.T) {
	n := &Node{sigverifyToBanking: make(chan *sdk.Transaction, 16)}
	kp := sdk.KeypairFromSeed([32]byte{1})
	mk := func(price uint64) *sdk.Transaction {
		tx, err := sdk.NewTransaction([]sdk.Instruction{{ProgramID: computebudget.ID, Data: computebudget.SetComputeUnitPriceData(price)}},
			sdk.Hash{byte(price)}, kp)
		if err != nil {
			t.Fatal(err)
		}
		return tx
	}
	buffer := make([]pending, 0, bankingBufferCap+10)
	for i := 0; i < bankingBufferCap; i++ {
		buffer = append(buffer, pending{tx: nil, price: 100})
	}
	for _, p := range []uint64{5, 500, 1, 1000} {
		n.sigverifyToBanking <- mk(p)
	}
	buffer = n.fill(buffer)
	if len(buffer) != bankingBufferCap || n.stats.Shed.Load() != 4 {
		t.Fatalf("len %d shed %d", len(buffer), n.stats.Shed.Load())
	}
	if buffer[0].price != 1000 || buffer[1].price != 500 {
		t.Fatalf("highest prices not kept first: %d %d", buffer[0].price, buffer[1].price)
	}
	for _, p := range buffer {
		if p.price < 100 {
			t.Fatalf("a price-%d transaction survived", p.price)
		}
	}
}

// TestNodeRunsInProcess runs a node on an in-memory ledger with its TPU on
// a free port, sends transfers through a QUIC client, and stops it; under
// -race this exercises every stage's goroutines together.
func TestNodeRunsInProcess(t *testing.T) {
	faucet := sdk.KeypairFromSeed([32]byte{9})
	identity := sdk.KeypairFromSeed([32]byte{8})
	g := genesis.DevGenesis(identity.Pubkey(), sdk.Pubkey{0x0e}, faucet.Pubkey(), time.Unix(1_700_000_000, 0))
	l, err := ledger.Open("ledger", ledger.Options{FS: vfs.NewMem()})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	n, err := New(Config{Genesis: &g, Identity: identity, Ledger: l, TPUAddr: "127.0.0.1:0", MetricsAddr: "127.0.0.1:0",
		TowerPath: filepath.Join(t.TempDir(), "tower.bin")})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	client, err := tpu.Dial(ctx, n.TPUAddr().String(), faucet)
	if err != nil {
		t.Fatal(err)
	}
	var sigs []sdk.Signature
	for i := 0; i < 20; i++ {
		tx, err := sdk.NewTransaction([]sdk.Instruction{{ProgramID: system.ID, Data: system.TransferData(1_000_000_000),
			Accounts: []sdk.AccountMeta{{Pubkey: faucet.Pubkey(), IsSigner: true, IsWritable: true}, {Pubkey: sdk.Pubkey{0x55, byte(i)}, IsWritable: true}}}},
			g.Hash(), faucet)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := tx.MarshalBinary()
		if err := client.Send(ctx, raw); err != nil {
			t.Fatal(err)
		}
		sigs = append(sigs, tx.Signatures[0])
	}
	// Wait until all have a status (polling; the ledger is safe to read
	// while the node writes it).
	deadline := time.Now().Add(20 * time.Second)
	for _, sig := range sigs {
		for {
			if _, err := l.GetStatus(sig); err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("transfer %s did not land", sig)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	client.Close()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := n.Stats().Committed.Load(); got < 20 {
		t.Fatalf("committed %d", got)
	}
}

// TestNodeNeverRecordsPastTheTick: PoH records one entry per hash of a tick,
// and transactions that all write one account (here, one payer) make one
// entry each. With 8 hashes per tick, a burst of 300 of them must land over
// many ticks; the node used to stop with "tick full" instead.
func TestNodeNeverRecordsPastTheTick(t *testing.T) {
	faucet := sdk.KeypairFromSeed([32]byte{9})
	identity := sdk.KeypairFromSeed([32]byte{8})
	g := genesis.DevGenesis(identity.Pubkey(), sdk.Pubkey{0x0e}, faucet.Pubkey(), time.Unix(1_700_000_000, 0))
	g.HashesPerTick = 8
	l, err := ledger.Open("ledger", ledger.Options{FS: vfs.NewMem()})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	n, err := New(Config{Genesis: &g, Identity: identity, Ledger: l, TPUAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	client, err := tpu.Dial(ctx, n.TPUAddr().String(), faucet)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	var sigs []sdk.Signature
	for i := 0; i < 300; i++ {
		tx, err := sdk.NewTransaction([]sdk.Instruction{{ProgramID: system.ID, Data: system.TransferData(1_000_000_000),
			Accounts: []sdk.AccountMeta{{Pubkey: faucet.Pubkey(), IsSigner: true, IsWritable: true}, {Pubkey: sdk.Pubkey{0x66, byte(i), byte(i >> 8)}, IsWritable: true}}}},
			g.Hash(), faucet)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := tx.MarshalBinary()
		if err := client.Send(ctx, raw); err != nil {
			select {
			case runErr := <-done:
				t.Fatalf("the node stopped: %v", runErr)
			case <-time.After(5 * time.Second):
				t.Fatal(err)
			}
		}
		sigs = append(sigs, tx.Signatures[0])
	}
	deadline := time.Now().Add(30 * time.Second)
	for _, sig := range sigs {
		for {
			if _, err := l.GetStatus(sig); err == nil {
				break
			}
			select {
			case err := <-done:
				t.Fatalf("the node stopped: %v", err)
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("transfer %s did not land", sig)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
