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
