package consensus

import (
	"cmp"
	"slices"

	"github.com/gnomon-chain/gnomon/sdk"
)

// Observation is what the node learned of one validator's latest vote: the
// slot voted for, the root of its tower, the validator's epoch stake, and
// optionally the other slots of its tower (a TowerSync carries them), which
// let a vote for a slot this node has not seen still count for the older
// slots of its tower that are on this node's fork.
type Observation struct {
	Validator sdk.Pubkey
	Slot      uint64
	HasRoot   bool
	Root      uint64
	Stake     uint64
	Tower     []uint64
}

// Levels are the three commitment levels of a fork, Solana's meanings.
// A level without a slot yet has its Has flag false.
type Levels struct {
	Processed    uint64
	Confirmed    uint64
	HasConfirmed bool
	Finalized    uint64
	HasFinalized bool
}

// Aggregator computes confirmed and finalized slots from validators' latest
// votes weighted by epoch stake. It never special-cases a single validator:
// one validator with all the stake confirms by the same two-thirds
// arithmetic that needs several when stake is spread.
type Aggregator struct {
	totalStake uint64
	votes      map[sdk.Pubkey]Observation
}

// NewAggregator returns an aggregator for an epoch whose total active stake
// is totalStake.
func NewAggregator(totalStake uint64) *Aggregator {
	return &Aggregator{totalStake: totalStake, votes: make(map[sdk.Pubkey]Observation)}
}

// Observe records o if it is the validator's newest vote: votes arrive from
// blocks and gossip in any order, and an older one must not undo a newer.
// A root never goes back, so an observation's root is kept at least as high
// as the validator's previous one. It reports whether o was kept.
func (a *Aggregator) Observe(o Observation) bool {
	old, had := a.votes[o.Validator]
	if had && (o.Slot < old.Slot || (o.Slot == old.Slot && !rootAdvanced(old, o))) {
		return false
	}
	if had && old.HasRoot && (!o.HasRoot || o.Root < old.Root) {
		o.HasRoot, o.Root = true, old.Root
	}
	o.Tower = slices.Clone(o.Tower)
	a.votes[o.Validator] = o
	return true
}

func rootAdvanced(old, o Observation) bool {
	return o.HasRoot && (!old.HasRoot || o.Root > old.Root)
}

// ObserveTower records validator's tower as its latest vote: the in-process
// way to feed the aggregator the votes a TowerSync would carry.
func (a *Aggregator) ObserveTower(validator sdk.Pubkey, stake uint64, t *Tower) bool {
	last, _, ok := t.LastVote()
	if !ok {
		return false
	}
	root, hasRoot := t.Root()
	votes := t.Votes()
	tower := make([]uint64, len(votes))
	for i, v := range votes {
		tower[i] = v.Slot
	}
	return a.Observe(Observation{Validator: validator, Slot: last, HasRoot: hasRoot, Root: root, Stake: stake, Tower: tower})
}

// Confirmed returns the highest slot of fork (a slot and all its ancestors,
// see ForkChoice.Fork) that at least two thirds of the epoch stake has voted
// for, a vote for a slot counting for all its ancestors, as optimistic
// confirmation counts it.
//
// A validator's tower is one chain, so the highest of its slots (vote,
// tower, root) that lies on fork covers exactly the fork's slots at or
// below it.
func (a *Aggregator) Confirmed(fork Ancestors) (uint64, bool) {
	return a.confirmed(func(o Observation) (uint64, bool) { return highestOnFork(o, fork) })
}

// ConfirmedWith is Confirmed where a vote for a slot off the fork also
// counts for the highest slot the two forks share, which tree (the node's
// fork choice) knows: a validator voting on a sibling fork has still voted
// for every ancestor of its vote, as optimistic confirmation counts it.
func (a *Aggregator) ConfirmedWith(fork Ancestors, tree *ForkChoice) (uint64, bool) {
	return a.confirmed(func(o Observation) (uint64, bool) {
		best, found := highestOnFork(o, fork)
		if fork.Contains(o.Slot) || tree == nil || !tree.Contains(o.Slot) {
			return best, found
		}
		anc, err := tree.Fork(o.Slot)
		if err != nil {
			return best, found
		}
		for s := range anc {
			if fork.Contains(s) && (!found || s > best) {
				best, found = s, true
			}
		}
		return best, found
	})
}

// confirmed finds the highest slot that votes holding two thirds of the
// stake cover, where coverOf says which slot a vote counts for (a slot of
// the fork for confirmation, the vote's root for finality).
func (a *Aggregator) confirmed(coverOf func(Observation) (uint64, bool)) (uint64, bool) {
	type cover struct{ slot, stake uint64 }
	covers := make([]cover, 0, len(a.votes))
	for _, o := range a.votes {
		h, ok := coverOf(o)
		if ok {
			covers = append(covers, cover{h, o.Stake})
		}
	}
	slices.SortFunc(covers, func(x, y cover) int { return cmp.Compare(y.slot, x.slot) })
	var stake uint64
	for _, c := range covers {
		stake = addStake(stake, c.stake)
		if atLeastTwoThirds(stake, a.totalStake) {
			return c.slot, true
		}
	}
	return 0, false
}

func highestOnFork(o Observation, fork Ancestors) (uint64, bool) {
	if fork.Contains(o.Slot) {
		return o.Slot, true
	}
	for i := len(o.Tower) - 1; i >= 0; i-- {
		if o.Tower[i] < o.Slot && fork.Contains(o.Tower[i]) {
			return o.Tower[i], true
		}
	}
	if o.HasRoot && fork.Contains(o.Root) {
		return o.Root, true
	}
	return 0, false
}

// Finalized returns the highest slot that validators holding at least two
// thirds of the epoch stake have rooted. Roots are compared by slot number:
// a root is never rolled back, and two thirds cannot root two forks unless
// more than a third breaks its lockouts, so the roots of honest validators
// lie on one chain and a root at or above r implies r.
func (a *Aggregator) Finalized() (uint64, bool) {
	return a.confirmed(func(o Observation) (uint64, bool) { return o.Root, o.HasRoot })
}

// Levels returns the commitment of the node's fork: processed is the
// node's newest frozen bank on it (the shell's input), fork that slot and
// its ancestors.
func (a *Aggregator) Levels(processed uint64, fork Ancestors) Levels {
	l := Levels{Processed: processed}
	l.Confirmed, l.HasConfirmed = a.Confirmed(fork)
	l.Finalized, l.HasFinalized = a.Finalized()
	return l
}
