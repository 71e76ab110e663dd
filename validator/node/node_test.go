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
	var buffer priorityBuffer
	for i := 0; i < bankingBufferCap; i++ {
		buffer.add(nil, 100)
	}
	for _, p := range []uint64{5, 500, 1, 1000} {
		n.sigverifyToBanking <- mk(p)
	}
	n.fill(&buffer)
	if buffer.Len() != bankingBufferCap || n.stats.Shed.Load() != 4 {
		t.Fatalf("len %d shed %d", buffer.Len(), n.stats.Shed.Load())
	}
	best := buffer.take(3, nil)
	if best[0].price != 1000 || best[1].price != 500 || best[2].price != 100 {
		t.Fatalf("not taken best first: %d %d %d", best[0].price, best[1].price, best[2].price)
	}
	for _, p := range buffer.items {
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

// TestBufferTakesBestFirstInArrivalOrder: the leader's buffer hands out the
// highest prices first and, among equal prices, the earliest arrival.
func TestBufferTakesBestFirstInArrivalOrder(t *testing.T) {
	var b priorityBuffer
	txs := make([]*sdk.Transaction, 6)
	for i := range txs {
		txs[i] = &sdk.Transaction{}
	}
	for i, price := range []uint64{7, 3, 7, 9, 3, 7} {
		b.add(txs[i], price)
	}
	got := b.take(4, nil)
	want := []*sdk.Transaction{txs[3], txs[0], txs[2], txs[5]}
	for i := range want {
		if got[i].tx != want[i] {
			t.Fatalf("position %d: got transaction with price %d seq %d", i, got[i].price, got[i].seq)
		}
	}
	// A transaction put back keeps its place ahead of later equals.
	b.putBack(got[3])
	b.add(&sdk.Transaction{}, 7)
	if next := b.take(1, nil)[0]; next.tx != txs[5] {
		t.Fatalf("put-back transaction lost its place: seq %d", next.seq)
	}
}
