package ledger

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/cockroachdb/pebble/v2/vfs/errorfs"
	"github.com/gnomon-chain/gnomon/runtime"
	"github.com/gnomon-chain/gnomon/sdk"
)

// walWriteFault fails every write and fsync of the write-ahead log: the
// disk refusing the root batch.
var walWriteFault = errorfs.InjectorFunc(func(op errorfs.Op) error {
	if strings.HasSuffix(op.Path, ".log") && op.Kind.ReadOrWrite() == errorfs.OpIsWrite {
		return errorfs.ErrInjected
	}
	return nil
})

func TestFailedRootWriteReturnsErrorAndKeepsPreviousRoot(t *testing.T) {
	mem := vfs.NewCrashableMem()
	fault := &errorfs.Toggle{Injector: walWriteFault}
	l, err := Open("db", Options{FS: errorfs.Wrap(mem, fault)})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 7))
	k1, k2 := randKey(rng), randKey(rng)
	root1 := []runtime.AccountChange{
		{Pubkey: k1, Account: sdk.Account{Lamports: 10, Data: []byte("one")}},
		{Pubkey: k2, Account: sdk.Account{Lamports: 20}},
	}
	if err := l.PersistRoot(1, sdk.Hash{1}, root1); err != nil {
		t.Fatal(err)
	}
	fault.On()
	root2 := []runtime.AccountChange{
		{Pubkey: k1, Account: sdk.Account{Lamports: 0}},
		{Pubkey: k2, Account: sdk.Account{Lamports: 99}},
	}
	err = l.PersistRoot(2, sdk.Hash{2}, root2)
	if !errors.Is(err, ErrFailed) {
		t.Fatalf("PersistRoot on a failing disk: %v, want ErrFailed", err)
	}
	// The handle refuses everything after the failure.
	if _, err := l.InsertShreds(testSlot(rng, 3, 2, 1, 8)); !errors.Is(err, ErrFailed) {
		t.Fatalf("write after failure: %v", err)
	}
	if err := l.Close(); !errors.Is(err, ErrFailed) {
		t.Fatalf("close after failure: %v", err)
	}
	// Power off: only what was synced survives. The node restarts on root 1.
	l, err = Open("db", Options{FS: mem.CrashClone(vfs.CrashCloneCfg{})})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	slot, h, got, err := l.LoadRootedAccounts()
	if err != nil {
		t.Fatal(err)
	}
	sortChanges(root1)
	if slot != 1 || h != (sdk.Hash{1}) || !reflect.DeepEqual(got, root1) {
		t.Fatalf("after failed root 2: root %d, accounts %+v; want root 1 intact", slot, got)
	}
}
