package consensus

import (
	"github.com/gnomon-chain/gnomon/runtime/programs/vote"
	"github.com/gnomon-chain/gnomon/sdk"
)

// Tower is a validator's local vote tower: the slots it has voted for with
// their lockouts (oldest first), its root, and the bank hash of its last
// vote.
//
// A vote on slot s with confirmation count c locks the validator out of
// every fork that does not contain s until slot s+2^c. Each new vote stacked
// on s doubles that lockout, votes whose lockout has expired pop off the top
// when a newer vote arrives, and a 32nd vote roots the oldest: a rooted slot
// can never be abandoned. The rules are the Vote program's
// (vote.State.ProcessNextVoteSlot): the tower the chain stores for this
// validator is rebuilt from the TowerSync this tower produces, so computing
// lockouts any other way here would let the two disagree.
//
// Tower is a pure core: it never reads the clock or the disk. The shell
// persists Marshal's bytes before it sends the vote they describe.
type Tower struct {
	// state holds only Votes, HasRoot and RootSlot; the rest of a vote
	// account (authorities, credits) is the chain's business.
	state    vote.State
	lastHash sdk.Hash
}

// NewTower returns an empty tower, as a validator that has never voted
// holds.
func NewTower() *Tower { return &Tower{} }

// Votes returns a copy of the tower's lockouts, oldest first.
func (t *Tower) Votes() []vote.Lockout {
	out := make([]vote.Lockout, len(t.state.Votes))
	for i, v := range t.state.Votes {
		out[i] = v.Lockout
	}
	return out
}

// Root returns the tower's root slot, if it has one.
func (t *Tower) Root() (uint64, bool) { return t.state.RootSlot, t.state.HasRoot }

// LastVote returns the newest slot voted for and its bank hash.
func (t *Tower) LastVote() (slot uint64, hash sdk.Hash, ok bool) {
	slot, ok = t.state.LastVotedSlot()
	return slot, t.lastHash, ok
}

// isRecent reports whether slot is newer than everything the tower has
// voted for or rooted; a vote on anything older is never allowed.
func (t *Tower) isRecent(slot uint64) bool {
	if last, ok := t.state.LastVotedSlot(); ok {
		return slot > last
	}
	return !t.state.HasRoot || slot > t.state.RootSlot
}

// RecordVote pushes a vote for slot, whose bank hash is hash, onto the
// tower and returns the new root when this vote rooted a slot. A slot not
// newer than the last vote (or the root) is ignored and returns nil.
//
// RecordVote does not check lockouts: the caller decides to vote only after
// IsLockedOut and CheckVoteStakeThreshold allow it, because only the caller
// knows the fork (ancestors) and the stake.
func (t *Tower) RecordVote(slot uint64, hash sdk.Hash) (newRoot *uint64) {
	if !t.isRecent(slot) {
		return nil
	}
	hadRoot, oldRoot := t.state.HasRoot, t.state.RootSlot
	// The epoch and current slot only feed vote credits, which the local
	// tower does not keep; zero epoch and latency keep the state stable.
	t.state.ProcessNextVoteSlot(slot, 0, slot)
	t.state.EpochCredits = nil
	t.lastHash = hash
	if t.state.HasRoot && (!hadRoot || t.state.RootSlot != oldRoot) {
		r := t.state.RootSlot
		return &r
	}
	return nil
}

// simulate returns the tower's state after a vote on slot, leaving t as it
// is.
func (t *Tower) simulate(slot uint64) *vote.State {
	s := &vote.State{Votes: append([]vote.LandedVote(nil), t.state.Votes...), HasRoot: t.state.HasRoot, RootSlot: t.state.RootSlot}
	s.ProcessNextVoteSlot(slot, 0, slot)
	return s
}

// IsLockedOut reports whether a vote on slot is refused: slot is not newer
// than the last vote, or some vote that would still be locked out after
// voting on slot (or the root) is not among slot's ancestors. ancestors
// holds the slots of slot's fork below it, the root included.
func (t *Tower) IsLockedOut(slot uint64, ancestors Ancestors) bool {
	if !t.isRecent(slot) {
		return true
	}
	// Votes whose lockout expires before slot pop off in the simulation;
	// every vote left must be on slot's fork.
	s := t.simulate(slot)
	for _, v := range s.Votes {
		if v.Slot != slot && !ancestors.Contains(v.Slot) {
			return true
		}
	}
	if s.HasRoot && s.RootSlot != slot && !ancestors.Contains(s.RootSlot) {
		return true
	}
	return false
}

// CheckVoteStakeThreshold reports whether voting on slot passes Solana's
// threshold check: after the vote, the vote VoteThresholdDepth deep in the
// tower must be on a slot that at least two thirds of totalStake has voted
// for (votedStakes maps a slot to the stake of validators whose votes
// cover it on this fork, a vote for a descendant counting for its
// ancestors). A vote whose deep vote keeps the lockout it already had passes
// without the stake, since it promises nothing new.
//
// Agave compares the fraction strictly (> 2/3); Gnomon uses ≥ 2/3, the same
// bound as confirmed commitment, so a slot the node reports confirmed never
// fails the threshold.
func (t *Tower) CheckVoteStakeThreshold(slot uint64, votedStakes map[uint64]uint64, totalStake uint64) bool {
	s := t.simulate(slot)
	i := len(s.Votes) - 1 - VoteThresholdDepth
	if i < 0 {
		return true
	}
	deep := s.Votes[i].Lockout
	if deep.ConfirmationCount > VoteThresholdDepth {
		for _, old := range t.state.Votes {
			if old.Lockout == deep {
				return true
			}
		}
	}
	stake, ok := votedStakes[deep.Slot]
	return ok && atLeastTwoThirds(stake, totalStake)
}

// CanSwitch reports whether the tower may vote on switchSlot, whose fork
// below it is switchAncestors. Staying on the fork of the last vote needs
// nothing; moving to another fork needs more than SwitchForkThresholdPercent
// of totalStake locked out on forks other than the last vote's
// (otherForksStake, see ForkChoice.StakeOffFork), which proves the cluster
// has moved on and the switch cannot help finalize two forks. A slot not
// newer than the last vote, or not descending from the root, never passes.
// Lockouts are IsLockedOut's to check; this is the extra rule for a switch.
func (t *Tower) CanSwitch(switchSlot uint64, switchAncestors Ancestors, otherForksStake, totalStake uint64) bool {
	if !t.isRecent(switchSlot) {
		return false
	}
	if t.state.HasRoot && !switchAncestors.Contains(t.state.RootSlot) {
		return false
	}
	last, ok := t.state.LastVotedSlot()
	if !ok || switchAncestors.Contains(last) {
		return true
	}
	return moreThanPercent(otherForksStake, totalStake, SwitchForkThresholdPercent)
}

// TowerSync returns the tower as the Vote program's TowerSync proposal for
// the last voted bank.
func (t *Tower) TowerSync() (vote.TowerSync, error) {
	if len(t.state.Votes) == 0 {
		return vote.TowerSync{}, ErrNotVotedYet
	}
	return t.state.TowerSync(t.lastHash), nil
}

// TowerSyncData returns the instruction data of the TowerSync vote for the
// current tower, with the block id of the last voted block and, when
// timestamp is not nil, the unix time the shell read for it (the core reads
// no clock).
func (t *Tower) TowerSyncData(blockID sdk.Hash, timestamp *int64) ([]byte, error) {
	ts, err := t.TowerSync()
	if err != nil {
		return nil, err
	}
	ts.BlockID = blockID
	if timestamp != nil {
		ts.HasTimestamp, ts.Timestamp = true, *timestamp
	}
	return vote.TowerSyncData(&ts)
}
