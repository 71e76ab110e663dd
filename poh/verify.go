package poh

import (
	"fmt"
	"math"
	"sync"
	"sync/atomic"

	"github.com/gnomon-chain/gnomon/sdk"
)

// InvalidEntryError says which entry failed verification and why. It wraps
// ErrInvalidEntry.
type InvalidEntryError struct {
	Index  int    // position in the entries given
	Reason string // what is wrong, for logs
}

func (e *InvalidEntryError) Error() string {
	return fmt.Sprintf("poh: entry %d: %s", e.Index, e.Reason)
}

func (e *InvalidEntryError) Unwrap() error { return ErrInvalidEntry }

// Verify checks that entries form a PoH chain from start: each entry's hash is
// NextHash of the previous entry's hash (start for the first), its num_hashes
// and its transactions. It also rejects entries with num_hashes 0, which the
// Recorder never makes and which would prove no time.
//
// Every entry names its own start (the hash before it), so the entries verify
// independently: Verify splits them into up to workers contiguous chunks of
// about equal hash work and checks the chunks on that many goroutines, all of
// which have returned when it does. The error, if any, is an
// *InvalidEntryError for the first bad entry, whichever worker found it.
//
// Verify trusts num_hashes to be sane; replay calls VerifyTicks first, which
// bounds every entry's num_hashes by the tick size, so a forged block cannot
// ask for 2^64 hashes.
func Verify(start sdk.Hash, entries []Entry, workers int) error {
	workers = max(1, min(workers, len(entries)))
	if workers == 1 {
		if i, reason := verifyRange(start, entries, 0, nil, nil); i >= 0 {
			return &InvalidEntryError{Index: i, Reason: reason}
		}
		return nil
	}
	bounds := splitByWork(entries, workers)
	var firstBad atomic.Int64
	firstBad.Store(math.MaxInt64)
	reasons := make([]string, len(bounds)-1)
	bad := make([]int, len(bounds)-1)
	var wg sync.WaitGroup
	for w := range len(bounds) - 1 {
		lo, hi := bounds[w], bounds[w+1]
		wg.Go(func() {
			s := start
			if lo > 0 {
				s = entries[lo-1].Hash
			}
			bad[w], reasons[w] = verifyRange(s, entries[lo:hi], lo, &firstBad, nil)
		})
	}
	wg.Wait()
	for w := range bad {
		if bad[w] >= 0 {
			return &InvalidEntryError{Index: bad[w], Reason: reasons[w]}
		}
	}
	return nil
}

// verifyRange checks entries (which start at index base of the whole list) from
// start, and returns the index of the first bad one and why, or -1. It stops
// early once firstBad (shared by the workers) names an earlier entry, since
// only the first bad entry is reported.
func verifyRange(start sdk.Hash, entries []Entry, base int, firstBad *atomic.Int64, scratch []sdk.Hash) (int, string) {
	h := start
	for i := range entries {
		idx := base + i
		if firstBad != nil && int64(idx) > firstBad.Load() {
			return -1, ""
		}
		e := &entries[i]
		var reason string
		if e.NumHashes == 0 {
			reason = "num_hashes 0"
		} else {
			var mixin sdk.Hash
			if len(e.Transactions) > 0 {
				mixin, scratch = mixinInto(scratch, e.Transactions)
			}
			next := hashChain(h, e.NumHashes-1)
			if len(e.Transactions) == 0 {
				next = hashChain(next, 1)
			} else {
				next = hashMix(next, mixin)
			}
			if next != e.Hash {
				reason = fmt.Sprintf("hash %s does not follow from %s with %d hashes and %d transactions",
					e.Hash, h, e.NumHashes, len(e.Transactions))
			}
		}
		if reason != "" {
			if firstBad != nil {
				lowerFirstBad(firstBad, int64(idx))
			}
			return idx, reason
		}
		h = e.Hash
	}
	return -1, ""
}

func lowerFirstBad(firstBad *atomic.Int64, idx int64) {
	for {
		cur := firstBad.Load()
		if idx >= cur || firstBad.CompareAndSwap(cur, idx) {
			return
		}
	}
}

// splitByWork cuts entries into at most parts contiguous ranges of about equal
// total num_hashes and returns their bounds: range k is
// entries[b[k]:b[k+1]].
func splitByWork(entries []Entry, parts int) []int {
	var total float64 // float: a forged num_hashes near 2^64 must not wrap the sum
	for i := range entries {
		total += float64(entries[i].NumHashes) + 1
	}
	bounds := make([]int, 1, parts+1)
	var acc float64
	for i := range entries {
		acc += float64(entries[i].NumHashes) + 1
		if len(bounds) < parts && acc >= total*float64(len(bounds))/float64(parts) && i+1 < len(entries) {
			bounds = append(bounds, i+1)
		}
	}
	return append(bounds, len(entries))
}

// VerifyTicks checks the tick structure of a block's entries: with
// hashesPerTick > 0, the hashes of each tick (the tick entry's and those of the
// entries before it since the previous tick) number exactly hashesPerTick, so
// no entry's num_hashes can exceed it; and with wantTicks > 0, the entries hold
// exactly wantTicks ticks and end with one. It is cheap (no hashing) and runs
// before Verify, as Agave's verify_ticks runs before PoH verification.
func VerifyTicks(entries []Entry, hashesPerTick, wantTicks uint64) error {
	var sinceTick, ticks uint64
	for i := range entries {
		e := &entries[i]
		if hashesPerTick > 0 {
			if e.NumHashes > hashesPerTick-sinceTick {
				return &InvalidEntryError{Index: i, Reason: fmt.Sprintf(
					"%d hashes after %d in the tick overflow %d hashes per tick", e.NumHashes, sinceTick, hashesPerTick)}
			}
			sinceTick += e.NumHashes
		}
		if !e.IsTick() {
			continue
		}
		if hashesPerTick > 0 && sinceTick != hashesPerTick {
			return &InvalidEntryError{Index: i, Reason: fmt.Sprintf(
				"tick of %d hashes, want %d", sinceTick, hashesPerTick)}
		}
		sinceTick = 0
		ticks++
		if wantTicks > 0 && ticks > wantTicks {
			return &InvalidEntryError{Index: i, Reason: fmt.Sprintf("more than %d ticks", wantTicks)}
		}
	}
	if wantTicks > 0 && ticks != wantTicks {
		return fmt.Errorf("poh: %d ticks, want %d: %w", ticks, wantTicks, ErrInvalidEntry)
	}
	if wantTicks > 0 && len(entries) > 0 && !entries[len(entries)-1].IsTick() {
		return &InvalidEntryError{Index: len(entries) - 1, Reason: "block does not end with a tick"}
	}
	return nil
}
