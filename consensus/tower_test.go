package consensus

import (
	"errors"
	"testing"

	"github.com/gnomon-chain/gnomon/runtime/programs/vote"
	"github.com/gnomon-chain/gnomon/runtime/sysvar"
	"github.com/gnomon-chain/gnomon/sdk"
)

func hashOf(slot uint64) sdk.Hash {
	var h sdk.Hash
	for i := range 8 {
		h[i] = byte(slot >> (8 * i))
	}
	h[31] = 0xab
	return h
}

// chainAncestors returns 0..slot-1: the fork of a single chain.
func chainAncestors(slot uint64) Ancestors {
	a := make(Ancestors)
	for s := range slot {
		a[s] = struct{}{}
	}
	return a
}

func voteChain(t *testing.T, tw *Tower, from, to uint64) {
	t.Helper()
	for s := from; s <= to; s++ {
		if tw.IsLockedOut(s, chainAncestors(s)) {
			t.Fatalf("vote on %d refused on a single chain", s)
		}
		tw.RecordVote(s, hashOf(s))
	}
}

// Lockout = 2^confirmations: each vote stacked on a slot doubles the number
// of slots it locks the validator to its fork.
func TestTowerLockoutDoublesWithEachConfirmation(t *testing.T) {
	tw := NewTower()
	voteChain(t, tw, 1, 4)
	want := []vote.Lockout{{Slot: 1, ConfirmationCount: 4}, {Slot: 2, ConfirmationCount: 3}, {Slot: 3, ConfirmationCount: 2}, {Slot: 4, ConfirmationCount: 1}}
	got := tw.Votes()
	if len(got) != len(want) {
		t.Fatalf("votes %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("votes %v, want %v", got, want)
		}
	}
	if got[3].Lockout() != 2 || got[0].Lockout() != 16 {
		t.Fatalf("lockouts %d and %d, want 2 and 16", got[3].Lockout(), got[0].Lockout())
	}
}

// A vote on a slot that does not descend from a vote still locked out is
// refused; once that lockout expires the vote pops and the switch is free.
func TestTowerRefusesVoteInsideLockout(t *testing.T) {
	// Forks: 0 - 1 - 2 and 1 - 3, 1 - 5 (slots 3 and 5 skip 2).
	tw := NewTower()
	tw.RecordVote(1, hashOf(1))
	tw.RecordVote(2, hashOf(2)) // 2 locks until 2+2 = 4; 1 until 1+4 = 5
	if !tw.IsLockedOut(3, NewAncestors(0, 1)) {
		t.Fatal("vote on 3 (not a descendant of 2, locked out until 4) allowed")
	}
	if tw.IsLockedOut(5, NewAncestors(0, 1)) {
		t.Fatal("vote on 5 refused: 2's lockout ended at 4 and 1 is an ancestor")
	}
	if tw.IsLockedOut(3, NewAncestors(0, 1, 2)) {
		t.Fatal("vote on a descendant refused")
	}
	if !tw.IsLockedOut(2, NewAncestors(0, 1)) || !tw.IsLockedOut(1, NewAncestors(0)) {
		t.Fatal("vote on a slot not newer than the last vote allowed")
	}
	// 1 stays locked out through 5 for anything off its fork.
	if !tw.IsLockedOut(5, NewAncestors(0)) {
		t.Fatal("vote on 5 off 1's fork allowed inside 1's lockout")
	}
}

// MAX_LOCKOUT_HISTORY is 31: the 32nd vote roots the oldest.
func TestTowerRootsThe32ndVote(t *testing.T) {
	tw := NewTower()
	for s := uint64(1); s <= vote.MaxLockoutHistory; s++ {
		if r := tw.RecordVote(s, hashOf(s)); r != nil {
			t.Fatalf("vote %d rooted %d", s, *r)
		}
	}
	if _, ok := tw.Root(); ok || len(tw.Votes()) != 31 {
		t.Fatalf("after 31 votes: root set or %d votes", len(tw.Votes()))
	}
	r := tw.RecordVote(32, hashOf(32))
	if r == nil || *r != 1 {
		t.Fatalf("32nd vote rooted %v, want 1", r)
	}
	if root, ok := tw.Root(); !ok || root != 1 || len(tw.Votes()) != 31 {
		t.Fatalf("root %d %v, %d votes", root, ok, len(tw.Votes()))
	}
	if r := tw.RecordVote(33, hashOf(33)); r == nil || *r != 2 {
		t.Fatalf("33rd vote rooted %v, want 2", r)
	}
}

// Before a vote would deepen the lockout of the vote 8 deep, that vote's slot
// needs two thirds of stake.
func TestTowerThresholdRefusesDeepVoteWithoutTwoThirds(t *testing.T) {
	tw := NewTower()
	voteChain(t, tw, 1, 7)
	// With 8 votes after voting on 8 there is no vote 8 deep yet.
	if !tw.CheckVoteStakeThreshold(8, nil, 100) {
		t.Fatal("shallow tower failed the threshold")
	}
	tw.RecordVote(8, hashOf(8))
	// Voting on 9 puts slot 1 at depth 8.
	if tw.CheckVoteStakeThreshold(9, map[uint64]uint64{1: 66}, 100) {
		t.Fatal("66% at depth 8 passed")
	}
	if tw.CheckVoteStakeThreshold(9, map[uint64]uint64{2: 100}, 100) {
		t.Fatal("stake on another slot counted for the deep vote")
	}
	if !tw.CheckVoteStakeThreshold(9, map[uint64]uint64{1: 67}, 100) {
		t.Fatal("67% at depth 8 refused")
	}
	if !tw.CheckVoteStakeThreshold(9, map[uint64]uint64{1: 2}, 3) {
		t.Fatal("exactly two thirds refused")
	}
	if tw.CheckVoteStakeThreshold(9, map[uint64]uint64{1: 0}, 0) {
		t.Fatal("zero total stake passed")
	}
}

// Switching forks needs more than 38% of stake on other forks.
func TestSwitchNeeds38PercentOnOtherForks(t *testing.T) {
	tw := NewTower()
	tw.RecordVote(1, hashOf(1))
	tw.RecordVote(2, hashOf(2))
	other := NewAncestors(0, 1, 5) // slot 10's fork skips 2
	if tw.CanSwitch(10, other, 38, 100) {
		t.Fatal("switch with exactly 38% allowed")
	}
	if !tw.CanSwitch(10, other, 39, 100) {
		t.Fatal("switch with 39% refused")
	}
	if !tw.CanSwitch(10, NewAncestors(0, 1, 2), 0, 100) {
		t.Fatal("staying on the fork needed switch stake")
	}
	if tw.CanSwitch(2, NewAncestors(0, 1), 100, 100) {
		t.Fatal("switch to a slot not newer than the last vote allowed")
	}
	if !NewTower().CanSwitch(3, NewAncestors(0), 0, 100) {
		t.Fatal("a tower with no vote refused")
	}
}

// The local tower and the chain's tower are the same tower: every TowerSync
// the local tower produces is accepted by the Vote program, which then holds
// the same lockouts and root.
func TestTowerSyncIsAcceptedByVoteProgram(t *testing.T) {
	tw := NewTower()
	onChain := vote.NewState(vote.Init{}, 0)
	var slotHashes []sysvar.SlotHash
	for s := uint64(1); s <= 60; s++ {
		slotHashes = append([]sysvar.SlotHash{{Slot: s, Hash: hashOf(s)}}, slotHashes...)
		if s%7 == 3 {
			continue // a skipped vote lets lockouts expire
		}
		tw.RecordVote(s, hashOf(s))
		ts, err := tw.TowerSync()
		if err != nil {
			t.Fatal(err)
		}
		if err := onChain.ProcessTowerSync(&ts, slotHashes, 0, s); err != nil {
			t.Fatalf("slot %d: vote program refused the tower: %v", s, err)
		}
		local := tw.Votes()
		if len(local) != len(onChain.Votes) {
			t.Fatalf("slot %d: %d local votes, %d on chain", s, len(local), len(onChain.Votes))
		}
		for i := range local {
			if local[i] != onChain.Votes[i].Lockout {
				t.Fatalf("slot %d vote %d: local %v, chain %v", s, i, local[i], onChain.Votes[i].Lockout)
			}
		}
		root, hasRoot := tw.Root()
		if hasRoot != onChain.HasRoot || root != onChain.RootSlot {
			t.Fatalf("slot %d: root %d %v, chain %d %v", s, root, hasRoot, onChain.RootSlot, onChain.HasRoot)
		}
		data, err := tw.TowerSyncData(sdk.Hash{1}, nil)
		if err != nil {
			t.Fatal(err)
		}
		ins, err := vote.DecodeInstruction(data)
		if err != nil || ins.Tag != vote.TagTowerSync {
			t.Fatalf("decode TowerSync data: %v", err)
		}
	}
}

func TestTowerSyncOfEmptyTowerIsAnError(t *testing.T) {
	if _, err := NewTower().TowerSyncData(sdk.Hash{}, nil); !errors.Is(err, ErrNotVotedYet) {
		t.Fatalf("err %v", err)
	}
}

func TestTowerMarshalRoundTrips(t *testing.T) {
	tw := NewTower()
	voteChain(t, tw, 1, 45)
	var back Tower
	if err := back.Unmarshal(tw.Marshal()); err != nil {
		t.Fatal(err)
	}
	if string(back.Marshal()) != string(tw.Marshal()) {
		t.Fatal("round trip changed the tower")
	}
	// The restored tower keeps every lockout.
	if !back.IsLockedOut(46, NewAncestors(0, 1, 2)) {
		t.Fatal("restored tower forgot its lockouts")
	}
}

func TestTowerUnmarshalRefusesBrokenLockouts(t *testing.T) {
	tw := NewTower()
	voteChain(t, tw, 1, 3)
	good := tw.Marshal()
	bad := func(mut func(b []byte) []byte) []byte { return mut(append([]byte(nil), good...)) }
	cases := map[string][]byte{
		"short":           good[:10],
		"trailing":        append(append([]byte(nil), good...), 0),
		"magic":           bad(func(b []byte) []byte { b[0] = 'X'; return b }),
		"flags":           bad(func(b []byte) []byte { b[5] = 2; return b }),
		"zero conf":       bad(func(b []byte) []byte { b[towerHeaderSize+8] = 0; return b }),
		"conf order":      bad(func(b []byte) []byte { b[towerHeaderSize+8] = 1; return b }),
		"slot order":      bad(func(b []byte) []byte { b[towerHeaderSize] = 9; return b }),
		"root above vote": bad(func(b []byte) []byte { b[5] = 1; b[6] = 5; return b }),
	}
	for name, data := range cases {
		var got Tower
		if err := got.Unmarshal(data); !errors.Is(err, ErrBadTowerData) {
			t.Errorf("%s: err %v", name, err)
		}
	}
}
