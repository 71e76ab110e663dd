package runtime

import (
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
// and structured keys do, must still spread over the shards, and over the
// positions of a shard's table, which come from the hash's next bits.
func TestShardAndHashSpreadStructuredKeys(t *testing.T) {
	shards := make([]int, accountShards)
	places := make([]int, 256)
	var k sdk.Pubkey
	k[0] = 0x3c
	for i := range 1 << 14 {
		k[30], k[31] = byte(i>>8), byte(i)
		s, h := shardAndHash(k[:], accountShards)
		shards[s]++
		places[(h>>8)&255]++
	}
	want := (1 << 14) / 256
	for i := range 256 {
		if n := shards[i]; n < want/3 || n > want*3 {
			t.Fatalf("shard %d holds %d keys, want about %d", i, n, want)
		}
		if n := places[i]; n < want/3 || n > want*3 {
			t.Fatalf("table position %d (mod 256) holds %d keys, want about %d", i, n, want)
		}
	}
}
