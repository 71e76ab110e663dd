package ledger

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/gnomon-chain/gnomon/runtime"
	"github.com/gnomon-chain/gnomon/sdk"
)

func sortChanges(cs []runtime.AccountChange) {
	slices.SortFunc(cs, func(a, b runtime.AccountChange) int { return compareKeys(a.Pubkey, b.Pubkey) })
}

func compareKeys(a, b sdk.Pubkey) int {
	for i := range a {
		if a[i] != b[i] {
			return int(a[i]) - int(b[i])
		}
	}
	return 0
}

// mapChanges turns a model's accounts into the form LoadRootedAccounts returns.
func mapChanges(m map[sdk.Pubkey]sdk.Account) []runtime.AccountChange {
	var out []runtime.AccountChange
	for k, a := range m {
		out = append(out, runtime.AccountChange{Pubkey: k, Account: a})
	}
	sortChanges(out)
	return out
}

func TestPersistRootMatchesMemoryPersisterAcrossRestart(t *testing.T) {
	fs := vfs.NewMem()
	l, err := Open("db", Options{FS: fs})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := l.LoadRootedAccounts(); !errors.Is(err, ErrNoRoot) {
		t.Fatalf("fresh ledger: %v", err)
	}
	rng := rand.New(rand.NewPCG(4, 4))
	var model runtime.MemoryPersister
	keys := make([]sdk.Pubkey, 30)
	for i := range keys {
		keys[i] = randKey(rng)
	}
	for slot := uint64(1); slot <= 20; slot++ {
		var cs []runtime.AccountChange
		for _, k := range keys {
			if rng.IntN(3) != 0 {
				continue
			}
			a := sdk.Account{Lamports: rng.Uint64N(3) * 1000, Owner: randKey(rng), Executable: rng.IntN(2) == 0, RentEpoch: rng.Uint64(), Data: make([]byte, rng.IntN(100))}
			cs = append(cs, runtime.AccountChange{Pubkey: k, Account: a})
		}
		h := sdk.Hash{byte(slot)}
		if err := l.PersistRoot(slot, h, cs); err != nil {
			t.Fatal(err)
		}
		if err := model.PersistRoot(slot, h, cs); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.PersistRoot(20, sdk.Hash{}, nil); !errors.Is(err, ErrRootNotNewer) {
		t.Fatalf("re-persist: %v", err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l, err = Open("db", Options{FS: fs})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	slot, h, got, err := l.LoadRootedAccounts()
	if err != nil {
		t.Fatal(err)
	}
	if slot != 20 || h != model.BankHash {
		t.Fatalf("root %d %v", slot, h)
	}
	want := mapChanges(model.Accounts)
	for i := range want {
		if len(want[i].Account.Data) == 0 {
			want[i].Account.Data = nil
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("accounts differ: got %d, want %d", len(got), len(want))
	}
	if ok, _ := l.IsRoot(20); !ok {
		t.Fatal("persisted root not marked rooted")
	}
	if err := l.PersistRoot(19, sdk.Hash{}, nil); !errors.Is(err, ErrRootNotNewer) {
		t.Fatalf("older root after restart: %v", err)
	}
}
