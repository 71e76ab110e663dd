package ledger

import (
	"testing"

	"github.com/gnomon-chain/gnomon/runtime"
	"github.com/gnomon-chain/gnomon/runtime/programs/system"
	"github.com/gnomon-chain/gnomon/sdk"
)

// TestRuntimeRootsPersistAndRestore drives the runtime with the ledger as
// its AccountsPersister: after a root, the ledger's rooted accounts rebuild
// a store that reads exactly what the rooted bank reads.
func TestRuntimeRootsPersistAndRestore(t *testing.T) {
	l := openMem(t)
	alice := sdk.KeypairFromSeed([32]byte{1})
	bob, carol := sdk.Pubkey{0xb0}, sdk.Pubkey{0xca}
	cfg := runtime.DefaultConfig()
	cfg.GenesisHash = sdk.Hash{3}
	root, err := runtime.NewGenesisBank(cfg, map[sdk.Pubkey]sdk.Account{alice.Pubkey(): {Lamports: 5_000_000_000}, carol: {Lamports: 7}}, runtime.NewAccounts(), runtime.NewStatusCache())
	if err != nil {
		t.Fatal(err)
	}
	forks := runtime.NewForks(root, l)
	if err := forks.PersistGenesis(); err != nil {
		t.Fatal(err)
	}
	b1, err := runtime.NewBank(root, 1, sdk.Pubkey{0xc0})
	if err != nil {
		t.Fatal(err)
	}
	if err := forks.Insert(b1); err != nil {
		t.Fatal(err)
	}
	tx, err := sdk.NewTransaction([]sdk.Instruction{{ProgramID: system.ID, Data: system.TransferData(1_000_000_000),
		Accounts: []sdk.AccountMeta{{Pubkey: alice.Pubkey(), IsSigner: true, IsWritable: true}, {Pubkey: bob, IsWritable: true}}}},
		b1.LastBlockhash(), alice)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := b1.ProcessTransactions([]*sdk.Transaction{tx}); err != nil || res[0].Err != nil {
		t.Fatalf("%v %v", err, res)
	}
	b1.Freeze(sdk.Hash{4})
	if err := forks.SetRoot(1); err != nil {
		t.Fatal(err)
	}
	slot, hash, changes, err := l.LoadRootedAccounts()
	if err != nil {
		t.Fatal(err)
	}
	if slot != 1 || hash != b1.Hash() {
		t.Fatalf("persisted root %d %s", slot, hash)
	}
	restored := runtime.NewAccounts()
	restored.Restore(changes)
	// carol was only ever in genesis: she survives through PersistGenesis.
	for _, k := range []sdk.Pubkey{alice.Pubkey(), bob, carol} {
		got := runtime.NewForks(mustGenesis(t, restored), nil).Root().Account(k)
		if runtime.AccountHash(k, got) != runtime.AccountHash(k, b1.Account(k)) {
			t.Fatalf("%s differs after restore: %+v vs %+v", k, got, b1.Account(k))
		}
	}
}

// mustGenesis makes a bank over restored accounts, only to read them.
func mustGenesis(t *testing.T, accounts *runtime.Accounts) *runtime.Bank {
	t.Helper()
	cfg := runtime.DefaultConfig()
	b, err := runtime.NewGenesisBank(cfg, nil, accounts, runtime.NewStatusCache())
	if err != nil {
		t.Fatal(err)
	}
	return b
}
