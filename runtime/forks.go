package runtime

import (
	"fmt"
	"slices"
	"sort"
	"sync"

	"github.com/gnomon-chain/gnomon/sdk"
)

// AccountChange is an account's state after a root; Lamports == 0 means the
// account no longer exists.
type AccountChange struct {
	Pubkey  sdk.Pubkey
	Account sdk.Account
}

// AccountsPersister makes rooted account state durable. The ledger implements
// it on pebble: PersistRoot must write every change and the root marker in
// one atomic batch, so a crash leaves either the previous root or this one.
type AccountsPersister interface {
	PersistRoot(slot uint64, bankHash sdk.Hash, changes []AccountChange) error
}

// MemoryPersister keeps persisted roots in memory: for tests and for a
// validator running without a ledger.
type MemoryPersister struct {
	mu       sync.Mutex
	Root     uint64
	BankHash sdk.Hash
	Accounts map[sdk.Pubkey]sdk.Account
}

// PersistRoot implements AccountsPersister.
func (p *MemoryPersister) PersistRoot(slot uint64, bankHash sdk.Hash, changes []AccountChange) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.Accounts == nil {
		p.Accounts = make(map[sdk.Pubkey]sdk.Account)
	}
	for _, c := range changes {
		if c.Account.Lamports == 0 {
			delete(p.Accounts, c.Pubkey)
		} else {
			p.Accounts[c.Pubkey] = c.Account.Clone()
		}
	}
	p.Root, p.BankHash = slot, bankHash
	return nil
}

// Forks holds the banks of every live fork above the root and moves the root
// forward, squashing account versions into rooted state, persisting them, and
// dropping forks that do not descend from the new root.
type Forks struct {
	mu        sync.RWMutex
	banks     map[uint64]*Bank
	root      *Bank
	persister AccountsPersister
	// rootedSigs are the signatures of rooted slots, oldest first, kept until
	// their slot leaves the blockhash window.
	rootedSigs []slotSigs
}

type slotSigs struct {
	slot uint64
	sigs []sdk.Signature
}

// NewForks starts from a root bank (the genesis bank, or one rebuilt at
// start-up).
func NewForks(root *Bank, persister AccountsPersister) *Forks {
	// A rebuilt root's window of signatures ages out like any rooted slot's.
	f := &Forks{banks: map[uint64]*Bank{root.slot: root}, root: root, persister: persister, rootedSigs: root.restoredSigs}
	root.restoredSigs = nil
	return f
}

// PersistGenesis writes the genesis root's accounts through the persister,
// so a node that restarts before its first root still has them. A new
// ledger calls it once; the genesis bank must be the root.
func (f *Forks) PersistGenesis() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.root.slot != 0 {
		return fmt.Errorf("persist genesis: root is slot %d", f.root.slot)
	}
	if f.persister == nil {
		return nil
	}
	var changes []AccountChange
	for _, k := range f.root.WrittenKeys() {
		if a := f.root.accounts.loadRooted(k); a != nil {
			changes = append(changes, AccountChange{Pubkey: k, Account: *a})
		}
	}
	if err := f.persister.PersistRoot(0, f.root.hash, changes); err != nil {
		return fmt.Errorf("persist genesis: %w", err)
	}
	return nil
}

// Insert adds a bank; its parent must be in Forks.
func (f *Forks) Insert(b *Bank) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.banks[b.parentSlot]; !ok && b.slot != 0 {
		return fmt.Errorf("insert bank %d: parent %d unknown", b.slot, b.parentSlot)
	}
	if _, ok := f.banks[b.slot]; ok {
		return fmt.Errorf("insert bank %d: already present", b.slot)
	}
	f.banks[b.slot] = b
	return nil
}

// Get returns the bank of slot, if live.
func (f *Forks) Get(slot uint64) *Bank {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.banks[slot]
}

// Root returns the root bank.
func (f *Forks) Root() *Bank {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.root
}

// SetRoot makes slot the root. The bank must be frozen and descend from the
// current root. Account changes from the old root (exclusive) to the new
// (inclusive) are squashed into rooted state and persisted in one call.
func (f *Forks) SetRoot(slot uint64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	nr := f.banks[slot]
	switch {
	case nr == nil:
		return fmt.Errorf("set root %d: no such bank", slot)
	case !nr.IsFrozen():
		return fmt.Errorf("set root %d: bank not frozen", slot)
	case slot == f.root.slot:
		return nil
	case !nr.sees(f.root.slot):
		return fmt.Errorf("set root %d: does not descend from root %d", slot, f.root.slot)
	}
	// The chain being rooted, oldest first.
	var chain []*Bank
	for _, b := range f.banks {
		if b.slot > f.root.slot && b.slot <= slot && nr.sees(b.slot) {
			chain = append(chain, b)
		}
	}
	sort.Slice(chain, func(i, j int) bool { return chain[i].slot < chain[j].slot })
	for _, b := range chain {
		f.rootedSigs = append(f.rootedSigs, slotSigs{slot: b.slot, sigs: b.committedSigs()})
	}
	keys := make(map[sdk.Pubkey]struct{})
	for _, b := range chain {
		for _, k := range b.WrittenKeys() {
			keys[k] = struct{}{}
		}
	}
	changes := make([]AccountChange, 0, len(keys))
	for k := range keys {
		if acct, ok := f.root.accounts.squashKey(k, slot, nr.sees); ok {
			changes = append(changes, AccountChange{Pubkey: k, Account: *acct})
		}
	}
	sort.Slice(changes, func(i, j int) bool { return string(changes[i].Pubkey[:]) < string(changes[j].Pubkey[:]) })
	if f.persister != nil {
		if err := f.persister.PersistRoot(slot, nr.hash, changes); err != nil {
			return fmt.Errorf("set root %d: persist: %w", slot, err)
		}
	}
	// Drop every bank that is not the new root or its descendant.
	for s, b := range f.banks {
		if s == slot || (s > slot && b.sees(slot)) {
			continue
		}
		if !nr.sees(s) {
			for _, k := range b.WrittenKeys() {
				b.accounts.dropVersion(k, s)
			}
			for _, sig := range b.committedSigs() {
				b.status.forget(s, sig)
			}
		}
		delete(f.banks, s)
	}
	f.root = nr
	nr.detachParent()
	f.purgeStatus()
	return nil
}

// purgeStatus forgets signatures of rooted slots older than every ancestor
// the root still keeps: no bank descending from the root can see those slots,
// since a transaction naming a blockhash that old cannot execute.
func (f *Forks) purgeStatus() {
	anc := f.root.ancestors
	if len(anc) < int(f.root.cfg.MaxProcessingAge)+2 {
		return
	}
	oldest := anc[0]
	n := 0
	for n < len(f.rootedSigs) && f.rootedSigs[n].slot < oldest {
		for _, sig := range f.rootedSigs[n].sigs {
			f.root.status.forget(f.rootedSigs[n].slot, sig)
		}
		n++
	}
	f.rootedSigs = f.rootedSigs[n:]
}

// Banks lists the live banks' slots, ascending.
func (f *Forks) Banks() []uint64 {
	f.mu.RLock()
	defer f.mu.RUnlock()
	out := make([]uint64, 0, len(f.banks))
	for s := range f.banks {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}
