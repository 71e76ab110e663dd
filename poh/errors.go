package poh

import "errors"

// Errors. Each is a sentinel checked with errors.Is; the returned errors wrap
// them with the entry index or the field that is wrong.
var (
	// ErrInvalidEntry: an entry's hash does not follow from the previous
	// entry's hash, its num_hashes and its transactions, or the ticks of a slot
	// do not have the shape the genesis parameters demand.
	ErrInvalidEntry = errors.New("poh: invalid entry")

	// ErrMalformedEntries: bytes that are not the canonical RLP encoding of a
	// list of entries. A transaction inside that does not parse makes the error
	// wrap sdk.ErrMalformed as well.
	ErrMalformedEntries = errors.New("poh: malformed entries")

	// ErrTickFull: Record was called when the only hash left in the tick is the
	// tick's own; the caller must Tick first.
	ErrTickFull = errors.New("poh: tick full, tick first")

	// ErrWrongSlot: a record request named a slot the clock is no longer (or
	// not yet) in, so its transactions cannot land in that slot's block.
	ErrWrongSlot = errors.New("poh: record for a slot the clock is not in")

	// ErrStopped: the Service is not running, so it cannot record.
	ErrStopped = errors.New("poh: service stopped")

	// ErrConfig: a Config or ServiceConfig that cannot work.
	ErrConfig = errors.New("poh: bad config")
)
