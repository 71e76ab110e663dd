package consensus

import (
	"testing"
)

func TestConfirmedNeedsTwoThirdsOfStake(t *testing.T) {
	a := NewAggregator(90)
	fork := chainAncestors(11) // 0..10
	a.Observe(Observation{Validator: key("A"), Slot: 10, Stake: 30})
	a.Observe(Observation{Validator: key("B"), Slot: 8, Stake: 29})
	if s, ok := a.Confirmed(fork); ok {
		t.Fatalf("59 of 90 confirmed %d", s)
	}
	// C brings 60 of 90: exactly two thirds; its vote on 5 covers 0..5.
	a.Observe(Observation{Validator: key("C"), Slot: 5, Stake: 1})
	if s, ok := a.Confirmed(fork); !ok || s != 5 {
		t.Fatalf("confirmed %d %v, want 5", s, ok)
	}
	// A vote off the fork counts only through its tower slots on the fork.
	a.Observe(Observation{Validator: key("C"), Slot: 20, Stake: 1, Tower: []uint64{6, 7, 20}})
	if s, _ := a.Confirmed(fork); s != 7 {
		t.Fatalf("confirmed %d, want 7", s)
	}
	// An older observation never undoes a newer one.
	if a.Observe(Observation{Validator: key("C"), Slot: 2, Stake: 1}) {
		t.Fatal("older vote kept")
	}
	// One validator with all the stake confirms by the same rule.
	solo := NewAggregator(5)
	solo.Observe(Observation{Validator: key("S"), Slot: 3, Stake: 5})
	if s, ok := solo.Confirmed(chainAncestors(4)); !ok || s != 3 {
		t.Fatalf("solo confirmed %d %v", s, ok)
	}
}

func TestFinalizedIsHighestSlotRootedByTwoThirds(t *testing.T) {
	a := NewAggregator(100)
	a.Observe(Observation{Validator: key("A"), Slot: 50, HasRoot: true, Root: 19, Stake: 40})
	a.Observe(Observation{Validator: key("B"), Slot: 45, HasRoot: true, Root: 14, Stake: 26})
	a.Observe(Observation{Validator: key("C"), Slot: 40, Stake: 34})
	if s, ok := a.Finalized(); ok {
		t.Fatalf("66 of 100 finalized %d", s)
	}
	a.Observe(Observation{Validator: key("C"), Slot: 41, HasRoot: true, Root: 10, Stake: 34})
	// Roots 19 (40), 14 (26): 66 short of two thirds; 10 (34) makes 100.
	if s, ok := a.Finalized(); !ok || s != 10 {
		t.Fatalf("finalized %d %v, want 10", s, ok)
	}
	// A root never goes back, even if an observation omits it.
	a.Observe(Observation{Validator: key("B"), Slot: 46, Stake: 26})
	if s, _ := a.Finalized(); s != 10 {
		t.Fatalf("finalized %d after a rootless observation", s)
	}
	l := a.Levels(52, chainAncestors(53))
	if l.Processed != 52 || l.Confirmed != 41 || l.Finalized != 10 || !l.HasConfirmed || !l.HasFinalized {
		t.Fatalf("levels %+v", l)
	}
}

// validatorSim is one in-process validator: a tower and its stake.
type validatorSim struct {
	name  string
	stake uint64
	last  uint64 // the last slot it votes on in the stream
	tower *Tower
}

// runStream feeds every validator the same stream of slots on one chain;
// each votes on a slot if the slot is at most its last, through its tower's
// lockout check, and the aggregator observes its tower.
func runStream(t *testing.T, vals []*validatorSim, upTo uint64) *Aggregator {
	t.Helper()
	var total uint64
	for _, v := range vals {
		total += v.stake
		v.tower = NewTower()
	}
	agg := NewAggregator(total)
	for s := uint64(1); s <= upTo; s++ {
		for _, v := range vals {
			if s > v.last {
				continue
			}
			if v.tower.IsLockedOut(s, chainAncestors(s)) {
				t.Fatalf("%s refused %d on a chain", v.name, s)
			}
			v.tower.RecordVote(s, hashOf(s))
			agg.ObserveTower(key(v.name), v.stake, v.tower)
		}
	}
	return agg
}

// Three and four validators' towers fed the same vote stream; the expected
// levels are computed by hand in the comments.
func TestCommitmentArithmeticWithThreeAndFourValidators(t *testing.T) {
	t.Run("validators=3", func(t *testing.T) {
		vals := []*validatorSim{{name: "A", stake: 40, last: 40}, {name: "B", stake: 35, last: 38}, {name: "C", stake: 25, last: 36}}
		agg := runStream(t, vals, 40)
		// Latest votes 40 (40), 38 (35), 36 (25). Descending: 40 → 40,
		// 38 → 75 ≥ 66.7: confirmed 38.
		// Roots: 31 votes kept, so root = last - 31: 9, 7, 5.
		// Descending: 9 → 40, 7 → 75: finalized 7.
		l := agg.Levels(40, chainAncestors(41))
		if l.Confirmed != 38 || l.Finalized != 7 {
			t.Fatalf("levels %+v, want confirmed 38 finalized 7", l)
		}
		// Halfway, at slot 20: votes 20, 20, 20; no root yet.
		mid := runStream(t, vals, 20)
		if s, _ := mid.Confirmed(chainAncestors(21)); s != 20 {
			t.Fatalf("confirmed %d at slot 20", s)
		}
		if _, ok := mid.Finalized(); ok {
			t.Fatal("finalized before any root")
		}
	})
	t.Run("validators=4", func(t *testing.T) {
		vals := []*validatorSim{{name: "A", stake: 25, last: 40}, {name: "B", stake: 25, last: 38}, {name: "C", stake: 25, last: 36}, {name: "D", stake: 25, last: 30}}
		agg := runStream(t, vals, 40)
		// Latest votes 40, 38, 36, 30 at 25 each: 25, 50, 75 ≥ 66.7 at 36.
		// Roots 9, 7, 5 and none (30 votes): 25, 50, 75 at 5.
		l := agg.Levels(40, chainAncestors(41))
		if l.Confirmed != 36 || l.Finalized != 5 {
			t.Fatalf("levels %+v, want confirmed 36 finalized 5", l)
		}
		// On a fork that ends at 33 the same votes confirm 33: A, B and C
		// voted for descendants of 33 (their towers hold 33).
		if s, _ := agg.Confirmed(chainAncestors(34)); s != 33 {
			t.Fatalf("confirmed %d on the fork ending at 33", s)
		}
	})
}
