package ledger

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/gnomon-chain/gnomon/runtime"
	"github.com/gnomon-chain/gnomon/sdk"
)

func TestStatusRoundTrips(t *testing.T) {
	l := openMem(t)
	rng := rand.New(rand.NewPCG(1, 9))
	keys := []sdk.Pubkey{randKey(rng), randKey(rng), sdk.SystemProgramID}
	var recs []StatusRecord
	for i := range 20 {
		recs = append(recs, testStatus(rng, 3, uint32(i), keys))
	}
	if err := l.WriteStatuses(3, recs); err != nil {
		t.Fatal(err)
	}
	for _, want := range recs {
		got, err := l.GetStatus(want.Signature)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("status differs:\n got %+v\nwant %+v", got, want)
		}
	}
	if _, err := l.GetStatus(randSig(rng)); !errors.Is(err, ErrStatusNotFound) {
		t.Fatalf("unknown signature: %v", err)
	}
}

func TestStatusFromResultCarriesErrorJSON(t *testing.T) {
	res := runtime.TxResult{Err: runtime.TxErr(runtime.BlockhashNotFound), Fee: 5000, Logs: []string{"x"}}
	rec, err := StatusFromResult(sdk.Signature{1}, 4, 2, []sdk.Pubkey{{9}}, &res)
	if err != nil {
		t.Fatal(err)
	}
	if string(rec.Err) != `"BlockhashNotFound"` || rec.Fee != 5000 || rec.Slot != 4 || rec.Position != 2 {
		t.Fatalf("record %+v", rec)
	}
}

func TestStatusOfRootedForkWins(t *testing.T) {
	l := openMem(t)
	rng := rand.New(rand.NewPCG(2, 9))
	r := testStatus(rng, 5, 0, []sdk.Pubkey{randKey(rng)})
	r6 := r
	r6.Slot, r6.Position = 6, 3
	if err := l.WriteStatuses(5, []StatusRecord{r}); err != nil {
		t.Fatal(err)
	}
	if err := l.WriteStatuses(6, []StatusRecord{r6}); err != nil {
		t.Fatal(err)
	}
	if got, _ := l.GetStatus(r.Signature); got.Slot != 6 {
		t.Fatalf("unrooted: got slot %d, want the highest (6)", got.Slot)
	}
	if err := l.SetRoots([]uint64{5}); err != nil {
		t.Fatal(err)
	}
	if got, _ := l.GetStatus(r.Signature); got.Slot != 5 {
		t.Fatalf("rooted: got slot %d, want 5", got.Slot)
	}
}

// TestSignaturesForAddressPagesNewestFirst checks the order and the
// before/until/limit semantics of getSignaturesForAddress.
func TestSignaturesForAddressPagesNewestFirst(t *testing.T) {
	l := openMem(t)
	rng := rand.New(rand.NewPCG(3, 9))
	addr, other := randKey(rng), randKey(rng)
	// want is newest first: slot 12 positions 2,1,0, then slot 11, slot 10.
	var want []sdk.Signature
	for slot := uint64(10); slot <= 12; slot++ {
		var recs []StatusRecord
		for pos := range uint32(3) {
			keys := []sdk.Pubkey{other}
			if pos != 1 || slot != 11 {
				keys = append(keys, addr, addr) // a repeated key is indexed once
			}
			r := testStatus(rng, slot, pos, keys)
			r.LoadedAddresses = runtime.LoadedAddresses{}
			recs = append(recs, r)
			if pos != 1 || slot != 11 {
				want = append([]sdk.Signature{r.Signature}, want...)
			}
		}
		if err := l.WriteStatuses(slot, recs); err != nil {
			t.Fatal(err)
		}
	}
	sigs := func(q SignatureQuery) []sdk.Signature {
		t.Helper()
		got, err := l.SignaturesForAddress(addr, q)
		if err != nil {
			t.Fatal(err)
		}
		var out []sdk.Signature
		for _, g := range got {
			out = append(out, g.Signature)
		}
		return out
	}
	if got := sigs(SignatureQuery{}); !reflect.DeepEqual(got, want) {
		t.Fatalf("all: got %d, want %d in order", len(got), len(want))
	}
	if got := sigs(SignatureQuery{Limit: 3}); !reflect.DeepEqual(got, want[:3]) {
		t.Fatal("limit 3")
	}
	if got := sigs(SignatureQuery{Before: &want[2], Limit: 2}); !reflect.DeepEqual(got, want[3:5]) {
		t.Fatal("before")
	}
	if got := sigs(SignatureQuery{Until: &want[4]}); !reflect.DeepEqual(got, want[:4]) {
		t.Fatal("until")
	}
	if got := sigs(SignatureQuery{Before: &want[0], Until: &want[3]}); !reflect.DeepEqual(got, want[1:3]) {
		t.Fatal("before and until")
	}
	unknown := randSig(rng)
	if got := sigs(SignatureQuery{Before: &unknown}); len(got) != 0 {
		t.Fatal("unknown before must give an empty page")
	}
	if got := sigs(SignatureQuery{Until: &unknown}); len(got) != len(want) {
		t.Fatal("unknown until must be no bound")
	}
	if got := sigs(SignatureQuery{Visible: func(s uint64) bool { return s != 12 }}); !reflect.DeepEqual(got, want[3:]) {
		t.Fatal("visible filter")
	}
	if _, err := l.SignaturesForAddress(addr, SignatureQuery{Limit: 1001}); !errors.Is(err, ErrInvalidLimit) {
		t.Fatalf("limit 1001: %v", err)
	}
	got, _ := l.SignaturesForAddress(addr, SignatureQuery{Limit: 1})
	if got[0].Slot != 12 || got[0].Position != 2 {
		t.Fatalf("entry %+v", got[0])
	}
}

func TestWriteStatusesRejectsRecordOfAnotherSlot(t *testing.T) {
	l := openMem(t)
	r := testStatus(rand.New(rand.NewPCG(1, 1)), 4, 0, nil)
	if err := l.WriteStatuses(5, []StatusRecord{r}); err == nil {
		t.Fatal("accepted")
	}
	if _, err := l.GetStatus(r.Signature); !errors.Is(err, ErrStatusNotFound) {
		t.Fatalf("half-written: %v", err)
	}
}

// TestStatusOfADeadSlotIsIgnored: a status written for a slot later marked
// dead (a block abandoned after a crash) is not the transaction's status.
func TestStatusOfADeadSlotIsIgnored(t *testing.T) {
	l := openMem(t)
	rng := rand.New(rand.NewPCG(7, 7))
	rec := testStatus(rng, 5, 0, []sdk.Pubkey{randKey(rng)})
	if err := l.WriteStatuses(5, []StatusRecord{rec}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.GetStatus(rec.Signature); err != nil {
		t.Fatal(err)
	}
	if _, err := l.InsertShreds(testSlot(rng, 5, 4, 2, 10)); err != nil {
		t.Fatal(err)
	}
	if err := l.MarkDead(5); err != nil {
		t.Fatal(err)
	}
	if _, err := l.GetStatus(rec.Signature); !errors.Is(err, ErrStatusNotFound) {
		t.Fatalf("dead slot's status still found: %v", err)
	}
}

func TestGenesisBankHashSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := l.GenesisBankHash(); ok || err != nil {
		t.Fatalf("new ledger: ok %v err %v", ok, err)
	}
	want := sdk.Hash{1, 2, 3}
	if err := l.SetGenesisBankHash(want); err != nil {
		t.Fatal(err)
	}
	l.Close()
	if l, err = Open(dir, Options{}); err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if got, ok, err := l.GenesisBankHash(); !ok || err != nil || got != want {
		t.Fatalf("after reopen: %s %v %v", got, ok, err)
	}
}
