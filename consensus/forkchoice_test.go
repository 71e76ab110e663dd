package consensus

import (
	"errors"
	"testing"

	"github.com/gnomon-chain/gnomon/sdk"
)

func key(name string) sdk.Pubkey {
	var p sdk.Pubkey
	copy(p[:], name)
	return p
}

func mustAdd(t *testing.T, f *ForkChoice, edges ...[2]uint64) {
	t.Helper()
	for _, e := range edges {
		if err := f.AddSlot(e[0], e[1]); err != nil {
			t.Fatalf("add %d under %d: %v", e[0], e[1], err)
		}
	}
}

func mustVote(t *testing.T, f *ForkChoice, who string, slot, stake uint64) {
	t.Helper()
	if err := f.Vote(key(who), slot, stake); err != nil {
		t.Fatalf("%s votes %d: %v", who, slot, err)
	}
}

// Forks: 0-1-2-3, 1-4-5, 0-6.
func forks(t *testing.T) *ForkChoice {
	f := NewForkChoice(0)
	mustAdd(t, f, [2]uint64{1, 0}, [2]uint64{2, 1}, [2]uint64{3, 2}, [2]uint64{4, 1}, [2]uint64{5, 4}, [2]uint64{6, 0})
	return f
}

func TestForkChoicePicksHeaviestSubtree(t *testing.T) {
	f := forks(t)
	mustVote(t, f, "A", 3, 10)
	mustVote(t, f, "B", 5, 10)
	mustVote(t, f, "C", 4, 5)
	mustVote(t, f, "D", 6, 20)
	// Under 0: subtree(1) = 25 beats subtree(6) = 20; under 1: 4 has 15.
	if got := f.BestSlot(); got != 5 {
		t.Fatalf("best %d, want 5", got)
	}
	// C's latest vote moves to 7 on the other fork: its stake leaves 4.
	mustAdd(t, f, [2]uint64{7, 3})
	mustVote(t, f, "C", 7, 5)
	if got := f.BestSlot(); got != 7 {
		t.Fatalf("best %d, want 7", got)
	}
	if f.SubtreeStake(1) != 25 || f.SubtreeStake(4) != 10 || f.SubtreeStake(0) != 45 {
		t.Fatalf("subtree stakes 1:%d 4:%d 0:%d", f.SubtreeStake(1), f.SubtreeStake(4), f.SubtreeStake(0))
	}
	// D outweighs everything on its own fork once it gains stake.
	mustVote(t, f, "D", 6, 30)
	if got := f.BestSlot(); got != 6 {
		t.Fatalf("best %d, want 6", got)
	}
}

func TestForkChoiceBreaksTiesTowardTheLowerSlot(t *testing.T) {
	f := forks(t)
	mustVote(t, f, "A", 3, 10)
	mustVote(t, f, "B", 5, 10)
	if got := f.BestSlot(); got != 3 {
		t.Fatalf("best %d, want 3 (2 < 4)", got)
	}
	if got := NewForkChoice(7).BestSlot(); got != 7 {
		t.Fatalf("lone root: best %d", got)
	}
}

func TestForkChoiceIgnoresOlderVotesAndUnknownSlots(t *testing.T) {
	f := forks(t)
	mustVote(t, f, "A", 5, 10)
	if err := f.Vote(key("A"), 3, 10); !errors.Is(err, ErrVoteNotAdvanced) {
		t.Fatalf("older vote: %v", err)
	}
	if err := f.Vote(key("A"), 99, 10); !errors.Is(err, ErrUnknownSlot) {
		t.Fatalf("unknown slot: %v", err)
	}
	if f.BestSlot() != 5 || f.SubtreeStake(0) != 10 {
		t.Fatal("a refused vote changed the weights")
	}
	if err := f.AddSlot(5, 4); !errors.Is(err, ErrSlotExists) {
		t.Fatalf("duplicate slot: %v", err)
	}
	if err := f.AddSlot(7, 8); !errors.Is(err, ErrBadParent) {
		t.Fatalf("unknown parent: %v", err)
	}
}

func TestForkChoiceSetRootPrunesOtherForks(t *testing.T) {
	f := forks(t)
	mustVote(t, f, "A", 3, 10)
	mustVote(t, f, "B", 5, 30)
	mustVote(t, f, "D", 6, 50)
	if err := f.SetRoot(4); err != nil {
		t.Fatal(err)
	}
	for _, s := range []uint64{0, 1, 2, 3, 6} {
		if f.Contains(s) {
			t.Fatalf("slot %d survived pruning", s)
		}
	}
	if f.BestSlot() != 5 || f.SubtreeStake(4) != 30 {
		t.Fatalf("best %d, stake %d", f.BestSlot(), f.SubtreeStake(4))
	}
	// D's vote was pruned; its next vote counts without undoing the old one.
	mustAdd(t, f, [2]uint64{8, 4})
	mustVote(t, f, "D", 8, 50)
	if f.BestSlot() != 8 || f.SubtreeStake(4) != 80 {
		t.Fatalf("best %d, stake %d", f.BestSlot(), f.SubtreeStake(4))
	}
}

func TestForkChoiceStakeOffForkAndAncestry(t *testing.T) {
	f := forks(t)
	mustVote(t, f, "A", 1, 10) // an ancestor of 3: same fork
	mustVote(t, f, "B", 3, 20) // 3 itself
	mustVote(t, f, "C", 5, 30) // another fork
	mustVote(t, f, "D", 6, 40) // another fork
	off, err := f.StakeOffFork(3)
	if err != nil || off != 70 {
		t.Fatalf("off fork %d %v, want 70", off, err)
	}
	if !f.IsAncestor(1, 3) || f.IsAncestor(4, 3) || !f.IsAncestor(3, 3) {
		t.Fatal("ancestry wrong")
	}
	fork, _ := f.Fork(5)
	if len(fork) != 4 || !fork.Contains(4) || fork.Contains(2) {
		t.Fatalf("fork of 5: %v", fork)
	}
	vs, _ := f.VotedStakes(3)
	if vs[1] != 60 || vs[3] != 20 || vs[0] != 100 {
		t.Fatalf("voted stakes %v", vs)
	}
}
