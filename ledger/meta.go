package ledger

import (
	"fmt"
	"slices"

	"github.com/cockroachdb/pebble/v2"

	"github.com/gnomon-chain/gnomon/sdk"
)

// SlotMeta is what the blockstore knows about one slot. It is rewritten in
// the same batch as the shreds that change it, so it never claims a shred
// that is not stored.
type SlotMeta struct {
	Slot       uint64
	ParentSlot uint64
	// HasParent is false only for a meta made before any shred arrived.
	HasParent bool
	// Received is the highest data shred index received plus one (Solana's
	// meaning: how far the slot reaches, not how many shreds are present).
	Received uint32
	// CodingReceived counts the distinct coding shreds stored.
	CodingReceived uint32
	// Consumed is the number of contiguous data shreds stored from index 0.
	Consumed uint32
	// LastIndex is the index of the data shred flagged LAST_IN_SLOT.
	LastIndex    uint32
	HasLastIndex bool
	// Dead marks a slot whose block failed replay.
	Dead bool
	// BankHash is the frozen bank's hash, once replayed.
	BankHash    sdk.Hash
	HasBankHash bool
	// BlockTime is the block's Unix time in seconds.
	BlockTime    int64
	HasBlockTime bool
	// BlockHeight is the number of blocks beneath this one.
	BlockHeight    uint64
	HasBlockHeight bool
	// DataCompleteIndexes are the received data shred indexes flagged
	// DATA_COMPLETE (the end of an entry batch), ascending.
	DataCompleteIndexes []uint32
}

// IsFull reports whether every data shred up to the last one is stored.
func (m *SlotMeta) IsFull() bool { return m.HasLastIndex && m.Consumed > m.LastIndex }

// DataRange is an inclusive range of a slot's data shred indexes that
// together carry whole entries.
type DataRange struct {
	Slot       uint64
	Start, End uint32
}

// CompletedRanges lists the entry batches whose shreds are all stored: the
// ranges between DATA_COMPLETE boundaries that lie below Consumed.
func (m *SlotMeta) CompletedRanges() []DataRange {
	return m.completedBetween(0, m.Consumed)
}

// completedBetween lists completed ranges whose end lies in [from, to).
func (m *SlotMeta) completedBetween(from, to uint32) []DataRange {
	var out []DataRange
	start := uint32(0)
	for _, end := range m.DataCompleteIndexes {
		if end >= to {
			break
		}
		if end >= from {
			out = append(out, DataRange{Slot: m.Slot, Start: start, End: end})
		}
		start = end + 1
	}
	return out
}

func (m *SlotMeta) addDataComplete(i uint32) {
	pos, found := slices.BinarySearch(m.DataCompleteIndexes, i)
	if !found {
		m.DataCompleteIndexes = slices.Insert(m.DataCompleteIndexes, pos, i)
	}
}

const (
	metaHasParent = 1 << iota
	metaHasLastIndex
	metaDead
	metaHasBankHash
	metaHasBlockTime
	metaHasBlockHeight
)

const metaFields = 11

func encodeSlotMeta(m *SlotMeta) []byte {
	e := newEncoder()
	defer e.release()
	var flags uint64
	set := func(b bool, f uint64) {
		if b {
			flags |= f
		}
	}
	set(m.HasParent, metaHasParent)
	set(m.HasLastIndex, metaHasLastIndex)
	set(m.Dead, metaDead)
	set(m.HasBankHash, metaHasBankHash)
	set(m.HasBlockTime, metaHasBlockTime)
	set(m.HasBlockHeight, metaHasBlockHeight)
	v := e.list()
	v.Set(e.uint(m.Slot))
	v.Set(e.uint(m.ParentSlot))
	v.Set(e.uint(flags))
	v.Set(e.uint(uint64(m.Received)))
	v.Set(e.uint(uint64(m.CodingReceived)))
	v.Set(e.uint(uint64(m.Consumed)))
	v.Set(e.uint(uint64(m.LastIndex)))
	if m.HasBankHash {
		v.Set(e.bytes(m.BankHash[:]))
	} else {
		v.Set(e.bytes(nil))
	}
	v.Set(e.uint(uint64(m.BlockTime)))
	v.Set(e.uint(m.BlockHeight))
	dc := e.list()
	for _, i := range m.DataCompleteIndexes {
		dc.Set(e.uint(uint64(i)))
	}
	v.Set(dc)
	return v.MarshalTo(nil)
}

func decodeSlotMeta(b []byte) (SlotMeta, error) {
	p := parsers.Get()
	defer parsers.Put(p)
	f := parseList(p, b, metaFields)
	var m SlotMeta
	m.Slot = f.u64(0)
	m.ParentSlot = f.u64(1)
	flags := f.u64(2)
	m.HasParent = flags&metaHasParent != 0
	m.HasLastIndex = flags&metaHasLastIndex != 0
	m.Dead = flags&metaDead != 0
	m.HasBankHash = flags&metaHasBankHash != 0
	m.HasBlockTime = flags&metaHasBlockTime != 0
	m.HasBlockHeight = flags&metaHasBlockHeight != 0
	m.Received = f.u32(3)
	m.CodingReceived = f.u32(4)
	m.Consumed = f.u32(5)
	m.LastIndex = f.u32(6)
	if m.HasBankHash {
		f.fixed(7, m.BankHash[:])
	}
	m.BlockTime = int64(f.u64(8))
	m.BlockHeight = f.u64(9)
	dc := f.list(10, 0)
	for i := 0; f.err == nil && i < dc.len(); i++ {
		m.DataCompleteIndexes = append(m.DataCompleteIndexes, dc.u32(i))
		if dc.err != nil {
			f.err = dc.err
		}
	}
	if f.err != nil {
		return SlotMeta{}, f.err
	}
	return m, nil
}

// SetGenesisBankHash records slot 0's bank hash, durably. Slot 0 has no
// block, so it has no slot metadata to hold it; a restarting node reads it
// here instead of rebuilding the genesis bank from every genesis account.
func (l *Ledger) SetGenesisBankHash(h sdk.Hash) error {
	b := l.db.NewBatch()
	if err := b.Set(genesisBankKey, h[:], nil); err != nil {
		_ = b.Close()
		return fmt.Errorf("set genesis bank hash: %w", err)
	}
	return l.commit(b, pebble.Sync, "set genesis bank hash")
}

// GenesisBankHash returns what SetGenesisBankHash recorded; ok is false if
// nothing was.
func (l *Ledger) GenesisBankHash() (h sdk.Hash, ok bool, err error) {
	v, err := l.get(genesisBankKey)
	if err != nil {
		return h, false, fmt.Errorf("read genesis bank hash: %w", err)
	}
	if v == nil {
		return h, false, nil
	}
	if len(v) != len(h) {
		return h, false, fmt.Errorf("read genesis bank hash: %w: length %d", ErrCorrupt, len(v))
	}
	copy(h[:], v)
	return h, true, nil
}
