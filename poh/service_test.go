package poh

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/gnomon-chain/gnomon/sdk"
)

// runService starts s.Run on a goroutine the test owns and returns a stop
// function that cancels it, waits for it and returns its error.
func runService(t *testing.T, s *Service) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- s.Run(ctx) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			// Drain so a clock blocked on a full queue sees the cancel.
			for range s.Entries() {
			}
			err = <-errc
		})
		return err
	}
	t.Cleanup(func() { stop() })
	return stop
}

func newTestService(t *testing.T, cfg ServiceConfig) *Service {
	t.Helper()
	s, err := NewService(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestServiceTicksAtTheConfiguredRate: the clock emits ticks of exactly
// hashesPerTick, marks every ticksPerSlot-th as a slot end, never runs ahead of
// wall time (n ticks take at least n tick durations: a bound that cannot
// flake), stops when cancelled, and its output verifies from the start hash.
func TestServiceTicksAtTheConfiguredRate(t *testing.T) {
	const (
		ticks = 20
		tick  = 2 * time.Millisecond
	)
	cfg := ServiceConfig{Config: Config{HashesPerTick: 500, TicksPerSlot: 4}, Start: sdk.Hash{5}, TickDuration: tick}
	s := newTestService(t, cfg)
	began := time.Now()
	stop := runService(t, s)
	var got []Entry
	for se := range s.Entries() {
		if !se.Entry.IsTick() {
			t.Fatalf("entry %d is not a tick", len(got))
		}
		got = append(got, se.Entry)
		h := uint64(len(got))
		if se.TickHeight != h || se.Slot != (h-1)/4 || se.SlotEnd != (h%4 == 0) {
			t.Fatalf("tick %d stamped %+v", h, se)
		}
		if len(got) == ticks {
			break
		}
	}
	elapsed := time.Since(began)
	if err := stop(); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run returned %v, want context.Canceled", err)
	}
	if elapsed < ticks*tick {
		t.Fatalf("%d ticks in %v: the clock ran ahead of %v per tick", ticks, elapsed, tick)
	}
	t.Logf("%d ticks in %v (%v per tick configured)", ticks, elapsed, tick)
	if err := VerifyTicks(got, 500, ticks); err != nil {
		t.Fatal(err)
	}
	if err := Verify(cfg.Start, got, 2); err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.Ticks < ticks {
		t.Fatalf("stats %+v", st)
	}
	if _, err := s.Record(context.Background(), 0, sdk.Hash{}, testTxs(t, 1, 1)); !errors.Is(err, ErrStopped) {
		t.Fatalf("record after stop: got %v, want ErrStopped", err)
	}
}

// TestServiceRecordsComeBackInOrder: records from one caller land in the chain
// in the order asked, each reply is the entry the stream carries, and the whole
// stream (ticks and records) verifies and has the tick shape.
func TestServiceRecordsComeBackInOrder(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		tick time.Duration
	}{
		{"free-running", Config{HashesPerTick: 64, TicksPerSlot: 1 << 20}, 0},
		{"paced", Config{HashesPerTick: 2000, TicksPerSlot: 1 << 20}, time.Millisecond},
		{"low-power", Config{HashesPerTick: 0, TicksPerSlot: 1 << 20}, time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := ServiceConfig{Config: tc.cfg, Start: sdk.Hash{6}, TickDuration: tc.tick, EntryQueue: 4, HashBatch: 16}
			s := newTestService(t, cfg)
			stop := runService(t, s)

			const n = 30
			batches := make([][]*sdk.Transaction, n)
			for i := range batches {
				batches[i] = testTxs(t, byte(i), 1+i%3)
			}
			replies := make(chan SlotEntry, n)
			errc := make(chan error, 1)
			go func() {
				defer close(replies)
				for _, txs := range batches {
					se, err := s.Record(context.Background(), 0, MixinOf(txs), txs)
					if err != nil {
						errc <- err
						return
					}
					replies <- se
				}
			}()
			var stream []Entry
			var records []Entry
		collect:
			for {
				select {
				case se := <-s.Entries():
					stream = append(stream, se.Entry)
					if !se.Entry.IsTick() {
						records = append(records, se.Entry)
					}
					if len(records) == n && se.Entry.IsTick() {
						break collect
					}
				case err := <-errc:
					t.Fatal(err)
				}
			}
			if err := stop(); !errors.Is(err, context.Canceled) {
				t.Fatalf("Run returned %v", err)
			}
			i := 0
			for se := range replies {
				if se.Entry.Hash != records[i].Hash || &se.Entry.Transactions[0] != &batches[i][0] {
					t.Fatalf("reply %d is not the %d-th record on the stream", i, i)
				}
				i++
			}
			if i != n {
				t.Fatalf("%d replies, want %d", i, n)
			}
			if err := Verify(cfg.Start, stream, 4); err != nil {
				t.Fatal(err)
			}
			if err := VerifyTicks(stream, tc.cfg.HashesPerTick, 0); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestServiceRefusesARecordForAnotherSlot(t *testing.T) {
	s := newTestService(t, ServiceConfig{Config: Config{HashesPerTick: 100, TicksPerSlot: 2}, TickDuration: time.Millisecond})
	stop := runService(t, s)
	go func() {
		for range s.Entries() {
		}
	}()
	txs := testTxs(t, 1, 1)
	if _, err := s.Record(context.Background(), 1<<40, MixinOf(txs), txs); !errors.Is(err, ErrWrongSlot) {
		t.Fatalf("got %v, want ErrWrongSlot", err)
	}
	stop()
}

func TestServiceRecordHonoursItsContext(t *testing.T) {
	// Never run: the request queue (capacity 1) fills and Record must give
	// up when its context does.
	s := newTestService(t, ServiceConfig{Config: Config{HashesPerTick: 100, TicksPerSlot: 2}, RecordQueue: 1})
	txs := testTxs(t, 1, 1)
	for range 2 {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
		_, err := s.Record(ctx, 0, MixinOf(txs), txs)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("got %v, want DeadlineExceeded", err)
		}
	}
}

func TestServiceRefusesUnworkableConfig(t *testing.T) {
	for _, cfg := range []ServiceConfig{
		{Config: Config{HashesPerTick: 0, TicksPerSlot: 1}},                                   // low power, free-running
		{Config: Config{HashesPerTick: 1, TicksPerSlot: 1}},                                   // no room for records
		{Config: Config{HashesPerTick: 10, TicksPerSlot: 1}, TickDuration: -time.Millisecond}, // negative
	} {
		if _, err := NewService(cfg); !errors.Is(err, ErrConfig) {
			t.Errorf("%+v: got %v, want ErrConfig", cfg, err)
		}
	}
}

func TestServiceRunsOnce(t *testing.T) {
	s := newTestService(t, ServiceConfig{Config: Config{HashesPerTick: 100, TicksPerSlot: 2}, TickDuration: time.Millisecond})
	stop := runService(t, s)
	// Wait for the first entry so the first Run has certainly begun.
	<-s.Entries()
	if err := s.Run(context.Background()); !errors.Is(err, ErrConfig) {
		t.Fatalf("second Run: got %v", err)
	}
	stop()
}
