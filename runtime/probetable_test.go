package runtime

import (
	"math/rand/v2"
	"testing"

	"github.com/gnomon-chain/gnomon/sdk"
)

// TestProbeTableAgreesWithAMap runs random inserts, updates and removals
// against the table and a Go map side by side. Few distinct keys over many
// operations make long probe runs, wrap-around at the table's end, and
// removals from the middle of runs, which must leave every other key
// findable.
func TestProbeTableAgreesWithAMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 9))
	for _, nkeys := range []int{3, 40, 700} {
		keys := make([]sdk.Pubkey, nkeys)
		for i := range keys {
			keys[i][0], keys[i][1], keys[i][31] = byte(i), byte(i>>8), 0x5a
		}
		accts := make([]sdk.Account, 8)
		for i := range accts {
			accts[i].Lamports = uint64(i + 1)
		}
		var tab accountTable
		want := map[sdk.Pubkey]accountEntry{}
		for op := 0; op < 40*nkeys+200; op++ {
			k := keys[rng.IntN(nkeys)]
			h := keyHash(k[:])
			var e accountEntry
			switch rng.IntN(4) {
			case 0: // remove
			case 1:
				e.rooted = &accts[rng.IntN(len(accts))]
			case 2:
				e.versions = versionList{one: version{slot: uint64(op), acct: &accts[rng.IntN(len(accts))]}}
			case 3:
				e.rooted = &accts[rng.IntN(len(accts))]
				vs := []version{{slot: 1, acct: &accts[0]}, {slot: 2, acct: &accts[1]}}
				e.versions = listOf(vs)
			}
			tab.put(&k, h, e)
			if e.rooted == nil && e.versions.empty() {
				delete(want, k)
			} else {
				want[k] = e
			}
			if tab.n != len(want) {
				t.Fatalf("%d keys, op %d: table holds %d entries, want %d", nkeys, op, tab.n, len(want))
			}
			// Every key, present or not, reads as the map says.
			if op%7 == 0 || nkeys < 50 {
				for _, q := range keys {
					got, ok := tab.get(&q, keyHash(q[:]))
					w, wok := want[q]
					if ok != wok || got != w {
						t.Fatalf("%d keys, op %d: key %x: got %+v %v, want %+v %v", nkeys, op, q[:2], got, ok, w, wok)
					}
				}
			}
		}
		seen := 0
		for k, e := range tab.all() {
			if want[k] != e {
				t.Fatalf("%d keys: all() yields %x with %+v, want %+v", nkeys, k[:2], e, want[k])
			}
			seen++
		}
		if seen != len(want) {
			t.Fatalf("%d keys: all() yields %d entries, want %d", nkeys, seen, len(want))
		}
	}
}
