package runtime

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gnomon-chain/gnomon/sdk"
)

// The reserved filter must never turn a builtin or sysvar into a writable
// account, and must not mark ordinary accounts reserved.
func TestReservedFilterAgreesWithTheSet(t *testing.T) {
	cfg := DefaultConfig()
	if err := cfg.validate(); err != nil {
		t.Fatal(err)
	}
	for k := range cfg.reserved {
		if !cfg.reservedFilter.mayHave(&k) || !cfg.isReserved(k) {
			t.Fatalf("reserved %s not reported reserved", k)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	passed := 0
	for range 100_000 {
		var k sdk.Pubkey
		for i := range k {
			k[i] = byte(rng.Uint32())
		}
		if cfg.isReserved(k) {
			t.Fatalf("random key %s reported reserved", k)
		}
		if cfg.reservedFilter.mayHave(&k) {
			passed++
		}
	}
	// About len(reserved) buckets of 65,536 are set.
	if passed > 1000 {
		t.Fatalf("filter let %d of 100,000 random keys through; it filters nothing", passed)
	}
}

// Keys that differ only in their last bytes, as derived addresses in tests
// and structured keys do, must still spread over the shards.
func TestShardIndexSpreadsStructuredKeys(t *testing.T) {
	counts := make([]int, accountShards)
	var k sdk.Pubkey
	k[0] = 0x3c
	for i := range 1 << 14 {
		k[30], k[31] = byte(i>>8), byte(i)
		counts[shardIndex(k[:], accountShards)]++
	}
	want := (1 << 14) / accountShards
	for s, n := range counts {
		if n < want/3 || n > want*3 {
			t.Fatalf("shard %d holds %d keys, want about %d", s, n, want)
		}
	}
}

// slotsView sees exactly the listed slots.
type slotsView map[uint64]bool

func (v slotsView) sees(slot uint64) bool { return v[slot] }

// TestStatusCacheKeepsEveryForksClaim: one signature processed on three
// sibling forks is seen by each fork's descendants, and forgetting one
// fork's slot (pruned) leaves the others.
func TestStatusCacheKeepsEveryForksClaim(t *testing.T) {
	c := NewStatusCache()
	var sig sdk.Signature
	sig[0], sig[63] = 7, 9
	for _, slot := range []uint64{4, 5, 6} {
		if c.claim(slotsView{slot - 3: true}, slot, sig) {
			t.Fatalf("slot %d: claimed on a fork that never saw it", slot)
		}
	}
	for _, slot := range []uint64{4, 5, 6} {
		if !c.claim(slotsView{slot: true}, slot+10, sig) {
			t.Fatalf("a descendant of slot %d does not see the signature", slot)
		}
	}
	c.forget(5, sig)
	if c.seen(slotsView{5: true}, sig) {
		t.Fatal("forgotten slot 5 still seen")
	}
	if !c.seen(slotsView{4: true}, sig) || !c.seen(slotsView{6: true}, sig) {
		t.Fatal("forgetting slot 5 lost the other forks' claims")
	}
	// Signatures that differ after the key's 20 bytes are one entry (the
	// cache keys by 20 bytes); ones that differ inside them are not.
	other := sig
	other[40] ^= 1
	if !c.seen(slotsView{4: true}, other) {
		t.Fatal("the key is not the signature's first 20 bytes")
	}
	other = sig
	other[3] ^= 1
	if c.seen(slotsView{4: true}, other) {
		t.Fatal("a different signature was seen")
	}
}

// TestStoreNeverChangesAVersionListInPlace: readers walk a key's versions
// after releasing the shard lock, so a writer replacing a version (the same
// slot writing the key again) while other forks' versions exist must build
// a new list. Under -race (make test) an in-place write is reported.
func TestStoreNeverChangesAVersionListInPlace(t *testing.T) {
	a := NewAccounts()
	k := sdk.Pubkey{1, 2, 3}
	a.store(5, k, &sdk.Account{Lamports: 5})
	a.store(6, k, &sdk.Account{Lamports: 6}) // a sibling fork: two versions
	done := make(chan struct{})
	readers := make(chan error, 2)
	for range 2 {
		go func() {
			for {
				select {
				case <-done:
					readers <- nil
					return
				default:
				}
				got := a.load(slotsView{6: true}, k)
				if got == nil || got.Lamports < 6 {
					readers <- fmt.Errorf("fork of slot 6 read %+v", got)
					return
				}
			}
		}()
	}
	for i := uint64(7); i < 2000; i++ {
		a.store(6, k, &sdk.Account{Lamports: i})
	}
	close(done)
	for range 2 {
		if err := <-readers; err != nil {
			t.Fatal(err)
		}
	}
	if got := a.load(slotsView{5: true}, k); got == nil || got.Lamports != 5 {
		t.Fatalf("fork of slot 5 reads %+v", got)
	}
}

// TestIndexUpdateFollowsOwnerAndTokenChanges: a balance change leaves the
// index as it is (update skips it); a change of token owner, of program
// owner, or a close moves or drops the address.
func TestIndexUpdateFollowsOwnerAndTokenChanges(t *testing.T) {
	x := newIndex()
	k, mint, alice, bob := sdk.Pubkey{1}, sdk.Pubkey{2}, sdk.Pubkey{3}, sdk.Pubkey{4}
	token := func(lamports uint64, owner sdk.Pubkey) *sdk.Account {
		d := make([]byte, tokenAccountSize)
		copy(d[0:32], mint[:])
		copy(d[32:64], owner[:])
		d[108] = 1 // initialized
		return &sdk.Account{Lamports: lamports, Owner: sdk.TokenProgramID, Data: d}
	}
	a0 := token(2_039_280, alice)
	x.update(k, nil, a0)
	a1 := token(2_039_281, alice)
	x.update(k, a0, a1)
	if got := x.RootedTokenAccountsByMint(mint); len(got) != 1 || got[0] != k {
		t.Fatalf("after a balance change, by mint: %v", got)
	}
	b := token(2_039_281, bob)
	x.update(k, a1, b)
	if got := x.keys(x.byTokenAuth, alice); len(got) != 0 {
		t.Fatalf("alice still owns %v", got)
	}
	if got := x.keys(x.byTokenAuth, bob); len(got) != 1 {
		t.Fatalf("bob owns %v", got)
	}
	x.update(k, b, &sdk.Account{Lamports: 5, Owner: sdk.SystemProgramID})
	if got := x.RootedTokenAccountsByMint(mint); len(got) != 0 {
		t.Fatalf("a System account is still indexed by mint: %v", got)
	}
	if got := x.keys(x.byOwner, sdk.SystemProgramID); len(got) != 1 {
		t.Fatalf("by System owner: %v", got)
	}
	x.update(k, &sdk.Account{Lamports: 5, Owner: sdk.SystemProgramID}, &sdk.Account{})
	if got := x.keys(x.byOwner, sdk.SystemProgramID); len(got) != 0 {
		t.Fatalf("a closed account is still indexed: %v", got)
	}
}
