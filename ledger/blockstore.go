package ledger

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/cockroachdb/pebble/v2"
	"github.com/gnomon-chain/gnomon/sdk"
)

// ErrShredNotFound: no shred is stored at the slot, index and kind.
var ErrShredNotFound = errors.New("ledger: shred not found")

// ShredRecord is a shred already parsed and verified by the caller. The
// blockstore trusts these fields; it checks only that they agree with what
// the slot already holds.
type ShredRecord struct {
	Slot         uint64
	Index        uint32
	Coding       bool
	FECSetIndex  uint32
	DataComplete bool
	LastInSlot   bool
	// ParentSlot is the slot's parent, from a data shred; coding shreds
	// carry none and leave it zero.
	ParentSlot uint64
	// Payload is the whole shred as received.
	Payload []byte
	// Data is, for a data shred, the entry bytes it carries (usually a
	// slice of Payload, which the blockstore then does not store twice).
	Data []byte
}

// InsertResult says what InsertShreds did with each shred of a batch.
type InsertResult struct {
	// Inserted counts shreds newly stored.
	Inserted int
	// Ignored counts exact copies of stored shreds and shreds of pruned slots.
	Ignored int
	// Duplicates counts shreds whose (slot, index, kind) was taken by
	// different bytes; the first such pair per slot is kept as a proof.
	Duplicates int
	// Rejected counts shreds that contradict their slot's metadata (parent,
	// last index); they are not stored.
	Rejected int
	// Completed lists entry batches whose shreds became all present.
	Completed []DataRange
	// Full lists slots that became full.
	Full []uint64
}

// DuplicateProof is two different shreds for one (slot, index, kind): proof
// that the slot's leader signed two blocks.
type DuplicateProof struct {
	Slot           uint64
	Index          uint32
	Coding         bool
	Shred1, Shred2 []byte
}

// Shred value layout: a fixed header, the payload, then the data when it is
// not a slice of the payload.
const (
	shredValueVersion  = 1
	shredHeaderLen     = 1 + 1 + 4 + 8 + 4 + 4 + 4
	shredFlagCoding    = 1
	shredFlagComplete  = 2
	shredFlagLast      = 4
	shredFlagSeparated = 8
)

func encodeShred(dst []byte, s *ShredRecord) []byte {
	var flags byte
	if s.Coding {
		flags |= shredFlagCoding
	}
	if s.DataComplete {
		flags |= shredFlagComplete
	}
	if s.LastInSlot {
		flags |= shredFlagLast
	}
	off := -1
	if len(s.Data) == 0 {
		off = 0
	} else {
		off = dataOffset(s.Payload, s.Data)
	}
	if off < 0 {
		flags |= shredFlagSeparated
		off = 0
	}
	dst = append(dst, shredValueVersion, flags)
	dst = binary.BigEndian.AppendUint32(dst, s.FECSetIndex)
	dst = binary.BigEndian.AppendUint64(dst, s.ParentSlot)
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(s.Payload)))
	dst = binary.BigEndian.AppendUint32(dst, uint32(off))
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(s.Data)))
	dst = append(dst, s.Payload...)
	if flags&shredFlagSeparated != 0 {
		dst = append(dst, s.Data...)
	}
	return dst
}

// dataOffset finds data inside payload: by pointer when data is a slice of
// payload (the common case, checked without unsafe), else by content.
func dataOffset(payload, data []byte) int {
	if len(data) > len(payload) {
		return -1
	}
	if off := cap(payload) - cap(data); off >= 0 && off <= len(payload)-len(data) &&
		&payload[:cap(payload)][off] == &data[0] {
		return off
	}
	return bytes.Index(payload, data)
}

// decodeShred parses a stored shred value. Payload and Data alias v.
func decodeShred(slot uint64, index uint32, v []byte) (ShredRecord, error) {
	if len(v) < shredHeaderLen || v[0] != shredValueVersion {
		return ShredRecord{}, fmt.Errorf("shred %d/%d: %w: bad header", slot, index, ErrCorrupt)
	}
	flags := v[1]
	s := ShredRecord{
		Slot:         slot,
		Index:        index,
		Coding:       flags&shredFlagCoding != 0,
		DataComplete: flags&shredFlagComplete != 0,
		LastInSlot:   flags&shredFlagLast != 0,
		FECSetIndex:  binary.BigEndian.Uint32(v[2:]),
		ParentSlot:   binary.BigEndian.Uint64(v[6:]),
	}
	plen := uint64(binary.BigEndian.Uint32(v[14:]))
	off := uint64(binary.BigEndian.Uint32(v[18:]))
	dlen := uint64(binary.BigEndian.Uint32(v[22:]))
	body := v[shredHeaderLen:]
	if plen > uint64(len(body)) {
		return ShredRecord{}, fmt.Errorf("shred %d/%d: %w: payload length", slot, index, ErrCorrupt)
	}
	s.Payload = body[:plen:plen]
	rest := body[plen:]
	if flags&shredFlagSeparated != 0 {
		if dlen != uint64(len(rest)) {
			return ShredRecord{}, fmt.Errorf("shred %d/%d: %w: data length", slot, index, ErrCorrupt)
		}
		s.Data = rest
	} else {
		if len(rest) != 0 || off+dlen > plen {
			return ShredRecord{}, fmt.Errorf("shred %d/%d: %w: data bounds", slot, index, ErrCorrupt)
		}
		s.Data = s.Payload[off : off+dlen : off+dlen]
	}
	if dlen == 0 {
		s.Data = nil
	}
	return s, nil
}

// slotUpdate is one slot's metadata while a batch is being built.
type slotUpdate struct {
	meta     SlotMeta
	consumed uint32 // Consumed before this batch
	wasFull  bool
	added    map[uint32]struct{} // data indexes stored by this batch
	proof    bool                // a duplicate proof exists or is in the batch
	changed  bool                // a shred was stored: the meta must be written
}

// InsertShreds stores a batch of shreds and the metadata they change in one
// pebble batch, without fsync: the caller calls Sync before it reports a
// slot processed, so a whole slot's shreds share one fsync.
func (l *Ledger) InsertShreds(shreds []ShredRecord) (InsertResult, error) {
	var res InsertResult
	l.writeMu.Lock()
	defer l.writeMu.Unlock()
	if err := l.usable(); err != nil {
		return res, fmt.Errorf("insert shreds: %w", err)
	}
	b := l.db.NewBatch()
	slots := make(map[uint64]*slotUpdate)
	// pending holds this batch's shreds by key, for duplicates within it.
	pending := make(map[string][]byte, len(shreds))
	var key, val []byte
	for i := range shreds {
		s := &shreds[i]
		if s.Slot < l.pruneFloor {
			res.Ignored++
			continue
		}
		if len(s.Payload) == 0 || (s.Slot > 0 && s.ParentSlot >= s.Slot) || (s.Coding && len(s.Data) > 0) {
			res.Rejected++
			continue
		}
		key = shredKey(key[:0], s.Coding, s.Slot, s.Index)
		up, err := l.slotUpdate(slots, s.Slot)
		if err != nil {
			_ = b.Close()
			return res, fmt.Errorf("insert slot %d: %w", s.Slot, err)
		}
		old, inBatch := pending[string(key)]
		if !inBatch {
			if old, err = l.storedPayload(key); err != nil {
				_ = b.Close()
				return res, fmt.Errorf("insert slot %d index %d: %w", s.Slot, s.Index, err)
			}
		}
		if old != nil {
			if bytes.Equal(old, s.Payload) {
				res.Ignored++
				continue
			}
			res.Duplicates++
			if !up.proof {
				up.proof = true
				p := DuplicateProof{Slot: s.Slot, Index: s.Index, Coding: s.Coding, Shred1: old, Shred2: s.Payload}
				if err := b.Set(slotKey(prefixDuplicate, s.Slot), encodeDuplicateProof(&p), nil); err != nil {
					_ = b.Close()
					return res, fmt.Errorf("insert slot %d: duplicate proof: %w", s.Slot, err)
				}
			}
			continue
		}
		m := &up.meta
		// Only data shreds carry the parent (coding shreds' headers have no
		// room for it), so only they set or contradict it.
		if !s.Coding && ((m.HasParent && m.ParentSlot != s.ParentSlot) || !l.dataShredFits(m, s)) {
			res.Rejected++
			continue
		}
		val = encodeShred(val[:0], s)
		if err := b.Set(key, val, nil); err != nil {
			_ = b.Close()
			return res, fmt.Errorf("insert slot %d index %d: %w", s.Slot, s.Index, err)
		}
		pending[string(key)] = s.Payload
		res.Inserted++
		up.changed = true
		if !m.HasParent && !s.Coding {
			m.ParentSlot, m.HasParent = s.ParentSlot, true
		}
		if s.Coding {
			m.CodingReceived++
			continue
		}
		m.Received = max(m.Received, s.Index+1)
		if s.LastInSlot {
			m.LastIndex, m.HasLastIndex = s.Index, true
		}
		if s.DataComplete || s.LastInSlot {
			m.addDataComplete(s.Index)
		}
		up.added[s.Index] = struct{}{}
	}
	order := make([]uint64, 0, len(slots))
	for slot := range slots {
		order = append(order, slot)
	}
	slices.Sort(order)
	for _, slot := range order {
		up := slots[slot]
		if !up.changed {
			continue
		}
		if err := l.advanceConsumed(up); err != nil {
			_ = b.Close()
			return res, fmt.Errorf("insert slot %d: %w", slot, err)
		}
		m := &up.meta
		res.Completed = append(res.Completed, m.completedBetween(up.consumed, m.Consumed)...)
		if !up.wasFull && m.IsFull() {
			res.Full = append(res.Full, slot)
		}
		if err := b.Set(slotKey(prefixSlotMeta, slot), encodeSlotMeta(m), nil); err != nil {
			_ = b.Close()
			return res, fmt.Errorf("insert slot %d: meta: %w", slot, err)
		}
	}
	if err := l.commit(b, pebble.NoSync, "insert shreds"); err != nil {
		return InsertResult{}, err
	}
	return res, nil
}

// dataShredFits checks a new data shred against the slot's last index: no
// shred may lie past LAST_IN_SLOT, and a second, different LAST_IN_SLOT is
// a contradiction.
func (l *Ledger) dataShredFits(m *SlotMeta, s *ShredRecord) bool {
	if m.HasLastIndex && (s.Index > m.LastIndex || s.LastInSlot && s.Index != m.LastIndex) {
		return false
	}
	return !(s.LastInSlot && s.Index+1 < m.Received)
}

func (l *Ledger) slotUpdate(slots map[uint64]*slotUpdate, slot uint64) (*slotUpdate, error) {
	if up, ok := slots[slot]; ok {
		return up, nil
	}
	up := &slotUpdate{added: make(map[uint32]struct{})}
	m, err := l.SlotMeta(slot)
	switch {
	case errors.Is(err, ErrSlotNotFound):
		m = SlotMeta{Slot: slot}
	case err != nil:
		return nil, err
	}
	up.meta, up.consumed, up.wasFull = m, m.Consumed, m.IsFull()
	if up.proof, err = l.has(slotKey(prefixDuplicate, slot)); err != nil {
		return nil, err
	}
	slots[slot] = up
	return up, nil
}

// advanceConsumed moves Consumed past every contiguous data shred, whether
// stored by this batch or earlier ones (which filled a gap out of order).
func (l *Ledger) advanceConsumed(up *slotUpdate) error {
	m := &up.meta
	var key []byte
	for !m.HasLastIndex || m.Consumed <= m.LastIndex {
		if _, ok := up.added[m.Consumed]; !ok {
			if m.Consumed >= m.Received {
				return nil
			}
			ok, err := l.has(shredKey(key[:0], false, m.Slot, m.Consumed))
			if err != nil {
				return err
			}
			if !ok {
				return nil
			}
		}
		m.Consumed++
	}
	return nil
}

// storedPayload returns the payload stored at key, or nil.
func (l *Ledger) storedPayload(key []byte) ([]byte, error) {
	v, err := l.get(key)
	if err != nil || v == nil {
		return nil, err
	}
	s, err := decodeShred(binary.BigEndian.Uint64(key[1:]), binary.BigEndian.Uint32(key[9:]), v)
	if err != nil {
		return nil, err
	}
	return s.Payload, nil
}

// SlotMeta returns slot's metadata.
func (l *Ledger) SlotMeta(slot uint64) (SlotMeta, error) {
	v, err := l.get(slotKey(prefixSlotMeta, slot))
	if err != nil {
		return SlotMeta{}, fmt.Errorf("slot %d meta: %w", slot, err)
	}
	if v == nil {
		return SlotMeta{}, fmt.Errorf("slot %d: %w", slot, ErrSlotNotFound)
	}
	m, err := decodeSlotMeta(v)
	if err != nil {
		return SlotMeta{}, fmt.Errorf("slot %d meta: %w", slot, err)
	}
	return m, nil
}

// GetShred returns one stored shred.
func (l *Ledger) GetShred(slot uint64, index uint32, coding bool) (ShredRecord, error) {
	v, err := l.get(shredKey(nil, coding, slot, index))
	if err != nil {
		return ShredRecord{}, fmt.Errorf("shred %d/%d: %w", slot, index, err)
	}
	if v == nil {
		return ShredRecord{}, fmt.Errorf("shred %d/%d: %w", slot, index, ErrShredNotFound)
	}
	return decodeShred(slot, index, v)
}

// SlotData returns the concatenated entry bytes of a full slot's data
// shreds, 0 through the last; the caller decodes the entries.
func (l *Ledger) SlotData(slot uint64) ([]byte, error) {
	m, err := l.SlotMeta(slot)
	if err != nil {
		return nil, err
	}
	if !m.IsFull() {
		return nil, fmt.Errorf("slot %d data: %w", slot, ErrSlotNotFull)
	}
	return l.dataBetween(slot, 0, m.LastIndex)
}

// RangeData returns the entry bytes of data shreds r.Start..r.End, which
// must all be stored (a range from InsertResult.Completed or
// SlotMeta.CompletedRanges).
func (l *Ledger) RangeData(r DataRange) ([]byte, error) {
	if r.End < r.Start {
		return nil, fmt.Errorf("slot %d range %d-%d: %w: empty range", r.Slot, r.Start, r.End, ErrShredNotFound)
	}
	return l.dataBetween(r.Slot, r.Start, r.End)
}

func (l *Ledger) dataBetween(slot uint64, start, end uint32) ([]byte, error) {
	lower := shredKey(nil, false, slot, start)
	upper := shredKey(nil, false, slot, end)
	upper = prefixEnd(upper)
	it, err := l.iter(lower, upper)
	if err != nil {
		return nil, fmt.Errorf("slot %d data: %w", slot, err)
	}
	defer it.Close()
	out := make([]byte, 0, int(end-start+1)*1024)
	want := start
	for ok := it.First(); ok; ok = it.Next() {
		k := it.Key()
		idx := binary.BigEndian.Uint32(k[9:])
		if idx != want {
			return nil, fmt.Errorf("slot %d data: shred %d: %w", slot, want, ErrShredNotFound)
		}
		v, err := it.ValueAndErr()
		if err != nil {
			return nil, fmt.Errorf("slot %d data: shred %d: %w", slot, idx, err)
		}
		s, err := decodeShred(slot, idx, v)
		if err != nil {
			return nil, err
		}
		out = append(out, s.Data...)
		want++
	}
	if err := it.Error(); err != nil {
		return nil, fmt.Errorf("slot %d data: %w", slot, err)
	}
	if want != end+1 {
		return nil, fmt.Errorf("slot %d data: shred %d: %w", slot, want, ErrShredNotFound)
	}
	return out, nil
}

// DuplicateProof returns the stored duplicate-slot proof for slot.
func (l *Ledger) DuplicateProof(slot uint64) (DuplicateProof, error) {
	v, err := l.get(slotKey(prefixDuplicate, slot))
	if err != nil {
		return DuplicateProof{}, fmt.Errorf("slot %d duplicate proof: %w", slot, err)
	}
	if v == nil {
		return DuplicateProof{}, fmt.Errorf("slot %d: %w", slot, ErrNoDuplicate)
	}
	p, err := decodeDuplicateProof(v)
	if err != nil {
		return DuplicateProof{}, fmt.Errorf("slot %d duplicate proof: %w", slot, err)
	}
	return p, nil
}

func encodeDuplicateProof(p *DuplicateProof) []byte {
	e := newEncoder()
	defer e.release()
	v := e.list()
	v.Set(e.uint(p.Slot))
	v.Set(e.uint(uint64(p.Index)))
	v.Set(e.bool(p.Coding))
	v.Set(e.bytes(p.Shred1))
	v.Set(e.bytes(p.Shred2))
	return v.MarshalTo(nil)
}

func decodeDuplicateProof(b []byte) (DuplicateProof, error) {
	p := parsers.Get()
	defer parsers.Put(p)
	f := parseList(p, b, 5)
	d := DuplicateProof{Slot: f.u64(0), Index: f.u32(1), Coding: f.flag(2), Shred1: f.bytes(3), Shred2: f.bytes(4)}
	return d, f.err
}

// updateMeta applies fn to an existing slot's metadata in one batch.
func (l *Ledger) updateMeta(slot uint64, what string, fn func(*SlotMeta)) error {
	l.writeMu.Lock()
	defer l.writeMu.Unlock()
	m, err := l.SlotMeta(slot)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	fn(&m)
	b := l.db.NewBatch()
	if err := b.Set(slotKey(prefixSlotMeta, slot), encodeSlotMeta(&m), nil); err != nil {
		_ = b.Close()
		return fmt.Errorf("%s slot %d: %w", what, slot, err)
	}
	return l.commit(b, pebble.NoSync, fmt.Sprintf("%s slot %d", what, slot))
}

// MarkDead marks a slot whose block failed replay, so it is never replayed
// again.
func (l *Ledger) MarkDead(slot uint64) error {
	return l.updateMeta(slot, "mark dead", func(m *SlotMeta) { m.Dead = true })
}

// SetBankHash records the slot's frozen bank hash.
func (l *Ledger) SetBankHash(slot uint64, h sdk.Hash) error {
	return l.updateMeta(slot, "set bank hash", func(m *SlotMeta) { m.BankHash, m.HasBankHash = h, true })
}

// SetBlockTime records the slot's block time in Unix seconds.
func (l *Ledger) SetBlockTime(slot uint64, unix int64) error {
	return l.updateMeta(slot, "set block time", func(m *SlotMeta) { m.BlockTime, m.HasBlockTime = unix, true })
}

// SetBlockHeight records the slot's block height.
func (l *Ledger) SetBlockHeight(slot uint64, h uint64) error {
	return l.updateMeta(slot, "set block height", func(m *SlotMeta) { m.BlockHeight, m.HasBlockHeight = h, true })
}

// SetRoots marks slots rooted, durably (one synced batch).
func (l *Ledger) SetRoots(slots []uint64) error {
	if len(slots) == 0 {
		return nil
	}
	b := l.db.NewBatch()
	for _, s := range slots {
		if err := b.Set(slotKey(prefixRoot, s), nil, nil); err != nil {
			_ = b.Close()
			return fmt.Errorf("set root %d: %w", s, err)
		}
	}
	return l.commit(b, pebble.Sync, fmt.Sprintf("set roots %d..%d", slots[0], slots[len(slots)-1]))
}

// IsRoot reports whether slot was rooted.
func (l *Ledger) IsRoot(slot uint64) (bool, error) {
	if err := l.usable(); err != nil {
		return false, err
	}
	ok, err := l.has(slotKey(prefixRoot, slot))
	if err != nil {
		return false, fmt.Errorf("is root %d: %w", slot, err)
	}
	return ok, nil
}

// LastRoot returns the highest rooted slot, or ErrNoRoot.
func (l *Ledger) LastRoot() (uint64, error) {
	it, err := l.iter([]byte{prefixRoot}, []byte{prefixRoot + 1})
	if err != nil {
		return 0, fmt.Errorf("last root: %w", err)
	}
	defer it.Close()
	if !it.Last() {
		if err := it.Error(); err != nil {
			return 0, fmt.Errorf("last root: %w", err)
		}
		return 0, ErrNoRoot
	}
	k := it.Key()
	if len(k) != slotKeyLen {
		return 0, fmt.Errorf("last root: %w: key length %d", ErrCorrupt, len(k))
	}
	return binary.BigEndian.Uint64(k[1:]), nil
}
