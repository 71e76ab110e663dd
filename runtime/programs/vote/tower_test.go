package vote

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"github.com/gnomon-chain/gnomon/runtime/invoke"
	"github.com/gnomon-chain/gnomon/runtime/sysvar"
	"github.com/gnomon-chain/gnomon/sdk"
)

// lockouts builds a tower from (slot, confirmation count) pairs.
func lockouts(pairs ...uint64) []Lockout {
	out := make([]Lockout, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, Lockout{Slot: pairs[i], ConfirmationCount: uint32(pairs[i+1])})
	}
	return out
}

// withVotes is an initialized state holding the tower given as pairs.
func withVotes(root int64, pairs ...uint64) *State {
	s := initialized()
	for _, l := range lockouts(pairs...) {
		s.Votes = append(s.Votes, LandedVote{Latency: 1, Lockout: l})
	}
	if root >= 0 {
		s.HasRoot, s.RootSlot = true, uint64(root)
	}
	return s
}

// proposal is a TowerSync voting for its last lockout with the right hash.
func proposal(root int64, pairs ...uint64) TowerSync {
	ts := TowerSync{Lockouts: lockouts(pairs...)}
	if root >= 0 {
		ts.HasRoot, ts.Root = true, uint64(root)
	}
	if n := len(ts.Lockouts); n > 0 {
		ts.Hash = hashOf(ts.Lockouts[n-1].Slot)
	}
	return ts
}

// sync sends ts through the executor at slot 100 (SlotHashes 0..99 unless
// hashes is given) and returns the new state or the error.
func sync(t *testing.T, s *State, ts TowerSync, hashes []sysvar.SlotHash) (*State, error) {
	t.Helper()
	env := testEnv(100, 0)
	if hashes != nil {
		env.SlotHashes = hashes
	}
	data, err := TowerSyncData(&ts)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	before := voteAcct(s)
	tx, err := run(t, env, data, before, signer(voter))
	if err != nil {
		if !bytes.Equal(tx.Accounts[0].Account.Data, before.data) {
			t.Fatal("failed TowerSync changed the account")
		}
		return nil, err
	}
	return stateOf(t, tx), nil
}

// without removes slots from a SlotHashes list.
func without(hashes []sysvar.SlotHash, slots ...uint64) []sysvar.SlotHash {
	return slices.DeleteFunc(slices.Clone(hashes), func(h sysvar.SlotHash) bool { return slices.Contains(slots, h.Slot) })
}

func TestTowerSyncRejectsVoteInsideLockout(t *testing.T) {
	// Slot 10 with two confirmations is locked out through slot 14; a tower
	// that drops it for slot 13 switches forks inside the lockout.
	s := withVotes(-1, 10, 2, 11, 1)
	_, err := sync(t, s, proposal(-1, 13, 1), nil)
	wantErr(t, err, ErrLockoutConflict)
	_, err = sync(t, s, proposal(-1, 14, 1), nil)
	wantErr(t, err, ErrLockoutConflict)
	// At slot 15 the lockout has expired and the switch is allowed.
	got, err := sync(t, s, proposal(-1, 15, 1), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.TowerSync(sdk.Hash{}).Lockouts, lockouts(15, 1)) {
		t.Fatalf("tower %v", got.Votes)
	}
}

func TestTowerSyncRejectsSlotNotInSlotHashes(t *testing.T) {
	hashes := without(slotHashes(0, 99), 50)
	_, err := sync(t, initialized(), proposal(-1, 50, 1), hashes)
	wantErr(t, err, ErrSlotsMismatch)
	// An earlier slot of the tower missing from the fork is caught too.
	_, err = sync(t, initialized(), proposal(-1, 50, 2, 51, 1), hashes)
	wantErr(t, err, ErrSlotsMismatch)
	// So is any vote when the bank has no SlotHashes at all.
	_, err = sync(t, initialized(), proposal(-1, 51, 1), []sysvar.SlotHash{})
	wantErr(t, err, ErrSlotsMismatch)
}

func TestTowerSyncRejectsHashOfAnotherFork(t *testing.T) {
	ts := proposal(-1, 50, 1)
	ts.Hash = sdk.Hash{0xde, 0xad}
	_, err := sync(t, initialized(), ts, nil)
	wantErr(t, err, ErrSlotHashMismatch)
}

func TestTowerSyncRejectsRootRollback(t *testing.T) {
	s := withVotes(20, 30, 2, 31, 1)
	_, err := sync(t, s, proposal(19, 30, 3, 31, 2, 32, 1), nil)
	wantErr(t, err, ErrRootRollBack)
	_, err = sync(t, s, proposal(-1, 30, 3, 31, 2, 32, 1), nil)
	wantErr(t, err, ErrRootRollBack)
	if _, err := sync(t, s, proposal(20, 30, 3, 31, 2, 32, 1), nil); err != nil {
		t.Fatalf("same root: %v", err)
	}
}

func TestTowerSyncRejectsRootOnAnotherFork(t *testing.T) {
	hashes := without(slotHashes(0, 99), 40)
	_, err := sync(t, initialized(), proposal(40, 50, 1), hashes)
	wantErr(t, err, ErrRootOnDifferentFork)
}

func TestTowerSyncRejectsOldVotes(t *testing.T) {
	s := withVotes(-1, 50, 2, 51, 1)
	_, err := sync(t, s, proposal(-1, 50, 3, 51, 2), nil)
	wantErr(t, err, ErrVoteTooOld)
	// A last slot older than all of SlotHashes cannot be checked.
	_, err = sync(t, initialized(), proposal(-1, 5, 1), slotHashes(10, 99))
	wantErr(t, err, ErrVoteTooOld)
}

func TestTowerSyncRejectsEmptyTower(t *testing.T) {
	_, err := sync(t, initialized(), proposal(-1), nil)
	wantErr(t, err, ErrEmptySlots)
}

func TestTowerSyncRejectsMalformedTowers(t *testing.T) {
	many := make([]uint64, 0, 64)
	for i := uint64(0); i < 32; i++ {
		many = append(many, 60+i, 32-i)
	}
	for _, tc := range []struct {
		name string
		ts   TowerSync
		want error
	}{
		{"SlotsNotOrdered", proposal(-1, 50, 2, 50, 1), ErrSlotsNotOrdered},
		{"ZeroConfirmations", proposal(-1, 50, 0), ErrZeroConfirmations},
		{"ConfirmationTooLarge", proposal(-1, 50, 32), ErrConfirmationTooLarge},
		{"ConfirmationsNotOrdered", proposal(-1, 50, 1, 51, 1), ErrConfirmationsNotOrdered},
		// Slot 50 with two confirmations expires after 54, so a real tower
		// would have popped it before voting 55.
		{"NewVoteStateLockoutMismatch", proposal(-1, 50, 2, 55, 1), ErrNewVoteStateLockoutMismatch},
		{"SlotSmallerThanRoot", proposal(50, 50, 1), ErrSlotSmallerThanRoot},
		{"TooManyVotes", proposal(-1, many...), ErrTooManyVotes},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := sync(t, initialized(), tc.ts, nil)
			wantErr(t, err, tc.want)
		})
	}
}

func TestTowerSyncRejectsConfirmationRollback(t *testing.T) {
	s := withVotes(-1, 50, 3, 51, 2, 52, 1)
	_, err := sync(t, s, proposal(-1, 50, 2, 53, 1), nil)
	wantErr(t, err, ErrConfirmationRollBack)
}

func TestTowerSyncRecordsTimestampsThatNeverGoBack(t *testing.T) {
	ts := proposal(-1, 50, 1)
	ts.HasTimestamp, ts.Timestamp = true, 1_700_000_000
	s, err := sync(t, initialized(), ts, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.LastTimestamp != (BlockTimestamp{Slot: 50, Timestamp: 1_700_000_000}) {
		t.Fatalf("timestamp %+v", s.LastTimestamp)
	}
	older := proposal(-1, 50, 2, 51, 1)
	older.HasTimestamp, older.Timestamp = true, 1_699_999_999
	_, err = sync(t, s, older, nil)
	wantErr(t, err, ErrTimestampTooOld)
	// Without a timestamp the vote lands and the last one stays.
	older.HasTimestamp = false
	s2, err := sync(t, s, older, nil)
	if err != nil || s2.LastTimestamp != s.LastTimestamp {
		t.Fatalf("%v %+v", err, s2)
	}
}

func TestTowerSyncDropsSlotsTooOldToVerify(t *testing.T) {
	hashes := slotHashes(40, 99)
	// 30 predates SlotHashes and is not in the state: dropped, not refused.
	s, err := sync(t, initialized(), proposal(-1, 30, 3, 45, 2, 46, 1), hashes)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.TowerSync(sdk.Hash{}).Lockouts; !slices.Equal(got, lockouts(45, 2, 46, 1)) {
		t.Fatalf("tower %v", got)
	}
	// One the state already holds is kept.
	s, err = sync(t, withVotes(-1, 38, 1), proposal(-1, 38, 2, 41, 1), hashes)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.TowerSync(sdk.Hash{}).Lockouts; !slices.Equal(got, lockouts(38, 2, 41, 1)) {
		t.Fatalf("tower %v", got)
	}
}

func TestTowerSyncMovesAnUnverifiableRootBackToAKnownVote(t *testing.T) {
	hashes := slotHashes(40, 99)
	// The proposed root 35 predates SlotHashes: the newest state vote at or
	// below it (34) becomes the root instead.
	prior := withVotes(-1, 33, 2, 34, 1)
	s, err := sync(t, prior, proposal(35, 45, 1), hashes)
	if err != nil {
		t.Fatal(err)
	}
	if !s.HasRoot || s.RootSlot != 34 {
		t.Fatalf("root %v %d", s.HasRoot, s.RootSlot)
	}
	// Rooting 33 and 34 earned 16 timely credits each.
	if s.Credits() != 32 {
		t.Fatalf("credits %d", s.Credits())
	}
}

func TestTowerSyncNeedsTheAuthorizedVoter(t *testing.T) {
	data, _ := TowerSyncData(&TowerSync{Lockouts: lockouts(50, 1), Hash: hashOf(50)})
	_, err := run(t, testEnv(100, 0), data, voteAcct(initialized()), signer(withdrawer))
	wantErr(t, err, invoke.Err(invoke.MissingRequiredSignature))
	_, err = run(t, testEnv(100, 0), data, voteAcct(nil), signer(voter))
	wantErr(t, err, invoke.Err(invoke.UninitializedAccount))
	ro := voteAcct(initialized())
	ro.writable = false
	_, err = run(t, testEnv(100, 0), data, ro, signer(voter))
	wantErr(t, err, invoke.Err(invoke.ReadonlyDataModified))
	garbage := voteAcct(nil)
	garbage.data[0] = 9
	_, err = run(t, testEnv(100, 0), data, garbage, signer(voter))
	wantErr(t, err, invoke.Err(invoke.InvalidAccountData))
}

func TestTowerSyncSwitchVotesLikeTowerSync(t *testing.T) {
	ts := proposal(-1, 50, 1)
	data, err := TowerSyncSwitchData(&ts, sdk.Hash{9})
	if err != nil {
		t.Fatal(err)
	}
	tx, err := run(t, testEnv(100, 0), data, voteAcct(initialized()), signer(voter))
	if err != nil {
		t.Fatal(err)
	}
	if last, _ := stateOf(t, tx).LastVotedSlot(); last != 50 {
		t.Fatalf("last voted %d", last)
	}
}

func TestProcessNextVoteSlotPopsExpiredVotes(t *testing.T) {
	s := initialized()
	for _, slot := range []uint64{1, 2, 3} {
		s.ProcessNextVoteSlot(slot, 0, slot)
	}
	// 1:c3 (to 9), 2:c2 (to 6), 3:c1 (to 5). Voting 7 pops 3 and 2.
	s.ProcessNextVoteSlot(7, 0, 7)
	if got := s.TowerSync(sdk.Hash{}).Lockouts; !slices.Equal(got, lockouts(1, 3, 7, 1)) {
		t.Fatalf("tower %v", got)
	}
	s.ProcessNextVoteSlot(7, 0, 8) // not newer: ignored
	if len(s.Votes) != 2 {
		t.Fatalf("votes %v", s.Votes)
	}
}

func TestEpochCreditsOpenAnEntryOnlyAfterEarning(t *testing.T) {
	s := initialized()
	s.incrementCredits(1, 0)
	s.incrementCredits(2, 0) // epoch 1 earned nothing: its entry moves to 2
	s.incrementCredits(2, 5)
	s.incrementCredits(3, 4)
	want := []EpochCredits{{2, 5, 0}, {3, 9, 5}}
	if !slices.Equal(s.EpochCredits, want) {
		t.Fatalf("credits %v", s.EpochCredits)
	}
	for e := uint64(4); e < 4+MaxEpochCreditsHistory; e++ {
		s.incrementCredits(e, 1)
	}
	if len(s.EpochCredits) != MaxEpochCreditsHistory || s.EpochCredits[0].Epoch != 4 {
		t.Fatalf("history %d from epoch %d", len(s.EpochCredits), s.EpochCredits[0].Epoch)
	}
}

func TestFailedTowerSyncLeavesStateUnchanged(t *testing.T) {
	s := withVotes(-1, 50, 1)
	s.LastTimestamp = BlockTimestamp{Slot: 50, Timestamp: 100}
	before := s.Encode()
	ts := proposal(-1, 50, 2, 51, 1)
	ts.HasTimestamp, ts.Timestamp = true, 99
	err := s.ProcessTowerSync(&ts, slotHashes(0, 99), 0, 100)
	if !errors.Is(err, ErrTimestampTooOld) || !bytes.Equal(s.Encode(), before) {
		t.Fatalf("err %v, state changed %v", err, !bytes.Equal(s.Encode(), before))
	}
}
