package runtime

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"github.com/gnomon-chain/gnomon/runtime/programs/token"
	"github.com/gnomon-chain/gnomon/sdk"
)

// TestBankFromRootContinuesLikeTheOriginal runs a chain of banks, rebuilds
// the root from what a ledger keeps (rooted accounts, each slot's bank hash,
// last PoH hash and signatures), and checks that a child of the rebuilt
// root and a child of the original, given the same transactions, compute
// the same results and bank hash, and that a transaction already executed
// before the restart is still AlreadyProcessed after it.
func TestBankFromRootContinuesLikeTheOriginal(t *testing.T) {
	keys := testKeypairs(3, 15)
	n := newTestNode(t, keys, nil)
	parent := n.forks.Root()
	chain := []RecentSlot{{Slot: 0, BankHash: parent.Hash(), LastPoH: parent.cfg.GenesisHash}}
	var early *sdk.Transaction
	for slot := uint64(1); slot <= 5; slot++ {
		b := n.child(t, parent, slot)
		tx := wire(t, []sdk.Instruction{transfer(keys[slot%3].Pubkey(), keys[(slot+1)%3].Pubkey(), slot)}, b.LastBlockhash(), keys[slot%3])
		if slot == 2 {
			early = tx
		}
		if r := process(t, b, tx)[0]; r.Err != nil {
			t.Fatal(r.Err)
		}
		poh := sdk.Hash{0x50, byte(slot)}
		b.Freeze(poh)
		chain = append(chain, RecentSlot{Slot: slot, BankHash: b.Hash(), LastPoH: poh, Signatures: b.committedSigs()})
		parent = b
	}
	if err := n.forks.SetRoot(5); err != nil {
		t.Fatal(err)
	}
	// What the ledger persisted: genesis accounts plus every root's changes.
	restored := NewAccounts()
	var all []AccountChange
	for i := range parent.accounts.shards {
		for k, e := range parent.accounts.shards[i].t.all() {
			if e.rooted != nil {
				all = append(all, AccountChange{Pubkey: k, Account: *e.rooted})
			}
		}
	}
	restored.Restore(all)
	cfg := *parent.cfg
	root, err := NewBankFromRoot(cfg, restored, NewStatusCache(), RootState{Root: chain[5], Recent: chain[:5]})
	if err != nil {
		t.Fatal(err)
	}
	a, err := NewBank(parent, 6, sdk.Pubkey{0xc0})
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewBank(root, 6, sdk.Pubkey{0xc0})
	if err != nil {
		t.Fatal(err)
	}
	for _, bank := range []*Bank{a, b} {
		tx := wire(t, []sdk.Instruction{transfer(keys[0].Pubkey(), keys[2].Pubkey(), 99)}, bank.LastBlockhash(), keys[0])
		if r := process(t, bank, tx)[0]; r.Err != nil {
			t.Fatal(r.Err)
		}
		// A transaction executed in slot 2 is still a duplicate.
		if r := process(t, bank, early)[0]; !errors.Is(r.Err, TxErr(AlreadyProcessed)) {
			t.Fatalf("replayed transaction: %v", r.Err)
		}
		// An old blockhash (slot 1's) is still valid, a made-up one is not.
		if !bank.IsBlockhashValid(chain[1].LastPoH) || bank.IsBlockhashValid(sdk.Hash{0x77}) {
			t.Fatal("blockhash queue differs")
		}
	}
	if ha, hb := a.Freeze(sdk.Hash{0x60}), b.Freeze(sdk.Hash{0x60}); ha != hb {
		t.Fatal("the rebuilt root's child computes a different bank hash")
	}
}

// TestRestoreFromBatchesBuildsStoreAndIndexes: the streaming restore a
// restarting node uses stores every account and indexes each by owner
// program, token mint and token owner, whatever the batch boundaries.
func TestRestoreFromBatchesBuildsStoreAndIndexes(t *testing.T) {
	var changes []AccountChange
	mint := sdk.Pubkey{0x44}
	want := map[string][]sdk.Pubkey{}
	for i := 0; i < 1000; i++ {
		k := sdk.Pubkey{byte(i), byte(i >> 8), 0x99}
		a := sdk.Account{Lamports: uint64(i + 1), Owner: sdk.SystemProgramID}
		want["system"] = append(want["system"], k)
		if i%3 == 0 {
			owner := sdk.Pubkey{byte(i % 7)}
			ta := token.Account{Mint: mint, Owner: owner, Amount: 5, State: token.StateInitialized}
			a = sdk.Account{Lamports: 2_039_280, Owner: token.ID, Data: ta.Encode()}
			want["system"] = want["system"][:len(want["system"])-1]
			want["token"] = append(want["token"], k)
			if owner == (sdk.Pubkey{3}) {
				want["owner3"] = append(want["owner3"], k)
			}
		}
		changes = append(changes, AccountChange{Pubkey: k, Account: a})
	}
	got := NewAccounts()
	batches := make(chan []AccountChange, 2)
	go func() {
		defer close(batches)
		for lo := 0; lo < len(changes); lo += 64 {
			batches <- slices.Clone(changes[lo:min(lo+64, len(changes))])
		}
	}()
	if n := got.RestoreFrom(batches); n != len(changes) {
		t.Fatalf("restored %d of %d", n, len(changes))
	}
	for _, c := range changes {
		if a := got.loadRooted(c.Pubkey); a == nil || a.Lamports != c.Account.Lamports {
			t.Fatalf("%s: %+v", c.Pubkey, a)
		}
	}
	x := got.Index()
	for name, q := range map[string][]sdk.Pubkey{
		"system": x.RootedByOwner(sdk.SystemProgramID),
		"token":  x.RootedTokenAccountsByMint(mint),
		"owner3": x.RootedTokenAccountsByOwner(sdk.Pubkey{3}),
	} {
		w := slices.Clone(want[name])
		sortKeys(q)
		sortKeys(w)
		if len(w) == 0 || !slices.Equal(q, w) {
			t.Fatalf("index %s: %d keys, want %d", name, len(q), len(w))
		}
	}
	if by := x.RootedByOwner(token.ID); len(by) != len(want["token"]) {
		t.Fatalf("by token program: %d, want %d", len(by), len(want["token"]))
	}
}

func sortKeys(ks []sdk.Pubkey) {
	slices.SortFunc(ks, func(x, y sdk.Pubkey) int { return bytes.Compare(x[:], y[:]) })
}

// TestRestoredSignaturesAgeOut: the signatures a rebuilt root put in the
// status cache are forgotten once their slots leave the blockhash window,
// as those of slots rooted while running are.
func TestRestoredSignaturesAgeOut(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxProcessingAge = 150 // the least nonces allow
	cfg.GenesisHash = sdk.Hash{0x9e}
	var chain []RecentSlot
	for s := uint64(1); s <= 3; s++ {
		chain = append(chain, RecentSlot{Slot: s, BankHash: sdk.Hash{byte(s)}, LastPoH: sdk.Hash{0x50, byte(s)},
			Signatures: []sdk.Signature{{byte(s), 1}, {byte(s), 2}}})
	}
	status := NewStatusCache()
	root, err := NewBankFromRoot(cfg, NewAccounts(), status, RootState{Root: chain[2], Recent: chain[:2], BlockHeight: 3})
	if err != nil {
		t.Fatal(err)
	}
	f := NewForks(root, nil)
	if status.Len() != 6 {
		t.Fatalf("status cache holds %d signatures after the restore, want 6", status.Len())
	}
	parent := root
	for s := uint64(4); s <= 3+cfg.MaxProcessingAge+3; s++ {
		b, err := NewBank(parent, s, sdk.Pubkey{0xc0})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Insert(b); err != nil {
			t.Fatal(err)
		}
		b.Freeze(sdk.Hash{0x51, byte(s), byte(s >> 8)})
		if err := f.SetRoot(s); err != nil {
			t.Fatal(err)
		}
		parent = b
	}
	if n := status.Len(); n != 0 {
		t.Fatalf("%d restored signatures never aged out", n)
	}
}
