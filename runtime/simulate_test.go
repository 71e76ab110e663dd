package runtime

import (
	"errors"
	"testing"

	"github.com/gnomon-chain/gnomon/sdk"
)

func TestSimulateCommitsNothing(t *testing.T) {
	keys := testKeypairs(2, 3)
	n := newTestNode(t, keys, nil)
	b := n.child(t, n.forks.Root(), 1)
	a, c := keys[0].Pubkey(), keys[1].Pubkey()
	tx := wire(t, []sdk.Instruction{transfer(a, c, lamportsPerSOL)}, b.LastBlockhash(), keys[0])

	sim := b.Simulate(tx)
	if sim.Result.Err != nil || sim.Result.Fee != 5000 || sim.Result.ComputeUnits == 0 || len(sim.Result.Logs) == 0 {
		t.Fatalf("simulation %+v", sim.Result)
	}
	if got := sim.PostAccount(c).Lamports; got != 101*lamportsPerSOL {
		t.Fatalf("post recipient %d", got)
	}
	if b.Balance(a) != 100*lamportsPerSOL || b.Balance(c) != 100*lamportsPerSOL || b.TransactionCount() != 0 {
		t.Fatal("simulation changed the bank")
	}
	// The signature was not claimed: the transaction still runs once, and
	// a simulation afterwards sees it processed.
	if r := process(t, b, tx)[0]; r.Err != nil || !r.Committed {
		t.Fatalf("process after simulate %+v", r)
	}
	if again := b.Simulate(tx); !errors.Is(again.Result.Err, TxErr(AlreadyProcessed)) {
		t.Fatalf("simulating a processed transaction: %v", again.Result.Err)
	}
}

func TestSimulateOnFrozenBankReportsFailure(t *testing.T) {
	keys := testKeypairs(2, 4)
	n := newTestNode(t, keys, nil)
	b := n.child(t, n.forks.Root(), 1)
	b.Freeze(sdk.Hash{7})
	a, c := keys[0].Pubkey(), keys[1].Pubkey()
	tx := wire(t, []sdk.Instruction{transfer(a, c, 1000*lamportsPerSOL)}, b.LastBlockhash(), keys[0])
	sim := b.Simulate(tx)
	got, _ := sim.Result.Err.MarshalJSON()
	if string(got) != `{"InstructionError":[0,{"Custom":1}]}` {
		t.Fatalf("overdraft simulated as %s", got)
	}
	if !b.IsFrozen() || b.Balance(a) != 100*lamportsPerSOL {
		t.Fatal("simulation changed a frozen bank")
	}
}

func TestCapitalizationLosesOnlyBurnedFees(t *testing.T) {
	keys := testKeypairs(2, 5)
	n := newTestNode(t, keys, nil)
	root := n.forks.Root()
	genesisSupply := root.Capitalization()
	if genesisSupply < 200*lamportsPerSOL || root.BlockHeight() != 0 {
		t.Fatalf("genesis capitalization %d height %d", genesisSupply, root.BlockHeight())
	}
	b := n.child(t, root, 3)
	tx := wire(t, []sdk.Instruction{transfer(keys[0].Pubkey(), keys[1].Pubkey(), 1)}, b.LastBlockhash(), keys[0])
	process(t, b, tx)
	b.Freeze(sdk.Hash{3})
	idle := n.child(t, root, 4)
	idle.Freeze(sdk.Hash{4})
	// Half the 5000-lamport base fee is burned; the rest goes to the
	// collector. Both banks grew the same sysvars.
	if got, want := b.Capitalization(), idle.Capitalization()-2500; got != want {
		t.Fatalf("capitalization %d, want %d", got, want)
	}
	if b.BlockHeight() != 1 {
		t.Fatalf("block height %d after skipping slots 1 and 2, want 1", b.BlockHeight())
	}
	if err := n.forks.SetRoot(3); err != nil {
		t.Fatal(err)
	}
	if got := b.accounts.rootedLamports(); got != b.Capitalization() {
		t.Fatalf("rooted lamports %d, capitalization %d", got, b.Capitalization())
	}
}
