package runtime

import (
	"sync"

	"github.com/gnomon-chain/gnomon/sdk"
)

// tokenAccountSize is an SPL Token account's data length; the mint is at
// offset 0 and the token owner at 32, which is what clients filter on.
const tokenAccountSize = 165

// Index holds the secondary indexes of rooted state that RPC needs to answer
// getProgramAccounts and getTokenAccountsBy{Owner,Mint} without scanning:
// accounts by owning program, and token accounts by mint and by token owner.
// Unrooted changes are merged in by the bank that asks (Bank.AccountsByOwner).
//
// Memory: each indexed key costs one map entry of a 32-byte key in a per-owner
// set, about 80 bytes with Go's map overhead; a token account is in three sets
// (program owner, mint, token owner), about 240 bytes, on top of the account
// itself (about 100 bytes of struct and map entry plus its data).
type Index struct {
	mu          sync.RWMutex
	byOwner     map[sdk.Pubkey]map[sdk.Pubkey]struct{}
	byMint      map[sdk.Pubkey]map[sdk.Pubkey]struct{}
	byTokenAuth map[sdk.Pubkey]map[sdk.Pubkey]struct{}
}

func newIndex() *Index {
	return &Index{
		byOwner:     make(map[sdk.Pubkey]map[sdk.Pubkey]struct{}),
		byMint:      make(map[sdk.Pubkey]map[sdk.Pubkey]struct{}),
		byTokenAuth: make(map[sdk.Pubkey]map[sdk.Pubkey]struct{}),
	}
}

func setAdd(m map[sdk.Pubkey]map[sdk.Pubkey]struct{}, group, k sdk.Pubkey) {
	s := m[group]
	if s == nil {
		s = make(map[sdk.Pubkey]struct{})
		m[group] = s
	}
	s[k] = struct{}{}
}

func setDel(m map[sdk.Pubkey]map[sdk.Pubkey]struct{}, group, k sdk.Pubkey) {
	if s := m[group]; s != nil {
		delete(s, k)
		if len(s) == 0 {
			delete(m, group)
		}
	}
}

func tokenKeys(a *sdk.Account) (mint, owner sdk.Pubkey, ok bool) {
	if a == nil || a.Lamports == 0 || a.Owner != sdk.TokenProgramID || len(a.Data) != tokenAccountSize {
		return mint, owner, false
	}
	return sdk.Pubkey(a.Data[0:32]), sdk.Pubkey(a.Data[32:64]), true
}

// update moves k from the sets of its old state to those of its new one.
func (x *Index) update(k sdk.Pubkey, old, cur *sdk.Account) {
	if sameIndexKeys(old, cur) {
		return // a balance or data change that moves no index entry
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if old != nil {
		setDel(x.byOwner, old.Owner, k)
		if mint, owner, ok := tokenKeys(old); ok {
			setDel(x.byMint, mint, k)
			setDel(x.byTokenAuth, owner, k)
		}
	}
	x.addLocked(k, cur)
}

// addLocked puts k in the sets of its state; the caller holds mu.
func (x *Index) addLocked(k sdk.Pubkey, cur *sdk.Account) {
	if cur != nil && cur.Lamports > 0 {
		setAdd(x.byOwner, cur.Owner, k)
		if mint, owner, ok := tokenKeys(cur); ok {
			setAdd(x.byMint, mint, k)
			setAdd(x.byTokenAuth, owner, k)
		}
	}
}

func (x *Index) keys(m map[sdk.Pubkey]map[sdk.Pubkey]struct{}, group sdk.Pubkey) []sdk.Pubkey {
	x.mu.RLock()
	defer x.mu.RUnlock()
	s := m[group]
	out := make([]sdk.Pubkey, 0, len(s))
	for k := range s {
		out = append(out, k)
	}
	return out
}

// RootedByOwner lists rooted accounts owned by program.
func (x *Index) RootedByOwner(program sdk.Pubkey) []sdk.Pubkey { return x.keys(x.byOwner, program) }

// RootedTokenAccountsByMint lists rooted token accounts of mint.
func (x *Index) RootedTokenAccountsByMint(mint sdk.Pubkey) []sdk.Pubkey {
	return x.keys(x.byMint, mint)
}

// RootedTokenAccountsByOwner lists rooted token accounts whose token owner is owner.
func (x *Index) RootedTokenAccountsByOwner(owner sdk.Pubkey) []sdk.Pubkey {
	return x.keys(x.byTokenAuth, owner)
}

// sameIndexKeys reports whether old and cur put an address in the same
// index sets: both live with the same owner and, if token accounts, the
// same mint and token owner.
func sameIndexKeys(old, cur *sdk.Account) bool {
	if old == nil || cur == nil || old.Lamports == 0 || cur.Lamports == 0 || old.Owner != cur.Owner {
		return false
	}
	om, oo, ook := tokenKeys(old)
	cm, co, cok := tokenKeys(cur)
	return ook == cok && om == cm && oo == co
}
