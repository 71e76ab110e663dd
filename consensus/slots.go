package consensus

import (
	"errors"
	"math/bits"
)

// Errors returned for bad input; check them with errors.Is.
var (
	ErrUnknownSlot     = errors.New("consensus: unknown slot")
	ErrSlotExists      = errors.New("consensus: slot already added")
	ErrBadParent       = errors.New("consensus: parent must be an older known slot")
	ErrNoStake         = errors.New("consensus: no staked validator")
	ErrStakeOverflow   = errors.New("consensus: total stake overflows u64")
	ErrDuplicateNode   = errors.New("consensus: validator listed twice")
	ErrBadTowerData    = errors.New("consensus: malformed tower")
	ErrEmptyEpoch      = errors.New("consensus: epoch has no slots")
	ErrNotVotedYet     = errors.New("consensus: tower has no vote")
	ErrBelowRoot       = errors.New("consensus: slot is older than the root")
	ErrVoteNotAdvanced = errors.New("consensus: slot is not newer than the last vote")
)

// Tower-BFT parameters, Solana's values.
const (
	// VoteThresholdDepth is how deep in the tower the stake threshold is
	// checked: before a vote would give the vote 8 deep more lockout, that
	// vote's slot must be confirmed by VoteThreshold of stake.
	VoteThresholdDepth = 8
	// SwitchForkThresholdPercent is the share of stake that must be locked
	// out on other forks before a validator may switch away from its fork.
	SwitchForkThresholdPercent = 38
	// NumConsecutiveLeaderSlots is how many slots in a row one leader gets.
	NumConsecutiveLeaderSlots = 4
)

// Ancestors is a set of slots; as an argument it holds the ancestors of a
// slot on one fork (the slot itself may be in it or not).
type Ancestors map[uint64]struct{}

// NewAncestors returns the set of slots.
func NewAncestors(slots ...uint64) Ancestors {
	a := make(Ancestors, len(slots))
	for _, s := range slots {
		a[s] = struct{}{}
	}
	return a
}

// Contains reports whether slot is in the set.
func (a Ancestors) Contains(slot uint64) bool {
	_, ok := a[slot]
	return ok
}

// atLeastTwoThirds reports stake*3 >= total*2 without overflow. With a zero
// total nothing is confirmed: no stake means no vote can speak for anyone.
func atLeastTwoThirds(stake, total uint64) bool {
	if total == 0 {
		return false
	}
	return !lessProduct(stake, 3, total, 2)
}

// moreThanPercent reports stake*100 > total*pct without overflow.
func moreThanPercent(stake, total, pct uint64) bool {
	if total == 0 {
		return false
	}
	return lessProduct(total, pct, stake, 100)
}

// lessProduct reports a*b < c*d in 128-bit arithmetic.
func lessProduct(a, b, c, d uint64) bool {
	h1, l1 := bits.Mul64(a, b)
	h2, l2 := bits.Mul64(c, d)
	return h1 < h2 || (h1 == h2 && l1 < l2)
}

// addStake adds with saturation; totals are checked for overflow where
// they are formed (NewAggregator, NewLeaderSchedule), so saturation only
// guards sums of inputs that lied about their stake.
func addStake(a, b uint64) uint64 {
	s, c := bits.Add64(a, b, 0)
	if c != 0 {
		return ^uint64(0)
	}
	return s
}
