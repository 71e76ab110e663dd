package runtime

import (
	"errors"
	"fmt"

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

// lockSet tracks the accounts an entry (or a batch being packed) has
// locked: one map from key to its strongest lock, so each check is one
// lookup per key.
type lockSet struct {
	locks map[sdk.Pubkey]lockKind
	w, r  []sdk.Pubkey
}

type lockKind uint8

const (
	readLock lockKind = iota + 1
	writeLock
)

func newLockSet() lockSet { return lockSet{locks: make(map[sdk.Pubkey]lockKind)} }

// conflicts reports whether taking these locks would conflict.
func (l *lockSet) conflicts(writes, reads []sdk.Pubkey) bool {
	for _, k := range writes {
		if l.locks[k] != 0 {
			return true
		}
	}
	for _, k := range reads {
		if l.locks[k] == writeLock {
			return true
		}
	}
	return false
}

func (l *lockSet) take(writes, reads []sdk.Pubkey) {
	for _, k := range writes {
		l.locks[k] = writeLock
	}
	for _, k := range reads {
		if l.locks[k] == 0 {
			l.locks[k] = readLock
		}
	}
}

// CheckEntryLocks returns ErrEntryConflict if two transactions of the entry
// conflict on an account. A transaction that writes an account twice is not
// a conflict with itself.
func CheckEntryLocks(b *Bank, txs []*sdk.Transaction) error {
	set := newLockSet()
	return set.check(b, txs)
}

// check is CheckEntryLocks reusing l's memory.
func (l *lockSet) check(b *Bank, txs []*sdk.Transaction) error {
	if len(txs) <= 1 {
		return nil
	}
	clear(l.locks)
	w, r := l.w[:0], l.r[:0]
	defer func() { l.w, l.r = w, r }()
	for i, tx := range txs {
		w, r = b.txLocks(tx, w[:0], r[:0])
		if l.conflicts(w, r) {
			return fmt.Errorf("transaction %d (%s): %w", i, tx.Signatures[0], ErrEntryConflict)
		}
		l.take(w, r)
	}
	return nil
}

// runLock is what the current run of entries holds on an account: the
// strongest lock of its entries before the latest that locked it, and the
// strongest of that latest entry.
type runLock struct {
	before, inEntry lockKind
	entry           int
}

// at is l as entry j sees it: the strongest lock of the run's earlier
// entries, and of j's transactions so far.
func (l runLock) at(j int) (earlier, current lockKind) {
	if l.entry != j {
		return max(l.before, l.inEntry), 0
	}
	return l.before, l.inEntry
}

// blockLocks is the memory splitRuns reuses from one block to the next.
type blockLocks struct {
	locks map[sdk.Pubkey]runLock
	w, r  []sdk.Pubkey
	runs  []int
}

// splitRuns checks a block's entries, as replay must, and groups them into
// runs: consecutive entries no two of whose transactions conflict, which
// execute as one batch with the results of executing them one by one (the
// order of a block matters only between conflicting transactions). It
// returns each run's first entry (valid until its next call), or an error
// naming the first transaction that conflicts with another of its entry,
// which makes the block invalid.
func (bl *blockLocks) splitRuns(b *Bank, entries [][]*sdk.Transaction) ([]int, error) {
	if bl.locks == nil {
		bl.locks = make(map[sdk.Pubkey]runLock)
	}
	locks := bl.locks
	clear(locks)
	w, r := bl.w[:0], bl.r[:0]
	defer func() { bl.w, bl.r = w, r }()
	// take adds entry j's locks to the run and reports whether one of them
	// conflicts with an earlier entry of the run.
	take := func(j int) (withEarlier bool, err error) {
		for i, tx := range entries[j] {
			w, r = b.txLocks(tx, w[:0], r[:0])
			// Check all of the transaction's locks before taking any, as
			// lockSet.check does: a transaction whose looked-up keys repeat
			// one is dropped when it executes, not a conflict with itself.
			for _, k := range w {
				earlier, current := locks[k].at(j)
				if current != 0 {
					return false, fmt.Errorf("entry %d transaction %d (%s): %w", j, i, tx.Signatures[0], ErrEntryConflict)
				}
				withEarlier = withEarlier || earlier != 0
			}
			for _, k := range r {
				earlier, current := locks[k].at(j)
				if current == writeLock {
					return false, fmt.Errorf("entry %d transaction %d (%s): %w", j, i, tx.Signatures[0], ErrEntryConflict)
				}
				withEarlier = withEarlier || earlier == writeLock
			}
			for pass, keys := range [2][]sdk.Pubkey{w, r} {
				kind := writeLock
				if pass == 1 {
					kind = readLock
				}
				for _, k := range keys {
					earlier, current := locks[k].at(j)
					locks[k] = runLock{before: earlier, inEntry: max(current, kind), entry: j}
				}
			}
		}
		return withEarlier, nil
	}
	runs := bl.runs[:0]
	defer func() { bl.runs = runs }()
	for j := range entries {
		withEarlier, err := take(j)
		if err != nil {
			return nil, err
		}
		if withEarlier {
			// j starts a run: the locks are its own.
			clear(locks)
			if _, err := take(j); err != nil {
				return nil, err
			}
		}
		if j == 0 || withEarlier {
			runs = append(runs, j)
		}
	}
	return runs, nil
}
