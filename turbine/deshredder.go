package turbine

// How the Deshredder decides what to keep.
//
// A shred is worth keeping only if the leader signed it, and the leader signs
// one thing per FEC set: the Merkle root of the set's 64 shreds. So for every
// shred the Deshredder recomputes the root from the shred's leaf and proof,
// and checks the signature over that root. The first shred of a set that
// passes fixes the set's root and signature; later shreds whose leaf and proof
// lead to the same root, carrying the same signature bytes, are authentic
// without another ed25519 check, which is what makes verification cost one
// signature per set rather than per shred. A shred that carries the set's
// signature but leads to another root is a tampered copy of a real shred (a
// bad proof), also without a check. Any other shred must pass its own
// signature check: if it fails, it is a forgery; if it passes and leads to
// another root, the leader signed two different sets for one position, and
// both shreds go into a DuplicateProof.
//
// Once any 32 of a set's shreds are in and a data shred is still missing,
// Reed–Solomon rebuilds all the missing ones, coding shreds included (the
// ledger and retransmit want whole sets).
// Reed–Solomon trusts its input and checks nothing, and the leader could
// have signed parity that is not the code of its data, so the rebuilt set is
// accepted only if its Merkle tree, recomputed over all 64 shreds, has the
// signed root. Then the recovered shreds get the set's signature and their
// proofs, and are byte for byte the shreds the leader sent.
//
// Memory is bounded by shred.MaxDataShredsPerSlot: at most 1,024 sets of
// 64 shreds, about 78 MB for a full slot, and a set's storage is allocated
// only after a shred of it has passed the signature check, so garbage costs
// CPU (one signature check each, the price of not trusting the sender) but
// no memory.

import (
	"bytes"
	"fmt"
	"math/bits"

	"github.com/klauspost/reedsolomon"

	"github.com/gnomon-chain/gnomon/internal/shred"
	"github.com/gnomon-chain/gnomon/poh"
	"github.com/gnomon-chain/gnomon/sdk"
)

// DeshredStats counts what happened to the shreds given to a Deshredder.
// Every Insert adds one to Received and one to exactly one of Accepted,
// Duplicate, Malformed, WrongSlot, WrongVersion, BadSignature, BadProof or
// Conflicting.
type DeshredStats struct {
	Received     uint64 // Insert calls
	Accepted     uint64 // new shreds kept, including signed ones that contradict another on LAST_IN_SLOT or parent (a proof is recorded)
	Duplicate    uint64 // copies of shreds already held
	Malformed    uint64 // failed shred.Parse
	WrongSlot    uint64
	WrongVersion uint64
	BadSignature uint64 // not signed by the leader
	BadProof     uint64 // the leader's signature, but bytes or proof changed
	Conflicting  uint64 // signed by the leader, but another signed root holds the position

	DuplicateProofs uint64 // conflicts found, received or recovered; up to maxDuplicateProofs are kept
	Recovered       uint64 // shreds rebuilt by Reed–Solomon
	RecoveryFailed  uint64 // sets whose rebuilt shreds did not give the signed root or did not parse
	SignatureChecks uint64 // ed25519 verifications done
}

// DuplicateKind says what two conflicting shreds prove.
type DuplicateKind uint8

const (
	// DuplicateRoot: two shreds of one FEC set (the same (slot, index, type)
	// when both were received at that position) lead to different signed
	// roots. An honest leader signs one root per set.
	DuplicateRoot DuplicateKind = iota + 1
	// DuplicateLastIndex: First is marked LAST_IN_SLOT, and Second is a data
	// shred of the same slot with a higher index or another LAST_IN_SLOT.
	DuplicateLastIndex
	// DuplicateParent: two data shreds of the slot name different parents.
	DuplicateParent
)

func (k DuplicateKind) String() string {
	switch k {
	case DuplicateRoot:
		return "root"
	case DuplicateLastIndex:
		return "last-index"
	case DuplicateParent:
		return "parent"
	}
	return fmt.Sprintf("DuplicateKind(%d)", uint8(k))
}

// DuplicateProof is evidence that the slot's leader produced two blocks: two
// shreds, both validly signed, that cannot belong to one block. First and
// Second are private copies of their full byte forms (with signature and
// proof), so anyone holding the leader's key can check the proof alone.
type DuplicateProof struct {
	Slot   uint64
	Kind   DuplicateKind
	First  []byte
	Second []byte
}

// maxDuplicateProofs bounds the proofs kept per slot: one suffices to
// convict the leader, a few help debugging, and an equivocating leader must
// not be able to make us store every shred twice.
const maxDuplicateProofs = 8

// Deshredder collects one slot's shreds from one leader and reassembles the
// slot's entry batches. It is a pure core: no clock, no goroutines, no I/O.
// It is not safe for concurrent use.
type Deshredder struct {
	slot    uint64
	leader  sdk.Pubkey
	version uint16
	rs      reedsolomon.Encoder

	sets map[uint32]*fecSet // by fec_set_index

	// Slot-level facts, fixed by the first shred that states them.
	parentOffset int32 // -1 until a data shred is held
	parentShred  []byte
	lastIndex    int64 // -1 until LAST_IN_SLOT is held
	lastShred    []byte
	maxData      int64 // highest data index held, -1 if none
	maxShred     []byte
	dataBelow    int64 // data shreds held with index <= lastIndex

	proofs []DuplicateProof
	stats  DeshredStats
	shards [][]byte
	tree   shred.Tree
}

// fecSet holds one FEC set's shreds in fixed places of one slab: the 32
// data shreds by index, then the 32 coding shreds by position.
type fecSet struct {
	root   shred.Node
	sig    sdk.Signature
	slab   []byte
	leaves [shred.SetSize]shred.Node
	have   uint64 // bit i: leaf i is held
	failed bool   // recovery did not reproduce the signed root; wait for real shreds
}

func (f *fecSet) shredBytes(leaf int) []byte {
	if leaf < shred.DataPerSet {
		o := leaf * shred.DataSize
		return f.slab[o : o+shred.DataSize : o+shred.DataSize]
	}
	o := shred.DataPerSet*shred.DataSize + (leaf-shred.DataPerSet)*shred.CodingSize
	return f.slab[o : o+shred.CodingSize : o+shred.CodingSize]
}

func (f *fecSet) held(leaf int) bool { return f.have&(1<<leaf) != 0 }

// NewDeshredder returns a Deshredder for slot, whose shreds must be signed by
// leader and carry the cluster's shred version.
func NewDeshredder(slot uint64, leader sdk.Pubkey, version uint16) (*Deshredder, error) {
	rs, err := newErasureCoder()
	if err != nil {
		return nil, fmt.Errorf("new deshredder slot %d: %w", slot, err)
	}
	return &Deshredder{
		slot: slot, leader: leader, version: version, rs: rs,
		sets:         make(map[uint32]*fecSet),
		parentOffset: -1, lastIndex: -1, maxData: -1,
		shards: make([][]byte, shred.SetSize),
	}, nil
}

// Insert offers one shred. It returns nil if the shred was new and kept, and
// otherwise an error of one of the classes in errors.go (shred.ErrMalformed
// for bytes that do not parse; ErrDuplicateShred, which is no fault, for a
// copy). ErrDuplicateBlock means the leader signed it and something
// conflicting: a shred whose set already has another signed root is dropped,
// one that only contradicts the slot's LAST_IN_SLOT or parent is kept (its
// set needs it); either way a DuplicateProof is recorded. b is copied if
// kept; the caller may reuse it.
func (d *Deshredder) Insert(b []byte) error {
	d.stats.Received++
	s, err := shred.Parse(b)
	if err != nil {
		d.stats.Malformed++
		return fmt.Errorf("deshred slot %d: %w", d.slot, err)
	}
	if s.Slot() != d.slot {
		d.stats.WrongSlot++
		return fmt.Errorf("deshred slot %d: %w: shred is for slot %d", d.slot, ErrWrongSlot, s.Slot())
	}
	if s.Version() != d.version {
		d.stats.WrongVersion++
		return fmt.Errorf("deshred slot %d: %w: %d, want %d", d.slot, ErrWrongVersion, s.Version(), d.version)
	}
	fec, li := s.FECSetIndex(), s.LeafIndex()
	set := d.sets[fec]
	// A byte-identical copy of a held shred is authentic; most duplicates are
	// caught here, before any hashing.
	if set != nil && set.held(li) && bytes.Equal(set.shredBytes(li), b) {
		d.stats.Duplicate++
		return fmt.Errorf("deshred slot %d index %d: %w", d.slot, s.Index(), ErrDuplicateShred)
	}
	leaf := s.Leaf()
	root := shred.RootFromProof(leaf, li, s.Proof())
	sig := s.Signature()
	switch {
	case set != nil && sig == set.sig && root != set.root:
		// The set's own signature over another root: the bytes or the proof
		// were changed. No check needed: one ed25519 signature valid for two
		// messages would take a SHA-512 collision modulo the group order.
		// This keeps replayed signatures on garbage as cheap as a hash.
		d.stats.BadProof++
		return fmt.Errorf("deshred slot %d index %d: %w", d.slot, s.Index(), ErrBadProof)
	case set == nil || root != set.root || sig != set.sig:
		msg := shred.RootMessage(root)
		d.stats.SignatureChecks++
		if !sdk.Verify(d.leader, msg[:], sig) {
			d.stats.BadSignature++
			return fmt.Errorf("deshred slot %d index %d: %w", d.slot, s.Index(), ErrBadSignature)
		}
	}
	if set == nil {
		set = &fecSet{root: root, sig: sig, slab: make([]byte, setBytes)}
		d.sets[fec] = set
	}
	if root != set.root {
		d.stats.Conflicting++
		other := li
		if !set.held(other) {
			other = bits.TrailingZeros64(set.have)
		}
		d.addProof(DuplicateRoot, set.shredBytes(other), b)
		return fmt.Errorf("deshred slot %d index %d: %w: set %d has another signed root", d.slot, s.Index(), ErrDuplicateBlock, fec)
	}
	if set.held(li) {
		// Same root, so the same content; only the signature bytes differ
		// (a leader may sign one root twice). Not a conflict.
		d.stats.Duplicate++
		return fmt.Errorf("deshred slot %d index %d: %w", d.slot, s.Index(), ErrDuplicateShred)
	}
	d.stats.Accepted++
	copy(set.shredBytes(li), b)
	set.leaves[li] = leaf
	set.have |= 1 << li
	var conflict error
	if s.IsData() {
		conflict = d.noteData(set, li)
	}
	// Recover only when a data shred is missing: with all 32 in, rebuilding
	// parity would cost a Reed–Solomon pass and 32 leaf hashes for nothing
	// the slot needs.
	if uint32(set.have) != ^uint32(0) && bits.OnesCount64(set.have) >= shred.DataPerSet && !set.failed {
		d.recover(fec, set)
	}
	if conflict != nil {
		return fmt.Errorf("deshred slot %d index %d: %w", d.slot, s.Index(), conflict)
	}
	return nil
}

// noteData updates the slot-level facts with the newly held data shred at
// leaf li of set, and records a proof if it contradicts them. The shred is
// kept either way: it is the leader's, and its set needs it.
func (d *Deshredder) noteData(set *fecSet, li int) error {
	b := set.shredBytes(li)
	s, err := shred.Parse(b)
	if err != nil {
		// Held shreds parsed on arrival or after recovery; this is a bug.
		panic(fmt.Sprintf("turbine: held shred no longer parses: %v", err))
	}
	index := int64(s.Index())
	var conflict error
	switch po := int32(s.ParentOffset()); {
	case d.parentOffset < 0:
		d.parentOffset, d.parentShred = po, b
	case po != d.parentOffset:
		conflict = d.addProof(DuplicateParent, d.parentShred, b)
	}
	if s.LastInSlot() {
		switch {
		case d.lastIndex >= 0: // another LAST_IN_SLOT: index differs, or it would be held
			conflict = d.addProof(DuplicateLastIndex, d.lastShred, b)
		case d.maxData > index:
			conflict = d.addProof(DuplicateLastIndex, b, d.maxShred)
		default:
			d.lastIndex, d.lastShred = index, b
			d.dataBelow = 0
			for fec, st := range d.sets {
				if int64(fec) <= index {
					d.dataBelow += int64(bits.OnesCount32(uint32(st.have)))
				}
			}
			return conflict
		}
	}
	if d.lastIndex >= 0 {
		if index > d.lastIndex {
			conflict = d.addProof(DuplicateLastIndex, d.lastShred, b)
		} else {
			d.dataBelow++
		}
	}
	if index > d.maxData {
		d.maxData, d.maxShred = index, b
	}
	return conflict
}

// addProof records a conflict between two shreds the leader signed and
// returns the error class for it.
func (d *Deshredder) addProof(kind DuplicateKind, first, second []byte) error {
	d.stats.DuplicateProofs++
	if len(d.proofs) < maxDuplicateProofs {
		d.proofs = append(d.proofs, DuplicateProof{
			Slot: d.slot, Kind: kind, First: bytes.Clone(first), Second: bytes.Clone(second),
		})
	}
	return ErrDuplicateBlock
}

// recover rebuilds the missing shreds of set from the 32 or more held, and
// keeps them only if the whole set then has the signed root.
func (d *Deshredder) recover(fec uint32, set *fecSet) {
	missing := ^set.have
	for i := range shred.SetSize {
		b := set.shredBytes(i)
		shard := shred.ErasureShard(b)
		if missing&(1<<i) != 0 {
			shard = shard[:0:len(shard)] // empty, with room: Reconstruct writes in place
		}
		d.shards[i] = shard
	}
	if err := d.rs.Reconstruct(d.shards); err != nil {
		// Cannot happen with 32 shards of the right length; treat as a
		// failed set rather than trust anything.
		set.failed = true
		d.stats.RecoveryFailed++
		return
	}
	c := shred.Common{Slot: d.slot, Version: d.version, FECSetIndex: fec}
	for i := range shred.SetSize {
		if missing&(1<<i) == 0 {
			d.tree.SetLeaf(i, set.leaves[i])
			continue
		}
		b := set.shredBytes(i)
		if i >= shred.DataPerSet {
			pos := i - shred.DataPerSet
			c.Index = fec + uint32(pos)
			shred.PutCoding(b, c, shred.CodingHeader{
				NumData: shred.DataPerSet, NumCoding: shred.CodingPerSet, Position: uint16(pos),
			})
		}
		shred.PutSignature(b, set.sig)
		set.leaves[i] = shred.Leaf(b)
		d.tree.SetLeaf(i, set.leaves[i])
	}
	if d.tree.Build() != set.root {
		set.failed = true
		d.stats.RecoveryFailed++
		return
	}
	// The leader signed these bytes, but a leader may sign anything: each
	// recovered shred must still be a well-formed shred of this set.
	for i := range shred.SetSize {
		if missing&(1<<i) == 0 {
			continue
		}
		b := set.shredBytes(i)
		d.tree.WriteProof(i, shred.ProofBytes(b))
		s, err := shred.Parse(b)
		if err != nil || s.Slot() != d.slot || s.Version() != d.version ||
			s.FECSetIndex() != fec || s.LeafIndex() != i {
			set.failed = true
			d.stats.RecoveryFailed++
			return
		}
	}
	set.have = ^uint64(0)
	for i := range shred.DataPerSet {
		if missing&(1<<i) != 0 {
			d.stats.Recovered++
			// A conflict is recorded as a proof; the shred stays, as in Insert.
			_ = d.noteData(set, i)
		}
	}
	d.stats.Recovered += uint64(bits.OnesCount64(missing >> shred.DataPerSet))
}

// Slot returns the slot this Deshredder collects.
func (d *Deshredder) Slot() uint64 { return d.slot }

// Parent returns the parent slot that the first data shred held names, and
// whether one is held.
func (d *Deshredder) Parent() (uint64, bool) {
	if d.parentOffset < 0 {
		return 0, false
	}
	return d.slot - uint64(d.parentOffset), true
}

// Complete reports whether every data shred from 0 to the one marked
// LAST_IN_SLOT is held, received or recovered.
func (d *Deshredder) Complete() bool {
	return d.lastIndex >= 0 && d.dataBelow == d.lastIndex+1
}

// Stats returns the counters so far.
func (d *Deshredder) Stats() DeshredStats { return d.stats }

// DuplicateProofs returns the proofs of leader equivocation found, at most
// maxDuplicateProofs of them. Callers must not modify them.
func (d *Deshredder) DuplicateProofs() []DuplicateProof { return d.proofs }

// Batches returns the slot's entry batches, in order, once Complete: the
// data shreds' payloads from index 0 to LAST_IN_SLOT, cut after each shred
// marked DATA_COMPLETE, empty batches (padding) left out. The batches share
// one new buffer that the caller owns.
func (d *Deshredder) Batches() ([][]byte, error) {
	if !d.Complete() {
		return nil, fmt.Errorf("deshred slot %d: %w", d.slot, ErrIncomplete)
	}
	n := 0
	for i := int64(0); i <= d.lastIndex; i++ {
		n += len(d.dataShred(i).Payload())
	}
	buf := make([]byte, 0, n)
	var batches [][]byte
	start := 0
	for i := int64(0); i <= d.lastIndex; i++ {
		s := d.dataShred(i)
		buf = append(buf, s.Payload()...)
		if s.DataComplete() {
			if len(buf) > start {
				batches = append(batches, buf[start:len(buf):len(buf)])
			}
			start = len(buf)
		}
	}
	// The last shred is LAST_IN_SLOT and so DATA_COMPLETE: nothing is left over.
	return batches, nil
}

// dataShred returns the held data shred at index i, which must be held.
func (d *Deshredder) dataShred(i int64) shred.Shred {
	set := d.sets[uint32(i-i%shred.DataPerSet)]
	s, err := shred.Parse(set.shredBytes(int(i % shred.DataPerSet)))
	if err != nil {
		panic(fmt.Sprintf("turbine: held shred no longer parses: %v", err))
	}
	return s
}

// Entries returns the slot's entries: each batch decoded with
// poh.DecodeEntries, concatenated.
func (d *Deshredder) Entries() ([]poh.Entry, error) {
	batches, err := d.Batches()
	if err != nil {
		return nil, err
	}
	var entries []poh.Entry
	for i, b := range batches {
		e, err := poh.DecodeEntries(b)
		if err != nil {
			return nil, fmt.Errorf("deshred slot %d batch %d: %w", d.slot, i, err)
		}
		entries = append(entries, e...)
	}
	return entries, nil
}
