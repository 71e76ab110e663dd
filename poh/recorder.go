package poh

import (
	"fmt"

	"github.com/gnomon-chain/gnomon/sdk"
)

// Config is the clock's part of the genesis parameters.
type Config struct {
	// HashesPerTick is the number of SHA-256 steps in every tick, records
	// included. Zero is low-power mode (Solana's hashes_per_tick = None): a
	// tick is whatever was hashed since the last one, normally just its own
	// hash, and verification does not count hashes. One is refused: a tick
	// would leave no hash for a record.
	HashesPerTick uint64

	// TicksPerSlot is the number of ticks in a slot; at least 1.
	TicksPerSlot uint64
}

// Validate reports a Config that cannot work.
func (c Config) Validate() error {
	if c.HashesPerTick == 1 {
		return fmt.Errorf("hashes per tick 1 leaves no hash for a record: %w", ErrConfig)
	}
	if c.TicksPerSlot == 0 {
		return fmt.Errorf("ticks per slot 0: %w", ErrConfig)
	}
	return nil
}

// Recorder is the PoH chain's state machine: the current hash, the hashes
// since the last entry, and the ticks so far. It is a pure core: it starts no
// goroutine, reads no clock and does no I/O; the caller decides when to hash,
// tick and record (Service is that caller in a node), so a simulation can drive
// it from a seeded script. A Recorder is not safe for concurrent use.
//
// The invariant it keeps: the hashes of one tick (the tick entry's and those of
// the records made during the tick) number exactly HashesPerTick, so every tick
// in a block has the same weight and verification can check it.
type Recorder struct {
	hash          sdk.Hash
	numHashes     uint64 // hashes since the last entry
	remaining     uint64 // hashes left in this tick, the tick's own included
	tickHeight    uint64 // ticks since genesis
	hashesPerTick uint64
	ticksPerSlot  uint64
}

// NewRecorder returns a Recorder at hash start, after tickHeight ticks (a
// leader resuming the chain passes the last hash and tick height of its parent
// block; a new chain passes the genesis hash and 0).
func NewRecorder(start sdk.Hash, tickHeight uint64, cfg Config) (*Recorder, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("new recorder: %w", err)
	}
	return &Recorder{
		hash:          start,
		remaining:     cfg.HashesPerTick,
		tickHeight:    tickHeight,
		hashesPerTick: cfg.HashesPerTick,
		ticksPerSlot:  cfg.TicksPerSlot,
	}, nil
}

// CurrentHash is the hash the chain has reached.
func (r *Recorder) CurrentHash() sdk.Hash { return r.hash }

// TickHeight is the number of ticks since genesis.
func (r *Recorder) TickHeight() uint64 { return r.tickHeight }

// Slot is the slot the next entry belongs to: the tick with height h ends
// slot (h-1)/TicksPerSlot, so after it the clock is in slot h/TicksPerSlot.
func (r *Recorder) Slot() uint64 { return r.tickHeight / r.ticksPerSlot }

// TicksPerSlot is the configured number of ticks in a slot.
func (r *Recorder) TicksPerSlot() uint64 { return r.ticksPerSlot }

// HashesPerTick is the configured number of hashes in a tick; 0 in low-power
// mode.
func (r *Recorder) HashesPerTick() uint64 { return r.hashesPerTick }

// HashesSinceEntry is the number of hashes made since the last entry.
func (r *Recorder) HashesSinceEntry() uint64 { return r.numHashes }

// TickProgress is the number of hashes of the current tick already made (plain
// or recorded); always 0 in low-power mode.
func (r *Recorder) TickProgress() uint64 {
	if r.hashesPerTick == 0 {
		return 0
	}
	return r.hashesPerTick - r.remaining
}

// RecordsLeft is how many more entries Record accepts before the tick is due
// (each takes one hash, and the tick's own hash is reserved); bounded is
// false in low-power mode, where there is no such limit.
func (r *Recorder) RecordsLeft() (n uint64, bounded bool) {
	if r.hashesPerTick == 0 {
		return 0, false
	}
	return r.remaining - 1, true
}

// TickDue reports whether only the tick's own hash is left, so Hash does
// nothing and Record fails until Tick. It is always false in low-power mode,
// where ticks come when the caller says.
func (r *Recorder) TickDue() bool { return r.hashesPerTick != 0 && r.remaining == 1 }

// Hash makes up to n plain hashes, never the tick's own last hash, and returns
// how many it made. In low-power mode there is no tick boundary and it makes
// all n.
func (r *Recorder) Hash(n uint64) uint64 {
	if r.hashesPerTick != 0 {
		n = min(n, r.remaining-1)
		r.remaining -= n
	}
	r.hash = hashChain(r.hash, n)
	r.numHashes += n
	return n
}

// Tick completes the current tick, making whatever plain hashes it still lacks
// and then its own, and returns the tick entry. After it the tick height is
// one more, and the tick ended a slot when TickHeight()%TicksPerSlot() == 0.
func (r *Recorder) Tick() Entry {
	n := uint64(1)
	if r.hashesPerTick != 0 {
		n = r.remaining
	}
	r.hash = hashChain(r.hash, n)
	e := Entry{NumHashes: r.numHashes + n, Hash: r.hash}
	r.numHashes = 0
	r.remaining = r.hashesPerTick
	r.tickHeight++
	return e
}

// Record mixes mixin into the chain with one hash and returns the entry that
// carries txs. mixin must be MixinOf(txs); the caller computes it off the clock's
// thread, and verification rejects an entry where it is not. Record fails with
// ErrTickFull when the tick's own hash is all that is left. The entry keeps txs
// (the slice, not a copy).
func (r *Recorder) Record(mixin sdk.Hash, txs []*sdk.Transaction) (Entry, error) {
	if len(txs) == 0 {
		return Entry{}, fmt.Errorf("record: no transactions (a tick is made by Tick): %w", ErrInvalidEntry)
	}
	if r.TickDue() {
		return Entry{}, fmt.Errorf("record at tick height %d: %w", r.tickHeight, ErrTickFull)
	}
	r.hash = hashMix(r.hash, mixin)
	if r.hashesPerTick != 0 {
		r.remaining--
	}
	e := Entry{NumHashes: r.numHashes + 1, Hash: r.hash, Transactions: txs}
	r.numHashes = 0
	return e, nil
}
