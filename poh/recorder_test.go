package poh

import (
	"errors"
	"testing"

	"github.com/gnomon-chain/gnomon/sdk"
)

func newTestRecorder(t *testing.T, hashesPerTick, ticksPerSlot uint64) *Recorder {
	t.Helper()
	r, err := NewRecorder(sdk.Hash{42}, 0, Config{HashesPerTick: hashesPerTick, TicksPerSlot: ticksPerSlot})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRecorderRefusesUnworkableConfig(t *testing.T) {
	for _, cfg := range []Config{{HashesPerTick: 1, TicksPerSlot: 1}, {HashesPerTick: 10, TicksPerSlot: 0}} {
		if _, err := NewRecorder(sdk.Hash{}, 0, cfg); !errors.Is(err, ErrConfig) {
			t.Errorf("%+v: got %v, want ErrConfig", cfg, err)
		}
	}
}

// TestRecorderNeverExceedsHashesPerTick drives the Recorder with hash requests
// of many sizes, records at every point of a tick and ticks early or late, and
// checks that no tick ever holds more (or fewer) than hashesPerTick hashes and
// that the chain verifies.
func TestRecorderNeverExceedsHashesPerTick(t *testing.T) {
	const hpt = 10
	r := newTestRecorder(t, hpt, 3)
	start := r.CurrentHash()
	var entries []Entry
	var inTick uint64 // hashes of the current tick so far, by the entries' count
	txs := testTxs(t, 1, 2)
	mixin := MixinOf(txs)
	for step := range 300 {
		switch step % 5 {
		case 0, 1:
			inTick += r.Hash(uint64(step % 13))
		case 2, 3:
			e, err := r.Record(mixin, txs)
			if err != nil {
				if !errors.Is(err, ErrTickFull) || inTick != hpt-1 {
					t.Fatalf("step %d: record failed with %d hashes in the tick: %v", step, inTick, err)
				}
				continue
			}
			inTick++
			entries = append(entries, e)
		case 4:
			if step%10 == 4 {
				continue // sometimes keep hashing into the same tick
			}
			e := r.Tick()
			entries = append(entries, e)
			inTick = 0
		}
		if inTick >= hpt {
			t.Fatalf("step %d: %d hashes in the tick before its own; hashes per tick %d", step, inTick, hpt)
		}
		if got := r.TickProgress(); got != inTick {
			t.Fatalf("step %d: tick progress %d, counted %d", step, got, inTick)
		}
		if left, bounded := r.RecordsLeft(); !bounded || left != hpt-1-inTick {
			t.Fatalf("step %d: %d records left (bounded %v) after %d of %d hashes", step, left, bounded, inTick, hpt)
		}
	}
	if err := VerifyTicks(entries, hpt, 0); err != nil {
		t.Fatal(err)
	}
	if err := Verify(start, entries, 1); err != nil {
		t.Fatal(err)
	}
}

func TestRecorderHashStopsBeforeTheTickHash(t *testing.T) {
	r := newTestRecorder(t, 100, 2)
	if n := r.Hash(1000); n != 99 {
		t.Fatalf("Hash(1000) made %d hashes, want 99", n)
	}
	if !r.TickDue() {
		t.Fatal("tick not due after 99 of 100 hashes")
	}
	if n := r.Hash(5); n != 0 {
		t.Fatalf("Hash made %d hashes past the boundary", n)
	}
	if _, err := r.Record(MixinOf(testTxs(t, 1, 1)), testTxs(t, 1, 1)); !errors.Is(err, ErrTickFull) {
		t.Fatalf("record in a full tick: got %v, want ErrTickFull", err)
	}
	e := r.Tick()
	if e.NumHashes != 100 || !e.IsTick() {
		t.Fatalf("tick entry %+v, want 100 hashes", e)
	}
}

func TestRecorderTickCompletesAPartialTick(t *testing.T) {
	r := newTestRecorder(t, 50, 2)
	start := r.CurrentHash()
	r.Hash(7)
	e := r.Tick()
	if e.NumHashes != 50 {
		t.Fatalf("tick of %d hashes, want 50", e.NumHashes)
	}
	if e.Hash != NextHash(start, 50, nil) {
		t.Fatal("tick hash is not 50 plain hashes from the start")
	}
}

func TestRecorderReportsSlotBoundaries(t *testing.T) {
	r := newTestRecorder(t, 4, 3)
	for h := uint64(1); h <= 9; h++ {
		before := r.Slot()
		r.Tick()
		if r.TickHeight() != h {
			t.Fatalf("tick height %d, want %d", r.TickHeight(), h)
		}
		if want := (h - 1) / 3; before != want {
			t.Fatalf("tick %d made in slot %d, want %d", h, before, want)
		}
		if ended := h%r.TicksPerSlot() == 0; ended != (r.Slot() == before+1) {
			t.Fatalf("tick %d: slot %d after, %d before", h, r.Slot(), before)
		}
	}
}

func TestRecorderLowPowerTicksAreOneHash(t *testing.T) {
	r := newTestRecorder(t, 0, 2)
	start := r.CurrentHash()
	txs := testTxs(t, 3, 2)
	e1, err := r.Record(MixinOf(txs), txs)
	if err != nil {
		t.Fatal(err)
	}
	if _, bounded := r.RecordsLeft(); bounded {
		t.Fatal("low-power mode bounds the records of a tick")
	}
	e2 := r.Tick()
	e3 := r.Tick()
	if e1.NumHashes != 1 || e2.NumHashes != 1 || e3.NumHashes != 1 {
		t.Fatalf("num_hashes %d %d %d, want 1 each", e1.NumHashes, e2.NumHashes, e3.NumHashes)
	}
	if err := Verify(start, []Entry{e1, e2, e3}, 1); err != nil {
		t.Fatal(err)
	}
}
