package poh

import (
	"cmp"
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/gnomon-chain/gnomon/sdk"
)

// SlotEntry is an Entry with its place on the clock, as the Service emits it.
type SlotEntry struct {
	Entry Entry
	// Slot is the slot whose block the entry belongs to.
	Slot uint64
	// TickHeight is the number of ticks since genesis once this entry is in
	// the chain (for a tick, its own height).
	TickHeight uint64
	// SlotEnd marks the last tick of Slot: the block is complete after it.
	SlotEnd bool
}

// ServiceConfig configures a Service.
type ServiceConfig struct {
	Config

	// Start and StartTickHeight are where the chain resumes: the genesis hash
	// and 0, or a parent block's last hash and tick height.
	Start           sdk.Hash
	StartTickHeight uint64

	// TickDuration is the wall time of a tick. The Service never ticks before
	// its time, and waits instead of hashing when it is ahead. Zero runs the
	// clock free, as fast as one core hashes (benchmarks and tests only). It
	// must be positive in low-power mode.
	TickDuration time.Duration

	// RecordQueue bounds the record requests waiting for the clock;
	// EntryQueue bounds the entries waiting for the consumer. Both default
	// to 64.
	RecordQueue int
	EntryQueue  int

	// HashBatch is how many hashes the clock makes between looks at the
	// record queue and the wall clock; it bounds the latency a record waits
	// behind hashing. Default 256 (about 30 µs of hashing here).
	HashBatch uint64
}

// ServiceStats are counters a Service keeps for metrics.
type ServiceStats struct {
	Ticks        uint64 // ticks emitted
	Records      uint64 // record entries emitted
	LateTicks    uint64 // ticks made after their wall-clock deadline had passed by a tick or more
	EntryStalls  uint64 // times the entry queue was full and the clock waited for the consumer
	RecordErrors uint64 // record requests answered with an error
}

type recordRequest struct {
	slot  uint64
	mixin sdk.Hash
	txs   []*sdk.Transaction
	reply chan<- recordReply // buffered, capacity 1
}

type recordReply struct {
	entry SlotEntry
	err   error
}

// Service is the thin shell around a Recorder: one goroutine, owned by whoever
// calls Run, that hashes HashesPerTick hashes per tick, waits out the rest of
// each tick when it is ahead of wall time, mixes in the batches that Record
// hands it, and emits every entry, ticks and records in chain order, on
// Entries. The entries link is reliable: when the consumer falls behind and
// the queue is full the clock waits (and counts it), because an entry cannot
// be dropped from a chain.
//
// Only the Run goroutine touches the Recorder.
type Service struct {
	cfg     ServiceConfig
	records chan recordRequest
	entries chan SlotEntry
	done    chan struct{}
	running atomic.Bool

	ticks, recordsDone, lateTicks, entryStalls, recordErrors atomic.Uint64
}

// NewService returns a Service ready to Run.
func NewService(cfg ServiceConfig) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("new poh service: %w", err)
	}
	if cfg.HashesPerTick == 0 && cfg.TickDuration <= 0 {
		return nil, fmt.Errorf("new poh service: low-power mode needs a tick duration: %w", ErrConfig)
	}
	if cfg.TickDuration < 0 || cfg.RecordQueue < 0 || cfg.EntryQueue < 0 {
		return nil, fmt.Errorf("new poh service: negative duration or queue: %w", ErrConfig)
	}
	cfg.RecordQueue = cmp.Or(cfg.RecordQueue, 64)
	cfg.EntryQueue = cmp.Or(cfg.EntryQueue, 64)
	cfg.HashBatch = cmp.Or(cfg.HashBatch, 256)
	return &Service{
		cfg:     cfg,
		records: make(chan recordRequest, cfg.RecordQueue),
		entries: make(chan SlotEntry, cfg.EntryQueue),
		done:    make(chan struct{}),
	}, nil
}

// Entries is the clock's output, in chain order. It is closed when Run
// returns.
func (s *Service) Entries() <-chan SlotEntry { return s.entries }

// Stats returns the counters so far; safe from any goroutine.
func (s *Service) Stats() ServiceStats {
	return ServiceStats{
		Ticks:        s.ticks.Load(),
		Records:      s.recordsDone.Load(),
		LateTicks:    s.lateTicks.Load(),
		EntryStalls:  s.entryStalls.Load(),
		RecordErrors: s.recordErrors.Load(),
	}
}

// Record asks the clock to mix in txs (mixin must be MixinOf(txs)) within slot
// and returns the entry, once the entry is on the Entries queue. It fails with
// ErrWrongSlot if the clock is no longer (or not yet) in slot, with ErrStopped
// if the Service is not running, and with ctx's error if ctx ends first. Safe
// from many goroutines; requests are served in the order they reach the
// bounded request queue, and a full queue makes Record wait.
func (s *Service) Record(ctx context.Context, slot uint64, mixin sdk.Hash, txs []*sdk.Transaction) (SlotEntry, error) {
	reply := make(chan recordReply, 1)
	req := recordRequest{slot: slot, mixin: mixin, txs: txs, reply: reply}
	select {
	case s.records <- req:
	case <-s.done:
		return SlotEntry{}, fmt.Errorf("poh record: %w", ErrStopped)
	case <-ctx.Done():
		return SlotEntry{}, fmt.Errorf("poh record: %w", ctx.Err())
	}
	select {
	case r := <-reply:
		return r.entry, r.err
	case <-ctx.Done():
		return SlotEntry{}, fmt.Errorf("poh record: %w", ctx.Err())
	case <-s.done:
		// Run may have answered just before it returned.
		select {
		case r := <-reply:
			return r.entry, r.err
		default:
			return SlotEntry{}, fmt.Errorf("poh record: %w", ErrStopped)
		}
	}
}

// Run is the clock's goroutine. It returns when ctx ends (with ctx's error)
// and closes Entries; requests still queued are answered with ErrStopped. Run
// may be called once.
func (s *Service) Run(ctx context.Context) error {
	if !s.running.CompareAndSwap(false, true) {
		return fmt.Errorf("poh service: Run called twice: %w", ErrConfig)
	}
	defer close(s.entries)
	defer func() {
		close(s.done)
		for {
			select {
			case req := <-s.records:
				req.reply <- recordReply{err: fmt.Errorf("poh record: %w", ErrStopped)}
			default:
				return
			}
		}
	}()
	rec, err := NewRecorder(s.cfg.Start, s.cfg.StartTickHeight, s.cfg.Config)
	if err != nil {
		return fmt.Errorf("poh service: %w", err)
	}
	l := loop{s: s, rec: rec, timer: time.NewTimer(time.Hour)}
	l.timer.Stop()
	defer l.timer.Stop()
	l.tickDeadline = time.Now().Add(s.cfg.TickDuration)
	return l.run(ctx)
}

// loop is the state of one Run: the Recorder, the pending record (at most
// one, held while its tick is full), and the wall-clock deadline of the
// current tick.
type loop struct {
	s            *Service
	rec          *Recorder
	timer        *time.Timer
	pending      *recordRequest
	tickDeadline time.Time
}

func (l *loop) run(ctx context.Context) error {
	cfg := &l.s.cfg
	paced := cfg.TickDuration > 0
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if l.pending == nil {
			select {
			case req := <-l.s.records:
				l.pending = &req
			default:
			}
		}
		if l.pending != nil {
			done, err := l.tryRecord(ctx)
			if err != nil {
				return err
			}
			if done {
				continue
			}
			// The tick is full: the record waits for the tick below.
		}
		if cfg.HashesPerTick == 0 || l.rec.TickDue() {
			if paced {
				if wait := time.Until(l.tickDeadline); wait > 0 {
					if err := l.sleep(ctx, wait); err != nil {
						return err
					}
					continue
				}
			}
			if err := l.tick(ctx); err != nil {
				return err
			}
			continue
		}
		if paced {
			// Keep the tick's hashing in step with the wall clock, a slice of
			// a tick at a time, so that records arriving while the clock is
			// ahead still find hashes left in the tick.
			progress := time.Duration(float64(cfg.TickDuration) * float64(l.rec.TickProgress()) / float64(cfg.HashesPerTick))
			target := l.tickDeadline.Add(progress - cfg.TickDuration)
			if wait := time.Until(target); wait > cfg.TickDuration/8 {
				if err := l.sleep(ctx, wait); err != nil {
					return err
				}
				continue
			}
		}
		l.rec.Hash(cfg.HashBatch)
	}
}

// sleep waits up to d, or until a record request arrives when none is
// pending, or ctx ends.
func (l *loop) sleep(ctx context.Context, d time.Duration) error {
	records := l.s.records
	if l.pending != nil {
		records = nil
	}
	l.timer.Reset(d)
	select {
	case <-l.timer.C:
	case req := <-records:
		l.timer.Stop()
		l.pending = &req
	case <-ctx.Done():
		l.timer.Stop()
		return ctx.Err()
	}
	return nil
}

// tick makes and emits the tick and moves the deadline one tick on.
func (l *loop) tick(ctx context.Context) error {
	slot := l.rec.Slot()
	e := l.rec.Tick()
	h := l.rec.TickHeight()
	if d := l.s.cfg.TickDuration; d > 0 {
		if time.Since(l.tickDeadline) >= d {
			l.s.lateTicks.Add(1)
		}
		l.tickDeadline = l.tickDeadline.Add(d)
	}
	l.s.ticks.Add(1)
	return l.emit(ctx, SlotEntry{Entry: e, Slot: slot, TickHeight: h, SlotEnd: h%l.rec.TicksPerSlot() == 0})
}

// tryRecord serves the pending request. It reports false, keeping the
// request, when the tick is full, so the caller ticks first.
func (l *loop) tryRecord(ctx context.Context) (bool, error) {
	req := l.pending
	if slot := l.rec.Slot(); slot != req.slot {
		l.s.recordErrors.Add(1)
		req.reply <- recordReply{err: fmt.Errorf("poh record for slot %d in slot %d: %w", req.slot, slot, ErrWrongSlot)}
		l.pending = nil
		return true, nil
	}
	if l.rec.TickDue() {
		return false, nil
	}
	e, err := l.rec.Record(req.mixin, req.txs)
	l.pending = nil
	if err != nil {
		l.s.recordErrors.Add(1)
		req.reply <- recordReply{err: fmt.Errorf("poh record: %w", err)}
		return true, nil
	}
	se := SlotEntry{Entry: e, Slot: l.rec.Slot(), TickHeight: l.rec.TickHeight()}
	if err := l.emit(ctx, se); err != nil {
		req.reply <- recordReply{err: fmt.Errorf("poh record: %w", ErrStopped)}
		return true, err
	}
	l.s.recordsDone.Add(1)
	req.reply <- recordReply{entry: se}
	return true, nil
}

// emit queues e for the consumer, waiting (and counting the stall) when the
// queue is full.
func (l *loop) emit(ctx context.Context, e SlotEntry) error {
	select {
	case l.s.entries <- e:
		return nil
	default:
	}
	l.s.entryStalls.Add(1)
	select {
	case l.s.entries <- e:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
