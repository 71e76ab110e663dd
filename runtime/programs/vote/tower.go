package vote

import (
	"cmp"
	"math"
	"sort"

	"github.com/gnomon-chain/gnomon/runtime/invoke"
	"github.com/gnomon-chain/gnomon/runtime/sysvar"
	"github.com/gnomon-chain/gnomon/sdk"
)

// VoteError codes, Solana's numbering (vote_error.rs); the program returns
// them as Custom errors.
const (
	CodeVoteTooOld uint32 = iota
	CodeSlotsMismatch
	CodeSlotHashMismatch
	CodeEmptySlots
	CodeTimestampTooOld
	CodeTooSoonToReauthorize
	CodeLockoutConflict
	CodeNewVoteStateLockoutMismatch
	CodeSlotsNotOrdered
	CodeConfirmationsNotOrdered
	CodeZeroConfirmations
	CodeConfirmationTooLarge
	CodeRootRollBack
	CodeConfirmationRollBack
	CodeSlotSmallerThanRoot
	CodeTooManyVotes
	CodeVotesTooOldAllFiltered
	CodeRootOnDifferentFork
	CodeActiveVoteAccountClose
	CodeCommissionUpdateTooLate
	CodeAssertionFailed
)

// VoteError sentinels; errors.Is matches them and invoke.CustomErr(code).
var (
	ErrVoteTooOld                  = invoke.CustomErr(CodeVoteTooOld)
	ErrSlotsMismatch               = invoke.CustomErr(CodeSlotsMismatch)
	ErrSlotHashMismatch            = invoke.CustomErr(CodeSlotHashMismatch)
	ErrEmptySlots                  = invoke.CustomErr(CodeEmptySlots)
	ErrTimestampTooOld             = invoke.CustomErr(CodeTimestampTooOld)
	ErrTooSoonToReauthorize        = invoke.CustomErr(CodeTooSoonToReauthorize)
	ErrLockoutConflict             = invoke.CustomErr(CodeLockoutConflict)
	ErrNewVoteStateLockoutMismatch = invoke.CustomErr(CodeNewVoteStateLockoutMismatch)
	ErrSlotsNotOrdered             = invoke.CustomErr(CodeSlotsNotOrdered)
	ErrConfirmationsNotOrdered     = invoke.CustomErr(CodeConfirmationsNotOrdered)
	ErrZeroConfirmations           = invoke.CustomErr(CodeZeroConfirmations)
	ErrConfirmationTooLarge        = invoke.CustomErr(CodeConfirmationTooLarge)
	ErrRootRollBack                = invoke.CustomErr(CodeRootRollBack)
	ErrConfirmationRollBack        = invoke.CustomErr(CodeConfirmationRollBack)
	ErrSlotSmallerThanRoot         = invoke.CustomErr(CodeSlotSmallerThanRoot)
	ErrTooManyVotes                = invoke.CustomErr(CodeTooManyVotes)
	// ErrVotesTooOldAllFiltered is returned only by the legacy Vote
	// instruction, which this program does not accept; kept for the numbering.
	ErrVotesTooOldAllFiltered  = invoke.CustomErr(CodeVotesTooOldAllFiltered)
	ErrRootOnDifferentFork     = invoke.CustomErr(CodeRootOnDifferentFork)
	ErrActiveVoteAccountClose  = invoke.CustomErr(CodeActiveVoteAccountClose)
	ErrCommissionUpdateTooLate = invoke.CustomErr(CodeCommissionUpdateTooLate)
	// ErrAssertionFailed marks a broken internal invariant of the SlotHashes
	// walk; no input reaches it.
	ErrAssertionFailed = invoke.CustomErr(CodeAssertionFailed)
)

// Timely vote credits (SIMD-0033): a vote that lands within
// voteCreditsGraceSlots of its slot earns voteCreditsMaxPerSlot when it
// roots, one less per slot of further delay, and at least one.
const (
	voteCreditsGraceSlots = 2
	voteCreditsMaxPerSlot = 16
)

// TowerSync is a voter's whole tower as it proposes it: the lockouts
// (oldest first), the root, the bank hash of the last voted slot, an
// optional timestamp for that slot and the block id.
type TowerSync struct {
	Lockouts     []Lockout
	HasRoot      bool
	Root         uint64
	Hash         sdk.Hash
	HasTimestamp bool
	Timestamp    int64
	BlockID      sdk.Hash
}

// LastVotedSlot is the newest slot the TowerSync votes for.
func (t *TowerSync) LastVotedSlot() (uint64, bool) {
	if len(t.Lockouts) == 0 {
		return 0, false
	}
	return t.Lockouts[len(t.Lockouts)-1].Slot, true
}

// ProcessTowerSync applies a proposed tower to s with Agave's rules
// (check_and_filter_proposed_vote_state, then process_new_vote_state) at
// currentSlot of epoch, against slotHashes (newest first) of the voting
// bank's fork. On error s is unchanged. Authority checks are the caller's.
//
// The proposal is checked against the fork first: its last slot must be
// newer than the state's and present in SlotHashes with the proposed hash,
// every slot and the root that SlotHashes still covers must be on the fork,
// and slots too old to check are dropped unless the state already holds
// them. Then the tower itself must be well formed and must not break any
// lockout of the state it replaces.
func (s *State) ProcessTowerSync(ts *TowerSync, slotHashes []sysvar.SlotHash, epoch, currentSlot uint64) error {
	lockouts, hasRoot, root, err := s.checkAndFilter(ts, slotHashes)
	if err != nil {
		return err
	}
	votes := make([]LandedVote, len(lockouts))
	for i, l := range lockouts {
		votes[i] = LandedVote{Lockout: l}
	}
	return s.processNewVoteState(votes, hasRoot, root, ts.HasTimestamp, ts.Timestamp, epoch, currentSlot)
}

// checkAndFilter returns the proposal's lockouts without the slots too old
// to verify, and its root, moved back to a slot the state can vouch for when
// SlotHashes no longer covers it.
func (s *State) checkAndFilter(ts *TowerSync, slotHashes []sysvar.SlotHash) ([]Lockout, bool, uint64, error) {
	proposed := ts.Lockouts
	if len(proposed) == 0 {
		return nil, false, 0, ErrEmptySlots
	}
	lastProposed := proposed[len(proposed)-1].Slot
	if last, ok := s.LastVotedSlot(); ok && lastProposed <= last {
		return nil, false, 0, ErrVoteTooOld
	}
	if len(slotHashes) == 0 {
		return nil, false, 0, ErrSlotsMismatch
	}
	earliest := slotHashes[len(slotHashes)-1].Slot
	if lastProposed < earliest {
		return nil, false, 0, ErrVoteTooOld
	}
	hasRoot, root := ts.HasRoot, ts.Root
	if hasRoot && root < earliest {
		// SlotHashes cannot show that root is on this fork, so fall back to
		// the newest slot at or below it that the state already holds.
		hasRoot, root = s.HasRoot, s.RootSlot
		for i := len(s.Votes) - 1; i >= 0; i-- {
			if s.Votes[i].Slot <= ts.Root {
				hasRoot, root = true, s.Votes[i].Slot
				break
			}
		}
	}

	// Walk the proposal oldest first and SlotHashes oldest first together;
	// the root, if any, is checked before the first lockout.
	checkRoot := hasRoot
	pi := 0
	hi := len(slotHashes)
	var filter []int
	for pi < len(proposed) && hi > 0 {
		slot := proposed[pi].Slot
		if checkRoot {
			slot = root
		} else if pi > 0 && slot <= proposed[pi-1].Slot {
			return nil, false, 0, ErrSlotsNotOrdered
		}
		ancestor := slotHashes[hi-1].Slot
		switch {
		case slot < ancestor:
			if hi != len(slotHashes) {
				// New enough for SlotHashes but absent: another fork.
				if checkRoot {
					return nil, false, 0, ErrRootOnDifferentFork
				}
				return nil, false, 0, ErrSlotsMismatch
			}
			// Older than SlotHashes: unverifiable. Keep it only if the
			// state already voted for it.
			if checkRoot {
				checkRoot = false
				continue
			}
			if !s.containsSlot(slot) {
				filter = append(filter, pi)
			}
			pi++
		case slot > ancestor:
			// SlotHashes is sorted newest first, so rather than stepping one
			// entry at a time as Agave does, jump to just past the oldest
			// entry not older than slot; the walk visits the same matches.
			hi = sort.Search(hi-1, func(j int) bool { return slotHashes[j].Slot < slot })
		default:
			if checkRoot {
				checkRoot = false
			} else {
				pi++
				hi--
			}
		}
	}
	if pi != len(proposed) {
		return nil, false, 0, ErrSlotsMismatch
	}
	// The loop ended on a match of lastProposed (it is not older than
	// SlotHashes), which left hi at the matched entry.
	if hi >= len(slotHashes) || slotHashes[hi].Slot != lastProposed {
		return nil, false, 0, ErrAssertionFailed
	}
	if slotHashes[hi].Hash != ts.Hash {
		return nil, false, 0, ErrSlotHashMismatch
	}
	if len(filter) == 0 {
		return proposed, hasRoot, root, nil
	}
	kept := make([]Lockout, 0, len(proposed)-len(filter))
	fi := 0
	for i, l := range proposed {
		if fi < len(filter) && filter[fi] == i {
			fi++
			continue
		}
		kept = append(kept, l)
	}
	return kept, hasRoot, root, nil
}

func (s *State) containsSlot(slot uint64) bool {
	lo, hi := 0, len(s.Votes)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		switch cmp.Compare(s.Votes[m].Slot, slot) {
		case 0:
			return true
		case -1:
			lo = m + 1
		default:
			hi = m
		}
	}
	return false
}

// processNewVoteState replaces the tower with votes after checking that
// they form a valid tower that honours every lockout of the current one.
func (s *State) processNewVoteState(votes []LandedVote, hasRoot bool, root uint64,
	hasTimestamp bool, timestamp int64, epoch, currentSlot uint64) error {
	if len(votes) == 0 {
		// Filtering never removes the last proposed slot.
		return ErrAssertionFailed
	}
	if len(votes) > MaxLockoutHistory {
		return ErrTooManyVotes
	}
	if s.HasRoot && (!hasRoot || root < s.RootSlot) {
		return ErrRootRollBack
	}
	for i, v := range votes {
		switch {
		case v.ConfirmationCount == 0:
			return ErrZeroConfirmations
		case v.ConfirmationCount > MaxLockoutHistory:
			return ErrConfirmationTooLarge
		// Agave's own tower once proposed root 0 with votes at 0, so a
		// zero root does not count.
		case hasRoot && v.Slot <= root && root != 0:
			return ErrSlotSmallerThanRoot
		}
		if i == 0 {
			continue
		}
		prev := votes[i-1]
		switch {
		case prev.Slot >= v.Slot:
			return ErrSlotsNotOrdered
		case prev.ConfirmationCount <= v.ConfirmationCount:
			return ErrConfirmationsNotOrdered
		case v.Slot > prev.LastLockedOutSlot():
			return ErrNewVoteStateLockoutMismatch
		}
	}

	// Votes of the current tower at or below the new root are rooted by
	// this update and earn their credits.
	ci, ni := 0, 0
	var earned uint64
	if hasRoot {
		for ci < len(s.Votes) && s.Votes[ci].Slot <= root {
			earned += s.creditsForVoteAt(ci)
			ci++
		}
	}
	// Every other current vote must either survive into the new tower with
	// no fewer confirmations, or have expired before the newer vote that
	// replaced it.
	for ci < len(s.Votes) && ni < len(votes) {
		cur := s.Votes[ci]
		nv := &votes[ni]
		switch {
		case cur.Slot < nv.Slot:
			if cur.LastLockedOutSlot() >= nv.Slot {
				return ErrLockoutConflict
			}
			ci++
		case cur.Slot == nv.Slot:
			if nv.ConfirmationCount < cur.ConfirmationCount {
				return ErrConfirmationRollBack
			}
			nv.Latency = cur.Latency
			ci++
			ni++
		default:
			ni++
		}
	}
	last := votes[len(votes)-1].Slot
	if hasTimestamp && !s.timestampAcceptable(last, timestamp) {
		return ErrTimestampTooOld
	}

	// Checks passed; commit. Latency is measured here, when the vote
	// lands, so a voter cannot claim its own.
	for i := range votes {
		if votes[i].Latency == 0 {
			votes[i].Latency = voteLatency(votes[i].Slot, currentSlot)
		}
	}
	if !hasRoot {
		root = 0
	}
	if s.HasRoot != hasRoot || s.RootSlot != root {
		s.incrementCredits(epoch, earned)
	}
	if hasTimestamp {
		s.LastTimestamp = BlockTimestamp{Slot: last, Timestamp: timestamp}
	}
	s.HasRoot, s.RootSlot = hasRoot, root
	s.Votes = append(s.Votes[:0], votes...)
	return nil
}

// timestampAcceptable is Agave's process_timestamp rule: time and slot
// never go back, and a second timestamp for the same slot must repeat the
// first (slot 0 excepted, for a fresh state).
func (s *State) timestampAcceptable(slot uint64, ts int64) bool {
	last := s.LastTimestamp
	if slot < last.Slot || ts < last.Timestamp {
		return false
	}
	return !(slot == last.Slot && ts != last.Timestamp && last.Slot != 0)
}

func voteLatency(voted, current uint64) uint8 {
	if current <= voted {
		return 0
	}
	return uint8(min(current-voted, math.MaxUint8))
}

// creditsForVoteAt is the timely-vote-credit value of the vote at index i.
func (s *State) creditsForVoteAt(i int) uint64 {
	latency := s.Votes[i].Latency
	switch {
	// Latency 0 marks a vote stored without one: one credit.
	case latency == 0:
		return 1
	case latency <= voteCreditsGraceSlots:
		return voteCreditsMaxPerSlot
	case int(latency)-voteCreditsGraceSlots >= voteCreditsMaxPerSlot:
		return 1
	}
	return uint64(voteCreditsMaxPerSlot - (int(latency) - voteCreditsGraceSlots))
}

// incrementCredits adds credits to epoch's entry, opening an entry for a new
// epoch only if the previous one earned anything.
func (s *State) incrementCredits(epoch, credits uint64) {
	if len(s.EpochCredits) == 0 {
		s.EpochCredits = append(s.EpochCredits, EpochCredits{Epoch: epoch})
	} else if last := &s.EpochCredits[len(s.EpochCredits)-1]; last.Epoch != epoch {
		if last.Credits != last.PrevCredits {
			s.EpochCredits = append(s.EpochCredits, EpochCredits{Epoch: epoch, Credits: last.Credits, PrevCredits: last.Credits})
		} else {
			last.Epoch = epoch
		}
		if len(s.EpochCredits) > MaxEpochCreditsHistory {
			s.EpochCredits = append(s.EpochCredits[:0], s.EpochCredits[1:]...)
		}
	}
	last := &s.EpochCredits[len(s.EpochCredits)-1]
	last.Credits = satAdd(last.Credits, credits)
}

func satAdd(a, b uint64) uint64 {
	if a+b < a {
		return math.MaxUint64
	}
	return a + b
}

// ProcessNextVoteSlot pushes a vote for slot onto the tower as a voter's own
// tower does before proposing it: expired votes pop, a 32nd vote roots the
// oldest and earns its credits, and every vote with enough votes stacked on
// it doubles its lockout. A slot not newer than the last vote is ignored.
func (s *State) ProcessNextVoteSlot(slot, epoch, currentSlot uint64) {
	if last, ok := s.LastVotedSlot(); ok && slot <= last {
		return
	}
	for len(s.Votes) > 0 && !s.Votes[len(s.Votes)-1].IsLockedOutAtSlot(slot) {
		s.Votes = s.Votes[:len(s.Votes)-1]
	}
	if len(s.Votes) == MaxLockoutHistory {
		credits := s.creditsForVoteAt(0)
		s.HasRoot, s.RootSlot = true, s.Votes[0].Slot
		s.Votes = append(s.Votes[:0], s.Votes[1:]...)
		s.incrementCredits(epoch, credits)
	}
	s.Votes = append(s.Votes, LandedVote{Latency: voteLatency(slot, currentSlot), Lockout: Lockout{Slot: slot, ConfirmationCount: 1}})
	depth := len(s.Votes)
	for i := range s.Votes {
		if depth > i+int(s.Votes[i].ConfirmationCount) {
			s.Votes[i].ConfirmationCount++
		}
	}
}

// TowerSync returns the state's tower as a proposal for the bank whose hash
// is hash; a voter sends this after ProcessNextVoteSlot.
func (s *State) TowerSync(hash sdk.Hash) TowerSync {
	ts := TowerSync{HasRoot: s.HasRoot, Root: s.RootSlot, Hash: hash, Lockouts: make([]Lockout, len(s.Votes))}
	for i, v := range s.Votes {
		ts.Lockouts[i] = v.Lockout
	}
	return ts
}

// AuthorizedVoterAt returns the voter for epoch and, as Agave does on every
// vote and authorization, records it at epoch and drops entries before
// epoch. A state with no voter for epoch is InvalidAccountData.
func (s *State) AuthorizedVoterAt(epoch uint64) (sdk.Pubkey, error) {
	i := len(s.AuthorizedVoters) - 1
	for i >= 0 && s.AuthorizedVoters[i].Epoch > epoch {
		i--
	}
	if i < 0 {
		return sdk.Pubkey{}, ErrInvalidState
	}
	voter := s.AuthorizedVoters[i].Pubkey
	s.AuthorizedVoters[i].Epoch = epoch
	s.AuthorizedVoters = append(s.AuthorizedVoters[:0], s.AuthorizedVoters[i:]...)
	return voter, nil
}

// setNewAuthorizedVoter schedules voter to take over at targetEpoch, after
// verify accepts the voter of currentEpoch (Agave's set_new_authorized_voter).
func (s *State) setNewAuthorizedVoter(voter sdk.Pubkey, currentEpoch, targetEpoch uint64, verify func(current sdk.Pubkey) error) error {
	current, err := s.AuthorizedVoterAt(currentEpoch)
	if err != nil {
		return err
	}
	if err := verify(current); err != nil {
		return err
	}
	for _, v := range s.AuthorizedVoters {
		if v.Epoch == targetEpoch {
			return ErrTooSoonToReauthorize
		}
	}
	if len(s.AuthorizedVoters) >= MaxAuthorizedVoters {
		// Only a leader schedule more than two epochs ahead gets here.
		return ErrInvalidState
	}
	latest := s.AuthorizedVoters[len(s.AuthorizedVoters)-1]
	if latest.Pubkey != voter {
		var start uint64
		if p, ok := s.PriorVoters.Last(); ok {
			start = p.EndEpoch
		}
		if targetEpoch <= latest.Epoch {
			return ErrInvalidState
		}
		s.PriorVoters.append(PriorVoter{Pubkey: latest.Pubkey, StartEpoch: start, EndEpoch: targetEpoch})
	}
	// Insert keeping the order by epoch.
	i := len(s.AuthorizedVoters)
	for i > 0 && s.AuthorizedVoters[i-1].Epoch > targetEpoch {
		i--
	}
	s.AuthorizedVoters = append(s.AuthorizedVoters, AuthorizedVoter{})
	copy(s.AuthorizedVoters[i+1:], s.AuthorizedVoters[i:])
	s.AuthorizedVoters[i] = AuthorizedVoter{Epoch: targetEpoch, Pubkey: voter}
	return nil
}
