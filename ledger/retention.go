package ledger

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/cockroachdb/pebble/v2"
)

// PruneBelow deletes the shreds, slot metadata and duplicate proofs of every
// slot below slot, but never at or above the latest root: slots below the
// root are either rooted (replayed and persisted) or on abandoned forks.
// Deletion is by range tombstones, a handful of keys whatever the number of
// shreds, so pruning never competes with inserts for the write path. Root
// markers and transaction statuses are kept. It returns the new floor, the
// lowest slot whose shreds are kept.
func (l *Ledger) PruneBelow(slot uint64) (uint64, error) {
	l.writeMu.Lock()
	defer l.writeMu.Unlock()
	root, err := l.LastRoot()
	if errors.Is(err, ErrNoRoot) {
		return l.pruneFloor, nil
	}
	if err != nil {
		return 0, fmt.Errorf("prune below %d: %w", slot, err)
	}
	floor := min(slot, root)
	if floor <= l.pruneFloor {
		return l.pruneFloor, nil
	}
	b := l.db.NewBatch()
	for _, p := range []byte{prefixDataShred, prefixCodingShred, prefixSlotMeta, prefixDuplicate} {
		if err := b.DeleteRange(slotKey(p, 0), slotKey(p, floor), nil); err != nil {
			_ = b.Close()
			return 0, fmt.Errorf("prune below %d: %w", floor, err)
		}
	}
	if err := b.Set(pruneFloorKey, binary.BigEndian.AppendUint64(nil, floor), nil); err != nil {
		_ = b.Close()
		return 0, fmt.Errorf("prune below %d: %w", floor, err)
	}
	if err := l.commit(b, pebble.NoSync, fmt.Sprintf("prune below %d", floor)); err != nil {
		return 0, err
	}
	l.pruneFloor = floor
	return floor, nil
}

// PruneToLimit keeps the newest maxShreds shreds' worth of rooted slots
// (--limit-ledger-size): walking down from the latest root it sums each
// slot's shreds (data and coding) and prunes below the lowest slot that
// still fits. The latest root is always kept, even alone over the limit;
// slots above it are not counted, since they are not rooted yet. It returns
// the new floor.
func (l *Ledger) PruneToLimit(maxShreds uint64) (uint64, error) {
	root, err := l.LastRoot()
	if errors.Is(err, ErrNoRoot) {
		return l.floor(), nil
	}
	if err != nil {
		return 0, fmt.Errorf("prune to %d shreds: %w", maxShreds, err)
	}
	it, err := l.iter(slotKey(prefixSlotMeta, 0), slotRangeEnd(prefixSlotMeta, root))
	if err != nil {
		return 0, fmt.Errorf("prune to %d shreds: %w", maxShreds, err)
	}
	keep := root
	var total uint64
	for ok := it.Last(); ok; ok = it.Prev() {
		v, err := it.ValueAndErr()
		if err != nil {
			_ = it.Close()
			return 0, fmt.Errorf("prune to %d shreds: %w", maxShreds, err)
		}
		m, err := decodeSlotMeta(v)
		if err != nil {
			_ = it.Close()
			return 0, fmt.Errorf("prune to %d shreds: meta: %w", maxShreds, err)
		}
		total += uint64(m.Received) + uint64(m.CodingReceived)
		if total > maxShreds && m.Slot != root {
			break
		}
		keep = m.Slot
	}
	err = it.Error()
	if cerr := it.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, fmt.Errorf("prune to %d shreds: %w", maxShreds, err)
	}
	return l.PruneBelow(keep)
}

func (l *Ledger) floor() uint64 {
	l.writeMu.Lock()
	defer l.writeMu.Unlock()
	return l.pruneFloor
}

// LowestSlot is the oldest slot retention keeps: every slot below it has
// been pruned (RPC's minimumLedgerSlot and getFirstAvailableBlock).
func (l *Ledger) LowestSlot() uint64 { return l.floor() }
