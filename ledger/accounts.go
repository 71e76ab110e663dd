package ledger

import (
	"fmt"

	"github.com/cockroachdb/pebble/v2"
	"github.com/gnomon-chain/gnomon/runtime"
	"github.com/gnomon-chain/gnomon/sdk"
	"github.com/umbracle/fastrlp"
)

// Ledger implements runtime.AccountsPersister.
var _ runtime.AccountsPersister = (*Ledger)(nil)

// HasRootedAccounts reports whether a root's accounts are persisted: a node
// restarting on this ledger rebuilds its state from them, not from genesis.
func (l *Ledger) HasRootedAccounts() bool {
	l.writeMu.Lock()
	defer l.writeMu.Unlock()
	return l.hasAccountsRoot
}

// PersistRoot writes every account change of a new root and the root marker
// (slot and bank hash) in one synced pebble batch: after a crash the ledger
// holds either the previous root's accounts or this one's, never a mix. A
// zero-lamport change deletes the account. The slot is also marked rooted.
func (l *Ledger) PersistRoot(slot uint64, bankHash sdk.Hash, changes []runtime.AccountChange) error {
	l.writeMu.Lock()
	defer l.writeMu.Unlock()
	if l.hasAccountsRoot && slot <= l.accountsRoot {
		return fmt.Errorf("persist root %d (persisted %d): %w", slot, l.accountsRoot, ErrRootNotNewer)
	}
	b := l.db.NewBatch()
	var val []byte
	for i := range changes {
		c := &changes[i]
		var err error
		if c.Account.Lamports == 0 {
			err = b.Delete(accountKey(c.Pubkey), nil)
		} else {
			val = encodeAccount(val[:0], &c.Account)
			err = b.Set(accountKey(c.Pubkey), val, nil)
		}
		if err != nil {
			_ = b.Close()
			return fmt.Errorf("persist root %d: account %s: %w", slot, c.Pubkey, err)
		}
	}
	if err := b.Set(accountsRootKey, encodeRootMarker(slot, bankHash), nil); err != nil {
		_ = b.Close()
		return fmt.Errorf("persist root %d: marker: %w", slot, err)
	}
	if err := b.Set(slotKey(prefixRoot, slot), nil, nil); err != nil {
		_ = b.Close()
		return fmt.Errorf("persist root %d: root: %w", slot, err)
	}
	if err := l.commit(b, pebble.Sync, fmt.Sprintf("persist root %d", slot)); err != nil {
		return err
	}
	l.accountsRoot, l.hasAccountsRoot = slot, true
	// A root this large (a big genesis, a snapshot) is flushed into an
	// sstable now: left in the write-ahead log, every restart until the
	// next flush would replay it (most of a second per million accounts).
	if len(changes) >= flushAfterChanges {
		if err := l.db.Flush(); err != nil {
			return fmt.Errorf("persist root %d: flush: %w", slot, err)
		}
	}
	return nil
}

// flushAfterChanges is the root size PersistRoot flushes at once.
const flushAfterChanges = 100_000

// LoadRootedAccounts returns the last persisted root, its bank hash and
// every account alive at it, for runtime.Accounts.Restore at start-up. A
// ledger that never persisted a root returns ErrNoRoot.
func (l *Ledger) LoadRootedAccounts() (slot uint64, bankHash sdk.Hash, accounts []runtime.AccountChange, err error) {
	slot, bankHash, err = l.RangeRootedAccounts(4096, func(batch []runtime.AccountChange) error {
		accounts = append(accounts, batch...)
		return nil
	})
	if err != nil {
		return 0, sdk.Hash{}, nil, err
	}
	return slot, bankHash, accounts, nil
}

// RangeRootedAccounts is LoadRootedAccounts in batches of up to size
// accounts handed to fn, each a new slice fn may keep: a restarting node
// rebuilds its store from one batch while the next is read. It returns
// ErrNoRoot, before calling fn, if no root was persisted.
func (l *Ledger) RangeRootedAccounts(size int, fn func([]runtime.AccountChange) error) (slot uint64, bankHash sdk.Hash, err error) {
	slot, bankHash, err = l.accountsRootMarker()
	if err != nil {
		return 0, sdk.Hash{}, err
	}
	it, err := l.iter([]byte{prefixAccount}, []byte{prefixAccount + 1})
	if err != nil {
		return 0, sdk.Hash{}, fmt.Errorf("load accounts at root %d: %w", slot, err)
	}
	defer it.Close()
	p := parsers.Get()
	defer parsers.Put(p)
	batch := make([]runtime.AccountChange, 0, size)
	for ok := it.First(); ok; ok = it.Next() {
		k := it.Key()
		if len(k) != accountKeyLen {
			return 0, sdk.Hash{}, fmt.Errorf("load accounts at root %d: %w: key length %d", slot, ErrCorrupt, len(k))
		}
		var c runtime.AccountChange
		copy(c.Pubkey[:], k[1:])
		v, err := it.ValueAndErr()
		if err != nil {
			return 0, sdk.Hash{}, fmt.Errorf("load account %s: %w", c.Pubkey, err)
		}
		if c.Account, err = decodeAccount(p, v); err != nil {
			return 0, sdk.Hash{}, fmt.Errorf("load account %s: %w", c.Pubkey, err)
		}
		batch = append(batch, c)
		if len(batch) == size {
			if err := fn(batch); err != nil {
				return 0, sdk.Hash{}, err
			}
			batch = make([]runtime.AccountChange, 0, size)
		}
	}
	if err := it.Error(); err != nil {
		return 0, sdk.Hash{}, fmt.Errorf("load accounts at root %d: %w", slot, err)
	}
	if len(batch) > 0 {
		if err := fn(batch); err != nil {
			return 0, sdk.Hash{}, err
		}
	}
	return slot, bankHash, nil
}

func (l *Ledger) accountsRootMarker() (uint64, sdk.Hash, error) {
	v, err := l.get(accountsRootKey)
	if err != nil {
		return 0, sdk.Hash{}, fmt.Errorf("read root marker: %w", err)
	}
	if v == nil {
		return 0, sdk.Hash{}, ErrNoRoot
	}
	p := parsers.Get()
	defer parsers.Put(p)
	f := parseList(p, v, 2)
	slot := f.u64(0)
	var h sdk.Hash
	f.fixed(1, h[:])
	if f.err != nil {
		return 0, sdk.Hash{}, fmt.Errorf("read root marker: %w", f.err)
	}
	return slot, h, nil
}

func encodeRootMarker(slot uint64, h sdk.Hash) []byte {
	e := newEncoder()
	defer e.release()
	v := e.list()
	v.Set(e.uint(slot))
	v.Set(e.bytes(h[:]))
	return v.MarshalTo(nil)
}

func encodeAccount(dst []byte, a *sdk.Account) []byte {
	e := newEncoder()
	defer e.release()
	v := e.list()
	v.Set(e.uint(a.Lamports))
	v.Set(e.bytes(a.Owner[:]))
	v.Set(e.bool(a.Executable))
	v.Set(e.uint(a.RentEpoch))
	v.Set(e.bytes(a.Data))
	return v.MarshalTo(dst)
}

func decodeAccount(p *fastrlp.Parser, b []byte) (sdk.Account, error) {
	f := parseList(p, b, 5)
	a := sdk.Account{Lamports: f.u64(0), Executable: f.flag(2), RentEpoch: f.u64(3), Data: f.bytes(4)}
	f.fixed(1, a.Owner[:])
	if f.err == nil && a.Lamports == 0 {
		f.err = fmt.Errorf("%w: zero-lamport account stored", ErrCorrupt)
	}
	return a, f.err
}
