package runtime

import (
	"errors"
	"fmt"
	"math"

	"github.com/gnomon-chain/gnomon/sdk"
)

// ErrEntryConflict marks an entry whose transactions lock the same account
// in conflicting ways. A leader never produces one; a block that contains one
// is invalid.
var ErrEntryConflict = errors.New("runtime: entry transactions conflict")

// txLocks returns the accounts tx writes and reads, as the bank will load
// them (lookups resolved; programs and reserved accounts read-only).
func (b *Bank) txLocks(tx *sdk.Transaction, writes, reads []sdk.Pubkey) ([]sdk.Pubkey, []sdk.Pubkey) {
	m := &tx.Message
	keys := m.AccountKeys
	if m.Version == sdk.MessageV0 && len(m.AddressTableLookups) > 0 {
		if resolved, _, err := b.resolveLookups(m, append([]sdk.Pubkey(nil), keys...)); err == nil {
			keys = resolved
		}
	}
	for i, k := range keys {
		if m.IsWritableIndex(i) && !b.cfg.isReserved(k) && !isInvoked(m, i) {
			writes = append(writes, k)
		} else {
			reads = append(reads, k)
		}
	}
	return writes, reads
}

// CheckEntryLocks returns ErrEntryConflict if two transactions of the entry
// conflict on an account. A transaction that writes an account twice is not
// a conflict with itself.
func CheckEntryLocks(b *Bank, txs []*sdk.Transaction) error {
	_, err := new(blockLocks).splitRuns(b, [][]*sdk.Transaction{txs})
	return err
}

// lastLocks is the last entries of a block, so far, that locked an account:
// each an entry's index plus one, 0 for none.
type lastLocks struct{ write, read int32 }

// blockLocks is the memory splitRuns reuses from one block to the next.
type blockLocks struct {
	// index places each account's lastLocks in last, so a lock costs one
	// map lookup (two the first time the block locks the account).
	index  map[sdk.Pubkey]int32
	last   []lastLocks
	w, r   []sdk.Pubkey
	wi, ri []int32
	runs   []int
}

// slot returns k's place in bl.last, adding it if the block has not locked
// k yet.
func (bl *blockLocks) slot(k sdk.Pubkey) int32 {
	at, ok := bl.index[k]
	if !ok {
		at = int32(len(bl.last))
		bl.last = append(bl.last, lastLocks{})
		bl.index[k] = at
	}
	return at
}

// splitRuns checks a block's entries, as replay must, and groups them into
// runs: consecutive entries no two of whose transactions conflict, which
// execute as one batch with the results of executing them one by one (the
// order of a block matters only between conflicting transactions). It
// returns each run's first entry (valid until its next call), or an error
// naming the first transaction that conflicts with another of its entry,
// which makes the block invalid.
//
// One pass: each account keeps the last entry that wrote it and the last
// that read it, so a lock conflicts within its entry when one of those is
// the entry itself, and with the run when one lies between the run's first
// entry and the entry.
func (bl *blockLocks) splitRuns(b *Bank, entries [][]*sdk.Transaction) ([]int, error) {
	if bl.index == nil {
		bl.index = make(map[sdk.Pubkey]int32)
	}
	clear(bl.index)
	bl.last = bl.last[:0]
	w, r, wi, ri, runs := bl.w[:0], bl.r[:0], bl.wi[:0], bl.ri[:0], bl.runs[:0]
	defer func() { bl.w, bl.r, bl.wi, bl.ri, bl.runs = w, r, wi, ri, runs }()
	if len(entries) >= math.MaxInt32 {
		return nil, fmt.Errorf("block of %d entries: more than an entry index holds", len(entries))
	}
	runStart := int32(1) // entries are numbered from 1 here
	for j, txs := range entries {
		self := int32(j + 1)
		withRun := false
		for i, tx := range txs {
			w, r = b.txLocks(tx, w[:0], r[:0])
			wi, ri = wi[:0], ri[:0]
			// Check all of the transaction's locks before taking any: a
			// transaction whose looked-up keys repeat one is dropped when
			// it executes, not a conflict with itself.
			for _, k := range w {
				at := bl.slot(k)
				wi = append(wi, at)
				l := bl.last[at]
				if l.write == self || l.read == self {
					return nil, fmt.Errorf("entry %d transaction %d (%s): %w", j, i, tx.Signatures[0], ErrEntryConflict)
				}
				withRun = withRun || l.write >= runStart || l.read >= runStart
			}
			for _, k := range r {
				// Nothing writes a reserved account (a builtin or a
				// sysvar): reading one conflicts with nothing.
				if b.cfg.isReserved(k) {
					continue
				}
				at := bl.slot(k)
				ri = append(ri, at)
				l := bl.last[at]
				if l.write == self {
					return nil, fmt.Errorf("entry %d transaction %d (%s): %w", j, i, tx.Signatures[0], ErrEntryConflict)
				}
				withRun = withRun || l.write >= runStart
			}
			for _, at := range wi {
				bl.last[at].write = self
			}
			for _, at := range ri {
				bl.last[at].read = self
			}
		}
		if j == 0 || withRun {
			// j starts a run; the locks before it no longer count, and
			// its own are numbered self, inside the new run.
			runs = append(runs, j)
			runStart = self
		}
	}
	return runs, nil
}
