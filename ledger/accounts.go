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
	return nil
}

// LoadRootedAccounts returns the last persisted root, its bank hash and
// every account alive at it, for runtime.Accounts.Restore at start-up. A
// ledger that never persisted a root returns ErrNoRoot.
func (l *Ledger) LoadRootedAccounts() (slot uint64, bankHash sdk.Hash, accounts []runtime.AccountChange, err error) {
	slot, bankHash, err = l.accountsRootMarker()
	if err != nil {
		return 0, sdk.Hash{}, nil, err
	}
	it, err := l.iter([]byte{prefixAccount}, []byte{prefixAccount + 1})
	if err != nil {
		return 0, sdk.Hash{}, nil, fmt.Errorf("load accounts at root %d: %w", slot, err)
	}
	defer it.Close()
	p := parsers.Get()
	defer parsers.Put(p)
	for ok := it.First(); ok; ok = it.Next() {
		k := it.Key()
		if len(k) != accountKeyLen {
			return 0, sdk.Hash{}, nil, fmt.Errorf("load accounts at root %d: %w: key length %d", slot, ErrCorrupt, len(k))
		}
		var c runtime.AccountChange
		copy(c.Pubkey[:], k[1:])
		v, err := it.ValueAndErr()
		if err != nil {
			return 0, sdk.Hash{}, nil, fmt.Errorf("load account %s: %w", c.Pubkey, err)
		}
		if c.Account, err = decodeAccount(p, v); err != nil {
			return 0, sdk.Hash{}, nil, fmt.Errorf("load account %s: %w", c.Pubkey, err)
		}
		accounts = append(accounts, c)
	}
	if err := it.Error(); err != nil {
		return 0, sdk.Hash{}, nil, fmt.Errorf("load accounts at root %d: %w", slot, err)
	}
	return slot, bankHash, accounts, nil
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
