package consensus

import (
	"errors"
	"testing"

	"github.com/gnomon-chain/gnomon/runtime/sysvar"
)

func TestLeaderScheduleIsStakeWeightedAndDeterministic(t *testing.T) {
	const slots = 8192
	sched := sysvar.NewEpochSchedule(slots)
	stakes := []StakedNode{{key("A"), 50}, {key("B"), 30}, {key("C"), 20}}
	ls, err := NewLeaderSchedule(3, sched, stakes)
	if err != nil {
		t.Fatal(err)
	}
	// The same inputs in any order give the same schedule.
	again, _ := NewLeaderSchedule(3, sched, []StakedNode{stakes[2], stakes[0], stakes[1]})
	other, _ := NewLeaderSchedule(4, sched, stakes)
	counts := map[string]int{}
	differs := false
	first := sched.FirstSlot(3)
	for s := first; s < first+slots; s++ {
		a, ok := ls.Leader(s)
		b, _ := again.Leader(s)
		if !ok || a != b {
			t.Fatalf("slot %d: schedules disagree or no leader", s)
		}
		if c, _ := other.Leader(s - first + sched.FirstSlot(4)); c != a {
			differs = true
		}
		counts[string(a[:1])]++
	}
	if !differs {
		t.Fatal("epochs 3 and 4 drew the same schedule")
	}
	// 2048 draws: each share within 4 points of its stake.
	for name, want := range map[string]int{"A": 50, "B": 30, "C": 20} {
		got := counts[name] * 100 / slots
		if got < want-4 || got > want+4 {
			t.Fatalf("%s leads %d%% of slots, stake %d%% (%v)", name, got, want, counts)
		}
	}
	if _, ok := ls.Leader(first - 1); ok {
		t.Fatal("leader for a slot before the epoch")
	}
	if _, ok := ls.Leader(first + slots); ok {
		t.Fatal("leader for a slot after the epoch")
	}
}

func TestLeaderScheduleGivesEachLeaderFourConsecutiveSlots(t *testing.T) {
	sched := sysvar.NewEpochSchedule(1000)
	ls, err := NewLeaderSchedule(0, sched, []StakedNode{{key("A"), 1}, {key("B"), 1}, {key("C"), 1}})
	if err != nil {
		t.Fatal(err)
	}
	for run := uint64(0); run < 1000; run += NumConsecutiveLeaderSlots {
		lead, _ := ls.Leader(run)
		for s := run; s < run+NumConsecutiveLeaderSlots; s++ {
			if l, _ := ls.Leader(s); l != lead {
				t.Fatalf("slot %d led by another than slot %d", s, run)
			}
		}
	}
}

func TestLeaderScheduleWithOneValidatorIsThatValidator(t *testing.T) {
	sched := sysvar.NewEpochSchedule(64)
	ls, err := NewLeaderSchedule(2, sched, []StakedNode{{key("solo"), 1}, {key("unstaked"), 0}})
	if err != nil {
		t.Fatal(err)
	}
	for s := sched.FirstSlot(2); s < sched.FirstSlot(3); s++ {
		if l, ok := ls.Leader(s); !ok || l != key("solo") {
			t.Fatalf("slot %d not led by the only validator", s)
		}
	}
}

func TestLeaderScheduleRefusesBadStakes(t *testing.T) {
	sched := sysvar.NewEpochSchedule(64)
	for name, c := range map[string]struct {
		stakes []StakedNode
		sched  sysvar.EpochSchedule
		err    error
	}{
		"none":      {nil, sched, ErrNoStake},
		"zero":      {[]StakedNode{{key("A"), 0}}, sched, ErrNoStake},
		"duplicate": {[]StakedNode{{key("A"), 1}, {key("A"), 2}}, sched, ErrDuplicateNode},
		"overflow":  {[]StakedNode{{key("A"), 1 << 63}, {key("B"), 1 << 63}}, sched, ErrStakeOverflow},
		"no slots":  {[]StakedNode{{key("A"), 1}}, sysvar.EpochSchedule{}, ErrEmptyEpoch},
	} {
		if _, err := NewLeaderSchedule(0, c.sched, c.stakes); !errors.Is(err, c.err) {
			t.Errorf("%s: err %v, want %v", name, err, c.err)
		}
	}
}

func TestLeadersAnswersAcrossEpochs(t *testing.T) {
	sched := sysvar.NewEpochSchedule(64)
	stakes := []StakedNode{{Pubkey: key("A"), Stake: 60}, {Pubkey: key("B"), Stake: 40}}
	l := NewLeaders(sched, stakes)
	for _, slot := range []uint64{0, 63, 64, 200, 5} {
		epoch, _ := sched.Epoch(slot)
		want, err := NewLeaderSchedule(epoch, sched, stakes)
		if err != nil {
			t.Fatal(err)
		}
		w, _ := want.Leader(slot)
		got, err := l.Leader(slot)
		if err != nil || got != w {
			t.Fatalf("slot %d: %s %v, want %s", slot, got, err, w)
		}
	}
}
