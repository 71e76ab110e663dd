package runtime

import (
	"sync"

	"github.com/gnomon-chain/gnomon/sdk"
)

// The accounts store.
//
// All banks of a node share one Accounts. Rooted state is a hash table per
// shard (probeTable). Writes of unrooted banks are kept as versions per key,
// each tagged with its slot, so a read is one lookup plus a scan of a few
// versions for the newest one on the reading bank's fork, whatever the
// number of unrooted ancestors (walking a chain of per-bank overlays would
// cost one lookup per ancestor, and a node runs about 32 slots behind its
// root). Squashing a root moves its fork's newest versions into rooted
// state; versions of abandoned forks are dropped.
//
// A stored *sdk.Account is immutable: a transaction works on a copy, and
// committing stores a new value. Readers may therefore hold one without a lock.

const accountShards = 256

type version struct {
	slot uint64
	acct *sdk.Account // Lamports == 0 means the account was closed in slot
}

// versionList holds a key's unrooted versions in ascending slot order. A key
// almost always has exactly one (it is rooted, or its fork dropped, before it
// is written again on another slot), so that one is kept inline and costs no
// allocation; more spill into a slice. Every version has an account (a
// closed one has zero lamports), so a list with neither is empty.
type versionList struct {
	one  version
	many *[]version
}

func (l *versionList) empty() bool { return l.one.acct == nil && l.many == nil }

// view returns the versions as a slice, using buf for the inline case.
func (l *versionList) view(buf *[1]version) []version {
	switch {
	case l.many != nil:
		return *l.many
	case l.one.acct == nil:
		return nil
	}
	buf[0] = l.one
	return buf[:]
}

// listOf stores vs as a versionList.
func listOf(vs []version) versionList {
	switch len(vs) {
	case 0:
		return versionList{}
	case 1:
		return versionList{one: vs[0]}
	}
	return versionList{many: &vs}
}

// accountEntry is everything the store holds for one address: its rooted
// state and its unrooted versions, in one map value so that a read is one
// lookup (two maps, rooted and unrooted, cost a missed lookup in one for
// almost every read of the other).
type accountEntry struct {
	rooted   *sdk.Account
	versions versionList
}

func (e accountEntry) vacant() bool { return e.rooted == nil && e.versions.empty() }

type accountShard struct {
	mu sync.RWMutex
	t  accountTable
}

// Accounts is the node's account state across all banks.
type Accounts struct {
	shards [accountShards]accountShard
	index  *Index
}

// NewAccounts returns an empty store.
func NewAccounts() *Accounts {
	return &Accounts{index: newIndex()}
}

// shard returns k's shard and k's hash, which places it in the shard's
// table.
func (a *Accounts) shard(k *sdk.Pubkey) (*accountShard, uint64) {
	i, h := shardAndHash(k[:], accountShards)
	return &a.shards[i], h
}

// forkView says which unrooted slots a reader sees.
type forkView interface {
	// sees reports whether a version written in slot is visible.
	sees(slot uint64) bool
}

// load returns the account at k as view sees it, or nil if it does not exist.
// It holds the shard's read lock only to copy the entry: version lists are
// never changed in place, so walking one afterwards is safe.
func (a *Accounts) load(view forkView, k sdk.Pubkey) *sdk.Account {
	s, h := a.shard(&k)
	s.mu.RLock()
	e, _ := s.t.get(&k, h)
	s.mu.RUnlock()
	acct := e.rooted
	if !e.versions.empty() {
		var buf [1]version
		vs := e.versions.view(&buf)
		for i := len(vs) - 1; i >= 0; i-- {
			if view.sees(vs[i].slot) {
				acct = vs[i].acct
				if acct.Lamports == 0 {
					return nil
				}
				break
			}
		}
	}
	return acct
}

// loadRooted returns rooted state only.
func (a *Accounts) loadRooted(k sdk.Pubkey) *sdk.Account {
	s, h := a.shard(&k)
	s.mu.RLock()
	e, _ := s.t.get(&k, h)
	s.mu.RUnlock()
	return e.rooted
}

// store records acct as k's version for slot, replacing an earlier version
// of the same slot. acct must not be nil: a closed account is stored as one
// with zero lamports.
func (a *Accounts) store(slot uint64, k sdk.Pubkey, acct *sdk.Account) {
	s, h := a.shard(&k)
	s.mu.Lock()
	e, _ := s.t.get(&k, h)
	l := &e.versions
	switch {
	case l.empty():
		*l = versionList{one: version{slot: slot, acct: acct}}
	case l.many == nil && l.one.slot == slot:
		l.one.acct = acct
	default:
		// Never change a version list in place: readers copy the entry under
		// the read lock and walk its list after releasing it.
		var buf [1]version
		vs := l.view(&buf)
		if n := len(vs); vs[n-1].slot == slot {
			vs = append([]version(nil), vs...)
			vs[n-1].acct = acct
		} else {
			// Versions stay in ascending slot order: a bank stores only while
			// it is the newest on its fork, but sibling forks interleave.
			vs = append(append([]version(nil), vs...), version{})
			i := len(vs) - 1
			for i > 0 && vs[i-1].slot > slot {
				vs[i] = vs[i-1]
				i--
			}
			vs[i] = version{slot: slot, acct: acct}
		}
		*l = listOf(vs)
	}
	s.t.put(&k, h, e)
	s.mu.Unlock()
}

// versionAt returns the version k has at exactly slot, if any.
func (a *Accounts) versionAt(slot uint64, k sdk.Pubkey) *sdk.Account {
	s, h := a.shard(&k)
	s.mu.RLock()
	e, _ := s.t.get(&k, h)
	s.mu.RUnlock()
	l := e.versions
	var buf [1]version
	for _, v := range l.view(&buf) {
		if v.slot == slot {
			return v.acct
		}
	}
	return nil
}

// Restore is RestoreFrom for changes already in one slice: it writes
// rooted state into an empty store, as a node rebuilding its last root does
// before any bank exists, and keeps pointers into changes.
func (a *Accounts) Restore(changes []AccountChange) {
	one := make(chan []AccountChange, 1)
	one <- changes
	close(one)
	a.RestoreFrom(one)
}

// RestoreFrom is Restore for an empty store fed in batches, as a restarting
// node reads them from its ledger: the shard maps are filled here while a
// second goroutine builds the indexes, so on two cores the store is rebuilt
// at about the speed the ledger is read. It keeps pointers into the
// batches, which the caller must not change afterwards, and returns how
// many accounts it stored.
func (a *Accounts) RestoreFrom(batches <-chan []AccountChange) int {
	toIndex := make(chan []AccountChange, cap(batches)+1)
	indexed := make(chan struct{})
	go func() {
		defer close(indexed)
		for b := range toIndex {
			a.index.mu.Lock()
			for i := range b {
				a.index.addLocked(b[i].Pubkey, &b[i].Account)
			}
			a.index.mu.Unlock()
		}
	}()
	n := 0
	for b := range batches {
		for i := range b {
			if b[i].Account.Lamports == 0 {
				continue
			}
			s, h := a.shard(&b[i].Pubkey)
			s.mu.Lock()
			// The store is empty: no versions to keep.
			s.t.put(&b[i].Pubkey, h, accountEntry{rooted: &b[i].Account})
			s.mu.Unlock()
			n++
		}
		toIndex <- b
	}
	close(toIndex)
	<-indexed
	return n
}

// squashKey moves k's newest version at or below root on the root's fork
// into rooted state and drops every version at or below root.
func (a *Accounts) squashKey(k sdk.Pubkey, root uint64, onRootFork func(uint64) bool) (changed *sdk.Account, ok bool) {
	s, h := a.shard(&k)
	s.mu.Lock()
	e, _ := s.t.get(&k, h)
	var buf [1]version
	vs := e.versions.view(&buf)
	var newest *sdk.Account
	var kept []version
	for _, v := range vs {
		switch {
		case v.slot > root:
			kept = append(kept, v)
		case onRootFork(v.slot):
			newest = v.acct
		}
	}
	e.versions = listOf(kept)
	old := e.rooted
	if newest != nil {
		if newest.Lamports == 0 {
			e.rooted = nil
		} else {
			e.rooted = newest
		}
	}
	s.t.put(&k, h, e)
	s.mu.Unlock()
	if newest != nil {
		a.index.update(k, old, newest)
	}
	return newest, newest != nil
}

// dropVersion removes k's version written in slot (an abandoned fork).
func (a *Accounts) dropVersion(k sdk.Pubkey, slot uint64) {
	s, h := a.shard(&k)
	s.mu.Lock()
	e, ok := s.t.get(&k, h)
	if ok {
		var buf [1]version
		var kept []version
		for _, v := range e.versions.view(&buf) {
			if v.slot != slot {
				kept = append(kept, v)
			}
		}
		e.versions = listOf(kept)
		s.t.put(&k, h, e)
	}
	s.mu.Unlock()
}

// RootedCount is the number of rooted accounts.
func (a *Accounts) RootedCount() int {
	n := 0
	for i := range a.shards {
		s := &a.shards[i]
		s.mu.RLock()
		for _, e := range s.t.all() {
			if e.rooted != nil {
				n++
			}
		}
		s.mu.RUnlock()
	}
	return n
}

// rootedLamports sums rooted state's lamports.
func (a *Accounts) rootedLamports() uint64 {
	var n uint64
	for i := range a.shards {
		s := &a.shards[i]
		s.mu.RLock()
		for _, e := range s.t.all() {
			if e.rooted != nil {
				n += e.rooted.Lamports
			}
		}
		s.mu.RUnlock()
	}
	return n
}

// Index is the store's secondary indexes.
func (a *Accounts) Index() *Index { return a.index }
