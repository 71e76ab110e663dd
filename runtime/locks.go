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

// lockSet tracks the accounts an entry (or a batch being packed) has locked.
type lockSet struct {
	written map[sdk.Pubkey]struct{}
	read    map[sdk.Pubkey]struct{}
	w, r    []sdk.Pubkey
}

func newLockSet() lockSet {
	return lockSet{written: make(map[sdk.Pubkey]struct{}), read: make(map[sdk.Pubkey]struct{})}
}

// conflicts reports whether taking these locks would conflict.
func (l *lockSet) conflicts(writes, reads []sdk.Pubkey) bool {
	for _, k := range writes {
		if _, ok := l.written[k]; ok {
			return true
		}
		if _, ok := l.read[k]; ok {
			return true
		}
	}
	for _, k := range reads {
		if _, ok := l.written[k]; ok {
			return true
		}
	}
	return false
}

func (l *lockSet) take(writes, reads []sdk.Pubkey) {
	for _, k := range writes {
		l.written[k] = struct{}{}
	}
	for _, k := range reads {
		l.read[k] = struct{}{}
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
	clear(l.written)
	clear(l.read)
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
