package turbine

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/gnomon-chain/gnomon/internal/shred"
	"github.com/gnomon-chain/gnomon/poh"
	"github.com/gnomon-chain/gnomon/sdk"
)

func TestDeshredRecoversAnyHalfInAnyOrderWithDuplicates(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	cases := map[string][][]byte{
		"one byte":        {{0x42}},
		"exactly one set": {randomBytes(r, shred.DataPerSet*shred.DataCapacity)},
		"many sets":       {randomBytes(r, 300_000)},
		"many batches": {
			randomBytes(r, 10), randomBytes(r, 5000), {}, randomBytes(r, 2*shred.DataCapacity), randomBytes(r, 70_000),
		},
	}
	for name, batches := range cases {
		t.Run(name, func(t *testing.T) {
			for trial := range 3 {
				r := rand.New(rand.NewPCG(uint64(trial), 99))
				h := SlotHeader{Slot: 77, Parent: 70, ReferenceTick: 3}
				shreds := shredSlot(t, testLeader, h, batches...)
				kept := keepHalf(r, shreds)
				dups := len(kept) / 5
				for i := range dups {
					kept = append(kept, kept[i*5])
				}
				r.Shuffle(len(kept), func(i, j int) { kept[i], kept[j] = kept[j], kept[i] })

				d := newTestDeshredder(t, 77)
				for _, b := range kept {
					if err := d.Insert(b); err != nil && !errors.Is(err, ErrDuplicateShred) {
						t.Fatalf("trial %d: Insert: %v", trial, err)
					}
				}
				if !d.Complete() {
					t.Fatalf("trial %d: not complete with half of every set", trial)
				}
				got, err := d.Batches()
				if err != nil {
					t.Fatal(err)
				}
				if !equalBatches(got, nonEmpty(batches)) {
					t.Fatalf("trial %d: reassembled batches differ from the shredded ones", trial)
				}
				st := d.Stats()
				sets := uint64(len(shreds) / shred.SetSize)
				// A set is recovered (its 32 missing shreds rebuilt) unless
				// all its data shreds were among those kept.
				var recovered uint64
				dataKept, seen := map[uint32]int{}, map[uint32]bool{}
				for _, b := range kept {
					if s, _ := shred.Parse(b); s.IsData() && !seen[s.Index()] {
						seen[s.Index()] = true
						dataKept[s.FECSetIndex()]++
					}
				}
				for set := range sets {
					if dataKept[uint32(set*shred.DataPerSet)] < shred.DataPerSet {
						recovered += shred.SetSize / 2
					}
				}
				if st.Accepted != sets*32 || st.Duplicate != uint64(dups) || st.Recovered != recovered || st.RecoveryFailed != 0 {
					t.Fatalf("trial %d: stats %+v", trial, st)
				}
				if st.SignatureChecks != sets {
					t.Fatalf("trial %d: %d signature checks for %d sets, want one per set", trial, st.SignatureChecks, sets)
				}
				if parent, ok := d.Parent(); !ok || parent != 70 {
					t.Fatalf("parent %d %v", parent, ok)
				}
				if len(d.DuplicateProofs()) != 0 {
					t.Fatal("honest slot produced a duplicate proof")
				}
			}
		})
	}
}

func TestDeshredRecoveredShredsAreTheLeadersBytes(t *testing.T) {
	// Retransmit and the ledger hand recovered shreds to others, so they must
	// be exactly what the leader made, signature and proof included.
	shreds := shredSlot(t, testLeader, SlotHeader{Slot: 3, Parent: 2}, bytes.Repeat([]byte("ab"), 20_000))
	d := newTestDeshredder(t, 3)
	for _, b := range shreds[shred.DataPerSet:shred.SetSize] { // coding only
		if err := d.Insert(b); err != nil {
			t.Fatal(err)
		}
	}
	for i, b := range shreds[:shred.SetSize] {
		if err := d.Insert(b); !errors.Is(err, ErrDuplicateShred) {
			t.Fatalf("shred %d after recovery: %v, want ErrDuplicateShred (byte-identical)", i, err)
		}
	}
	if st := d.Stats(); st.SignatureChecks != 1 {
		t.Fatalf("%d signature checks", st.SignatureChecks)
	}
}

func TestDeshredNeedsEveryDataShredUpToLastInSlot(t *testing.T) {
	shreds := shredSlot(t, testLeader, SlotHeader{Slot: 3, Parent: 2}, make([]byte, 40*shred.DataCapacity))
	d := newTestDeshredder(t, 3)
	// All of set 1 but only 31 of set 0: set 0 can be neither used nor recovered.
	for _, b := range append(shreds[shred.SetSize:shred.SetSize+32], shreds[:31]...) {
		if err := d.Insert(b); err != nil {
			t.Fatal(err)
		}
	}
	if d.Complete() {
		t.Fatal("complete without data shred 31")
	}
	if _, err := d.Batches(); !errors.Is(err, ErrIncomplete) {
		t.Fatalf("Batches = %v, want ErrIncomplete", err)
	}
	if err := d.Insert(shreds[shred.DataPerSet+5]); err != nil {
		t.Fatal(err)
	}
	if !d.Complete() {
		t.Fatal("32 shreds of set 0 did not complete the slot")
	}
}

func TestDeshredRejectsAndCountsBadShreds(t *testing.T) {
	const slot = 50
	payload := bytes.Repeat([]byte("gnomon"), 1000)
	good := shredSlot(t, testLeader, SlotHeader{Slot: slot, Parent: 49}, payload)
	mutate := func(i int, change func(b []byte)) []byte {
		b := bytes.Clone(good[i])
		change(b)
		return b
	}
	forged := shredSlot(t, otherKey, SlotHeader{Slot: slot, Parent: 49}, payload)
	otherSlot := shredSlot(t, testLeader, SlotHeader{Slot: slot + 1, Parent: 49}, payload)
	var otherVersion [][]byte
	{
		s, _ := NewShredder(testLeader, testVersion+1)
		out, _ := s.Shred(SlotHeader{Slot: slot, Parent: 49}, payload)
		otherVersion = [][]byte{bytes.Clone(out[0])}
	}

	d := newTestDeshredder(t, slot)
	want := DeshredStats{}
	check := func(name string, b []byte, class error, counter *uint64) {
		t.Helper()
		err := d.Insert(b)
		if !errors.Is(err, class) {
			t.Fatalf("%s: Insert = %v, want %v", name, err, class)
		}
		want.Received++
		*counter++
	}
	// Before any set is known: forgery and garbage.
	check("forged by another key", forged[0], ErrBadSignature, &want.BadSignature)
	check("signature flipped", mutate(1, func(b []byte) { b[0] ^= 1 }), ErrBadSignature, &want.BadSignature)
	check("garbage", []byte("not a shred"), shred.ErrMalformed, &want.Malformed)
	check("wrong slot", otherSlot[0], ErrWrongSlot, &want.WrongSlot)
	check("wrong version", otherVersion[0], ErrWrongVersion, &want.WrongVersion)
	check("malformed header", mutate(2, func(b []byte) { b[64] = 0x11 }), shred.ErrMalformed, &want.Malformed)
	// Fix the set's root with a real shred, then tamper with real shreds.
	check("first good shred", good[0], nil, &want.Accepted)
	want.SignatureChecks = 3 // forged, flipped, first good
	check("tampered payload", mutate(3, func(b []byte) { b[shred.DataHeaderSize+1] ^= 0x80 }), ErrBadProof, &want.BadProof)
	check("wrong proof", mutate(4, func(b []byte) { copy(shred.ProofBytes(b), shred.ProofBytes(good[5])) }), ErrBadProof, &want.BadProof)
	check("coding parity changed", mutate(40, func(b []byte) { b[200] ^= 1 }), ErrBadProof, &want.BadProof)
	check("forged into known set", forged[6], ErrBadSignature, &want.BadSignature)
	check("duplicate", good[0], ErrDuplicateShred, &want.Duplicate)
	want.SignatureChecks++ // only the forgery; tampered copies of real shreds cost no check

	if got := d.Stats(); got != want {
		t.Fatalf("stats\n got %+v\nwant %+v", got, want)
	}
	// None of that got in the way: the real shreds still complete the slot.
	for _, b := range good[1:32] {
		if err := d.Insert(b); err != nil {
			t.Fatal(err)
		}
	}
	got, err := d.Batches()
	if err != nil || !equalBatches(got, [][]byte{payload}) {
		t.Fatalf("Batches after rejections: %v", err)
	}
	if len(d.DuplicateProofs()) != 0 {
		t.Fatal("forgeries produced a duplicate proof")
	}
}

func TestDeshredKeepsProofOfEquivocation(t *testing.T) {
	const slot = 9
	a := shredSlot(t, testLeader, SlotHeader{Slot: slot, Parent: 8}, []byte("block A"))
	b := shredSlot(t, testLeader, SlotHeader{Slot: slot, Parent: 8}, []byte("block B"))
	d := newTestDeshredder(t, slot)
	for _, s := range a[:10] {
		if err := d.Insert(s); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Insert(b[0]); !errors.Is(err, ErrDuplicateBlock) {
		t.Fatalf("conflicting shred: %v, want ErrDuplicateBlock", err)
	}
	proofs := d.DuplicateProofs()
	if len(proofs) != 1 {
		t.Fatalf("%d proofs", len(proofs))
	}
	p := proofs[0]
	if p.Kind != DuplicateRoot || p.Slot != slot || !bytes.Equal(p.First, a[0]) || !bytes.Equal(p.Second, b[0]) {
		t.Fatalf("proof %v: wrong shreds", p.Kind)
	}
	checkProofHolds(t, p)
	if st := d.Stats(); st.Conflicting != 1 || st.DuplicateProofs != 1 || st.Accepted != 10 {
		t.Fatalf("stats %+v", st)
	}
	// The first version stays the one being assembled.
	for _, s := range a[10:32] {
		if err := d.Insert(s); err != nil {
			t.Fatal(err)
		}
	}
	got, err := d.Batches()
	if err != nil || !equalBatches(got, [][]byte{[]byte("block A")}) {
		t.Fatalf("Batches = %q, %v", got, err)
	}
}

func TestDeshredKeepsProofOfConflictingLastIndex(t *testing.T) {
	const slot = 9
	short := shredSlot(t, testLeader, SlotHeader{Slot: slot, Parent: 8}, []byte("short"))
	long := shredSlot(t, testLeader, SlotHeader{Slot: slot, Parent: 8}, make([]byte, 40*shred.DataCapacity))
	d := newTestDeshredder(t, slot)
	if err := d.Insert(short[31]); err != nil { // LAST_IN_SLOT at 31
		t.Fatal(err)
	}
	if err := d.Insert(long[shred.SetSize+3]); !errors.Is(err, ErrDuplicateBlock) { // data index 35, other set
		t.Fatalf("data past LAST_IN_SLOT: %v, want ErrDuplicateBlock", err)
	}
	p := d.DuplicateProofs()[0]
	if p.Kind != DuplicateLastIndex || !bytes.Equal(p.First, short[31]) || !bytes.Equal(p.Second, long[shred.SetSize+3]) {
		t.Fatalf("proof %v", p.Kind)
	}
	checkProofHolds(t, p)
}

func TestDeshredKeepsProofOfConflictingParent(t *testing.T) {
	a := shredSlot(t, testLeader, SlotHeader{Slot: 9, Parent: 8}, make([]byte, 40*shred.DataCapacity))
	b := shredSlot(t, testLeader, SlotHeader{Slot: 9, Parent: 7}, make([]byte, 40*shred.DataCapacity))
	d := newTestDeshredder(t, 9)
	if err := d.Insert(a[0]); err != nil {
		t.Fatal(err)
	}
	if err := d.Insert(b[shred.SetSize]); !errors.Is(err, ErrDuplicateBlock) {
		t.Fatalf("other parent: %v", err)
	}
	if p := d.DuplicateProofs()[0]; p.Kind != DuplicateParent {
		t.Fatalf("proof %v", p.Kind)
	}
}

// checkProofHolds checks a proof the way a peer given it would: both shreds
// parse, are for one slot, are signed by the leader, and differ.
func checkProofHolds(t *testing.T, p DuplicateProof) {
	t.Helper()
	x, err1 := shred.Parse(p.First)
	y, err2 := shred.Parse(p.Second)
	if err1 != nil || err2 != nil {
		t.Fatalf("proof shreds do not parse: %v %v", err1, err2)
	}
	if x.Slot() != p.Slot || y.Slot() != p.Slot || bytes.Equal(p.First, p.Second) {
		t.Fatal("proof shreds not two different shreds of the slot")
	}
	if !x.VerifySignature(testLeader.Pubkey()) || !y.VerifySignature(testLeader.Pubkey()) {
		t.Fatal("proof shreds not both signed by the leader")
	}
}

func TestDeshredRefusesRecoveryFromParityTheLeaderForged(t *testing.T) {
	// A leader can sign parity that is not the erasure code of its data: here
	// the code of a set whose data shred 5 has one payload byte changed.
	// Recovering shred 5 from it gives a well-formed shred the leader never
	// put in the signed tree, which must not be used.
	data := bytes.Repeat([]byte{9}, 10*shred.DataCapacity)
	shreds := shredSlot(t, testLeader, SlotHeader{Slot: 4, Parent: 3}, data)
	altered := bytes.Clone(shreds[5])
	altered[shred.DataHeaderSize+100] ^= 0xff
	shards := make([][]byte, shred.SetSize)
	for i, b := range shreds {
		shards[i] = shred.ErasureShard(b)
	}
	shards[5] = shred.ErasureShard(altered)
	coder, err := newErasureCoder()
	if err != nil {
		t.Fatal(err)
	}
	if err := coder.Encode(shards); err != nil {
		t.Fatal(err)
	}
	resign(testLeader, shreds)

	d := newTestDeshredder(t, 4)
	for i, b := range shreds[:shred.DataPerSet+1] {
		if i == 5 {
			continue
		}
		if err := d.Insert(b); err != nil {
			t.Fatal(err)
		}
	}
	if st := d.Stats(); st.RecoveryFailed != 1 || st.Recovered != 0 || d.Complete() {
		t.Fatalf("stats %+v complete %v", st, d.Complete())
	}
	// The real shred 5, sent again (by repair, say), completes the slot.
	if err := d.Insert(shreds[5]); err != nil {
		t.Fatal(err)
	}
	got, err := d.Batches()
	if err != nil || !equalBatches(got, [][]byte{data}) {
		t.Fatalf("Batches: %v", err)
	}
}

func TestDeshredDecodesPohEntries(t *testing.T) {
	var batches [][]byte
	var want []poh.Entry
	for i := range 5 {
		var entries []poh.Entry
		for j := range 30 {
			entries = append(entries, poh.Entry{NumHashes: uint64(1000 + j), Hash: sdk.Hash{byte(i), byte(j)}})
		}
		b, err := poh.EncodeEntries(entries)
		if err != nil {
			t.Fatal(err)
		}
		batches = append(batches, b)
		want = append(want, entries...)
	}
	shreds := shredSlot(t, testLeader, SlotHeader{Slot: 12, Parent: 11, ReferenceTick: 10}, batches...)
	d := newTestDeshredder(t, 12)
	for _, b := range keepHalf(rand.New(rand.NewPCG(3, 3)), shreds) {
		if err := d.Insert(b); err != nil {
			t.Fatal(err)
		}
	}
	got, err := d.Entries()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d entries, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].NumHashes != want[i].NumHashes || got[i].Hash != want[i].Hash || len(got[i].Transactions) != 0 {
			t.Fatalf("entry %d differs", i)
		}
	}
}

func TestDeshredRejectsEveryOneByteChange(t *testing.T) {
	shreds := shredSlot(t, testLeader, SlotHeader{Slot: 30, Parent: 29}, bytes.Repeat([]byte{3}, 3000))
	d := newTestDeshredder(t, 30)
	if err := d.Insert(shreds[0]); err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{1, shred.DataPerSet - 1, shred.DataPerSet, shred.SetSize - 1} {
		for off := range shreds[i] {
			b := bytes.Clone(shreds[i])
			b[off] ^= 0x10
			if err := d.Insert(b); err == nil || errors.Is(err, ErrDuplicateShred) || errors.Is(err, ErrDuplicateBlock) {
				t.Fatalf("shred %d with byte %d changed: Insert = %v", i, off, err)
			}
		}
	}
	if st := d.Stats(); st.Accepted != 1 || len(d.DuplicateProofs()) != 0 {
		t.Fatalf("stats %+v", st)
	}
}
