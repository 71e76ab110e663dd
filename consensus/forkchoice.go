package consensus

import (
	"slices"

	"github.com/gnomon-chain/gnomon/sdk"
)

// ForkChoice picks the fork to build and vote on: the heaviest subtree,
// weighing each slot by the stake of the validators whose latest vote is for
// that slot or one of its descendants. Starting at the root, it steps into
// the child with the most stake below it until it reaches a leaf; a tie goes
// to the lower slot, the block that was produced first, so that every node
// with the same votes picks the same fork.
//
// Only each validator's latest vote counts: a validator's stake moves with
// its votes and is never counted on two forks at once. ForkChoice is a pure
// core; the shell feeds it frozen banks (AddSlot), votes seen in blocks and
// gossip (Vote) and new roots (SetRoot).
type ForkChoice struct {
	root  uint64
	nodes map[uint64]*forkNode
	votes map[sdk.Pubkey]latestVote
}

type forkNode struct {
	parent    uint64
	hasParent bool
	// children is sorted by slot, which makes the tie-break a scan order.
	children []uint64
	// stake is the stake of latest votes for exactly this slot; subtree
	// adds every descendant's.
	stake   uint64
	subtree uint64
}

type latestVote struct {
	slot  uint64
	stake uint64
	// counted is whether stake is in the tree: a vote for a slot that
	// SetRoot pruned counts for nothing.
	counted bool
}

// NewForkChoice returns a fork choice holding only root.
func NewForkChoice(root uint64) *ForkChoice {
	return &ForkChoice{
		root:  root,
		nodes: map[uint64]*forkNode{root: {}},
		votes: make(map[sdk.Pubkey]latestVote),
	}
}

// Root returns the root slot.
func (f *ForkChoice) Root() uint64 { return f.root }

// Contains reports whether slot is in the tree (the root or a descendant).
func (f *ForkChoice) Contains(slot uint64) bool {
	_, ok := f.nodes[slot]
	return ok
}

// AddSlot adds slot as a child of parent, which must be in the tree and
// older than slot.
func (f *ForkChoice) AddSlot(slot, parent uint64) error {
	if _, ok := f.nodes[slot]; ok {
		return ErrSlotExists
	}
	p, ok := f.nodes[parent]
	if !ok || slot <= parent {
		return ErrBadParent
	}
	f.nodes[slot] = &forkNode{parent: parent, hasParent: true}
	i, _ := slices.BinarySearch(p.children, slot)
	p.children = slices.Insert(p.children, i, slot)
	return nil
}

// Vote records validator's latest vote, for slot with stake. A vote older
// than the validator's latest is refused with ErrVoteNotAdvanced; one for
// the same slot updates the stake; one for a slot not in the tree is refused
// with ErrUnknownSlot (the shell adds the bank first).
func (f *ForkChoice) Vote(validator sdk.Pubkey, slot, stake uint64) error {
	old, had := f.votes[validator]
	if had && slot < old.slot {
		return ErrVoteNotAdvanced
	}
	if _, ok := f.nodes[slot]; !ok {
		return ErrUnknownSlot
	}
	if had && old.counted {
		f.addPath(old.slot, old.stake, false)
	}
	f.addPath(slot, stake, true)
	f.votes[validator] = latestVote{slot: slot, stake: stake, counted: true}
	return nil
}

// addPath adds (or removes) stake at slot and in the subtree weight of slot
// and every ancestor.
func (f *ForkChoice) addPath(slot, stake uint64, add bool) {
	n := f.nodes[slot]
	if add {
		n.stake = addStake(n.stake, stake)
	} else {
		n.stake -= stake
	}
	for {
		if add {
			n.subtree = addStake(n.subtree, stake)
		} else {
			n.subtree -= stake
		}
		if !n.hasParent {
			return
		}
		n = f.nodes[n.parent]
	}
}

// SetRoot makes slot the root and prunes every slot that does not descend
// from it; votes for pruned slots stop counting.
func (f *ForkChoice) SetRoot(slot uint64) error {
	n, ok := f.nodes[slot]
	if !ok {
		return ErrUnknownSlot
	}
	if slot == f.root {
		return nil
	}
	keep := make(map[uint64]*forkNode)
	stack := []uint64{slot}
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		keep[s] = f.nodes[s]
		stack = append(stack, f.nodes[s].children...)
	}
	// The kept subtree's weights need no change: they only ever summed
	// stake from inside it.
	n.hasParent, n.parent = false, 0
	f.nodes, f.root = keep, slot
	for v, lv := range f.votes {
		if lv.counted && !f.Contains(lv.slot) {
			lv.counted = false
			f.votes[v] = lv
		}
	}
	return nil
}

// BestSlot returns the leaf at the end of the heaviest path from the root.
func (f *ForkChoice) BestSlot() uint64 {
	slot := f.root
	for {
		n := f.nodes[slot]
		if len(n.children) == 0 {
			return slot
		}
		best := n.children[0]
		for _, c := range n.children[1:] {
			// Strictly heavier only: children are in slot order, so a tie
			// keeps the lower slot.
			if f.nodes[c].subtree > f.nodes[best].subtree {
				best = c
			}
		}
		slot = best
	}
}

// SubtreeStake returns the stake of latest votes for slot or its
// descendants, or 0 for a slot not in the tree.
func (f *ForkChoice) SubtreeStake(slot uint64) uint64 {
	if n, ok := f.nodes[slot]; ok {
		return n.subtree
	}
	return 0
}

// Fork returns slot and all its ancestors down to the root: the argument
// Tower.IsLockedOut, Tower.CanSwitch and Aggregator.Confirmed expect.
func (f *ForkChoice) Fork(slot uint64) (Ancestors, error) {
	n, ok := f.nodes[slot]
	if !ok {
		return nil, ErrUnknownSlot
	}
	a := Ancestors{slot: {}}
	for n.hasParent {
		a[n.parent] = struct{}{}
		n = f.nodes[n.parent]
	}
	return a, nil
}

// IsAncestor reports whether a is b or an ancestor of b in the tree.
func (f *ForkChoice) IsAncestor(a, b uint64) bool {
	n, ok := f.nodes[b]
	if !ok {
		return false
	}
	for s := b; ; s = n.parent {
		if s == a {
			return true
		}
		if !n.hasParent || s < a {
			return false
		}
		n = f.nodes[n.parent]
	}
}

// VotedStakes returns, for every slot on slot's fork, the stake whose latest
// vote covers it (the vote's slot is it or a descendant): the votedStakes
// argument of Tower.CheckVoteStakeThreshold.
func (f *ForkChoice) VotedStakes(slot uint64) (map[uint64]uint64, error) {
	fork, err := f.Fork(slot)
	if err != nil {
		return nil, err
	}
	out := make(map[uint64]uint64, len(fork))
	for s := range fork {
		out[s] = f.nodes[s].subtree
	}
	return out, nil
}

// StakeOffFork returns the stake of latest votes for slots in the tree that
// are neither ancestors nor descendants of lastVoted: the stake on other
// forks that Tower.CanSwitch weighs.
func (f *ForkChoice) StakeOffFork(lastVoted uint64) (uint64, error) {
	n, ok := f.nodes[lastVoted]
	if !ok {
		return 0, ErrUnknownSlot
	}
	same := n.subtree
	for n.hasParent {
		n = f.nodes[n.parent]
		same = addStake(same, n.stake)
	}
	return f.nodes[f.root].subtree - same, nil
}
