package ledger

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gnomon-chain/gnomon/sdk"
)

func TestInsertShredsFillsSlotInAnyOrder(t *testing.T) {
	l := openMem(t)
	rng := rand.New(rand.NewPCG(1, 2))
	shreds := testSlot(rng, 7, 6, 50, 100)
	shuffled := slices.Clone(shreds)
	rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	var full []uint64
	var completed []DataRange
	for i := 0; i < len(shuffled); i += 7 {
		if _, err := l.SlotData(7); i > 0 && !errors.Is(err, ErrSlotNotFull) {
			t.Fatalf("SlotData before full: %v, want ErrSlotNotFull", err)
		}
		res, err := l.InsertShreds(shuffled[i:min(i+7, len(shuffled))])
		if err != nil {
			t.Fatal(err)
		}
		full = append(full, res.Full...)
		completed = append(completed, res.Completed...)
	}
	m, err := l.SlotMeta(7)
	if err != nil {
		t.Fatal(err)
	}
	if !m.IsFull() || m.Consumed != 50 || m.Received != 50 || m.LastIndex != 49 || m.ParentSlot != 6 {
		t.Fatalf("meta %+v", m)
	}
	if !slices.Equal(full, []uint64{7}) {
		t.Fatalf("full reported %v, want [7] once", full)
	}
	slices.SortFunc(completed, func(a, b DataRange) int { return int(a.Start) - int(b.Start) })
	if !slices.Equal(completed, m.CompletedRanges()) || len(completed) != 13 {
		t.Fatalf("completed %v, meta says %v", completed, m.CompletedRanges())
	}
	got, err := l.SlotData(7)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, slotBytes(shreds)) {
		t.Fatal("SlotData differs from the shreds' data")
	}
	r, err := l.RangeData(completed[1])
	if err != nil || !bytes.Equal(r, slotBytes(shreds[4:8])) {
		t.Fatalf("RangeData %v: %v", completed[1], err)
	}
}

func TestSlotDataOfUnknownSlotIsNotFound(t *testing.T) {
	l := openMem(t)
	if _, err := l.SlotData(3); !errors.Is(err, ErrSlotNotFound) {
		t.Fatalf("got %v", err)
	}
}

func TestIdenticalShredIsIgnored(t *testing.T) {
	l := openMem(t)
	shreds := testSlot(rand.New(rand.NewPCG(1, 1)), 1, 0, 4, 10)
	if _, err := l.InsertShreds(shreds); err != nil {
		t.Fatal(err)
	}
	res, err := l.InsertShreds(append(slices.Clone(shreds[:2]), shreds[1]))
	if err != nil {
		t.Fatal(err)
	}
	if res.Ignored != 3 || res.Inserted != 0 || res.Duplicates != 0 {
		t.Fatalf("result %+v", res)
	}
	if _, err := l.DuplicateProof(1); !errors.Is(err, ErrNoDuplicate) {
		t.Fatalf("proof: %v", err)
	}
}

func TestConflictingShredIsKeptAsDuplicateProof(t *testing.T) {
	l := openMem(t)
	rng := rand.New(rand.NewPCG(1, 1))
	a := testSlot(rng, 9, 8, 4, 10)
	b := testSlot(rng, 9, 8, 4, 10)
	if _, err := l.InsertShreds(a); err != nil {
		t.Fatal(err)
	}
	res, err := l.InsertShreds(b[2:3])
	if err != nil {
		t.Fatal(err)
	}
	if res.Duplicates != 1 {
		t.Fatalf("result %+v", res)
	}
	p, err := l.DuplicateProof(9)
	if err != nil {
		t.Fatal(err)
	}
	if p.Slot != 9 || p.Index != 2 || p.Coding || !bytes.Equal(p.Shred1, a[2].Payload) || !bytes.Equal(p.Shred2, b[2].Payload) {
		t.Fatalf("proof %+v", p)
	}
	// The first shred stays the slot's.
	s, err := l.GetShred(9, 2, false)
	if err != nil || !bytes.Equal(s.Payload, a[2].Payload) {
		t.Fatalf("stored shred changed: %v", err)
	}
}

func TestShredsContradictingTheSlotAreRejected(t *testing.T) {
	l := openMem(t)
	rng := rand.New(rand.NewPCG(1, 1))
	shreds := testSlot(rng, 5, 4, 4, 10)
	if _, err := l.InsertShreds(append(shreds, testSlot(rng, 7, 6, 2, 10)[0])); err != nil {
		t.Fatal(err)
	}
	past := testSlot(rng, 5, 4, 6, 10)[5] // index 5 > last index 3
	// Slot 7's first data shred named parent 6; a data shred naming 5
	// contradicts it. (Coding shreds carry no parent, so they cannot.)
	otherParent := testSlot(rng, 7, 5, 2, 10)[1]
	selfParent := testSlot(rng, 6, 6, 1, 10)[0]
	res, err := l.InsertShreds([]ShredRecord{past, otherParent, selfParent})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rejected != 3 || res.Inserted != 0 {
		t.Fatalf("result %+v", res)
	}
	if _, err := l.SlotMeta(6); !errors.Is(err, ErrSlotNotFound) {
		t.Fatalf("rejected shred created a meta: %v", err)
	}
}

func TestCodingShredsAreStoredApart(t *testing.T) {
	l := openMem(t)
	rng := rand.New(rand.NewPCG(3, 3))
	data := testSlot(rng, 2, 1, 3, 10)
	coding := testCoding(rng, 2, 1, 3, 40)
	if _, err := l.InsertShreds(append(coding, data...)); err != nil {
		t.Fatal(err)
	}
	m, _ := l.SlotMeta(2)
	if m.CodingReceived != 3 || !m.IsFull() {
		t.Fatalf("meta %+v", m)
	}
	s, err := l.GetShred(2, 1, true)
	if err != nil || !bytes.Equal(s.Payload, coding[1].Payload) || !s.Coding {
		t.Fatalf("coding shred: %+v %v", s, err)
	}
}

func TestRootsAndSlotMetadata(t *testing.T) {
	l := openMem(t)
	if _, err := l.LastRoot(); !errors.Is(err, ErrNoRoot) {
		t.Fatalf("LastRoot on empty: %v", err)
	}
	if err := l.SetRoots([]uint64{1, 2, 5}); err != nil {
		t.Fatal(err)
	}
	if r, err := l.LastRoot(); err != nil || r != 5 {
		t.Fatalf("LastRoot %d %v", r, err)
	}
	if ok, _ := l.IsRoot(2); !ok {
		t.Fatal("2 not root")
	}
	if ok, _ := l.IsRoot(3); ok {
		t.Fatal("3 root")
	}
	if err := l.MarkDead(4); !errors.Is(err, ErrSlotNotFound) {
		t.Fatalf("MarkDead unknown slot: %v", err)
	}
	if _, err := l.InsertShreds(testSlot(rand.New(rand.NewPCG(1, 1)), 4, 2, 2, 8)); err != nil {
		t.Fatal(err)
	}
	h := sdk.Hash{1, 2, 3}
	for _, err := range []error{l.MarkDead(4), l.SetBankHash(4, h), l.SetBlockTime(4, 1_700_000_000), l.SetBlockHeight(4, 3)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	m, _ := l.SlotMeta(4)
	if !m.Dead || m.BankHash != h || !m.HasBankHash || m.BlockTime != 1_700_000_000 || m.BlockHeight != 3 || !m.IsFull() {
		t.Fatalf("meta %+v", m)
	}
}

func TestPruneToLimitKeepsNewestRootedSlots(t *testing.T) {
	l := openMem(t)
	rng := rand.New(rand.NewPCG(5, 5))
	for s := uint64(1); s <= 10; s++ {
		if _, err := l.InsertShreds(testSlot(rng, s, s-1, 10, 8)); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.SetRoots([]uint64{1, 2, 3, 4, 5, 6, 7, 8}); err != nil {
		t.Fatal(err)
	}
	floor, err := l.PruneToLimit(35) // slots 8, 7, 6 fit (30 shreds); 5 would not
	if err != nil || floor != 6 {
		t.Fatalf("floor %d %v", floor, err)
	}
	for s := uint64(1); s <= 10; s++ {
		_, err := l.SlotData(s)
		if s < 6 && !errors.Is(err, ErrSlotNotFound) || s >= 6 && err != nil {
			t.Fatalf("slot %d after prune: %v", s, err)
		}
	}
	// Shreds of a pruned slot are not stored again.
	res, err := l.InsertShreds(testSlot(rng, 3, 2, 2, 8))
	if err != nil || res.Ignored != 2 {
		t.Fatalf("re-insert pruned: %+v %v", res, err)
	}
	// The latest root is kept even when it alone is over the limit.
	if floor, err := l.PruneToLimit(1); err != nil || floor != 8 {
		t.Fatalf("floor %d %v", floor, err)
	}
	if _, err := l.SlotData(8); err != nil {
		t.Fatalf("latest root pruned: %v", err)
	}
	if ok, _ := l.IsRoot(7); !ok {
		t.Fatal("root markers are kept")
	}
}
