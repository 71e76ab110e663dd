package rpc

import (
	"time"

	gnrt "github.com/gnomon-chain/gnomon/runtime"
	"github.com/gnomon-chain/gnomon/sdk"
)

// snapshot is the node's commitment state as clients see it: one bank per
// level. It is replaced whole, never changed, so a request reads one
// consistent view with one atomic load.
type snapshot struct {
	processed, confirmed, finalized *gnrt.Bank
	publishedAt                     time.Time
}

// SlotUpdate is what the node tells RPC after a slot is frozen and durable:
// the bank, what it committed, and the commitment levels it led to.
type SlotUpdate struct {
	// Bank is the newly frozen bank (processed).
	Bank *gnrt.Bank
	// Transactions and Results are what the slot committed, in block order.
	Transactions []*sdk.Transaction
	Results      []gnrt.TxResult
	// Entries is the number of entries in the block (ticks included).
	Entries int
	// Confirmed and Root are the banks at confirmed and finalized
	// commitment after this slot.
	Confirmed, Root *gnrt.Bank
}

// Publish makes a frozen slot visible to clients and queues its
// notifications. The node calls it from its own loop after the slot is
// durable; it never blocks.
func (s *Server) Publish(u SlotUpdate) {
	prev := s.state.Load()
	next := &snapshot{processed: u.Bank, confirmed: u.Confirmed, finalized: u.Root, publishedAt: time.Now()}
	// Levels never move backwards for a reader.
	if next.confirmed == nil || (prev.confirmed != nil && next.confirmed.Slot() < prev.confirmed.Slot()) {
		next.confirmed = prev.confirmed
	}
	if next.finalized == nil || next.finalized.Slot() < prev.finalized.Slot() {
		next.finalized = prev.finalized
	}
	if next.confirmed.Slot() < next.finalized.Slot() {
		next.confirmed = next.finalized
	}
	s.state.Store(next)
	s.emit(event{update: u, confirmed: next.confirmed, root: next.finalized, at: next.publishedAt}, u.Bank.Slot())
}

// emit queues ev for the pubsub dispatcher without blocking.
func (s *Server) emit(ev event, slot uint64) {
	select {
	case s.hub <- ev:
	default:
		// Only a stuck dispatcher gets here: clients are disconnected
		// rather than waited for, so it never blocks for long.
		s.stats.EventsDropped.Add(1)
		s.log.Warn("rpc: pubsub event queue full, slot events dropped", "slot", slot)
	}
}

// PublishConfirmed moves the confirmed level to b, an already published
// slot, between two slot updates: the node calls it when votes executing in
// the slot it is producing confirm an earlier slot. Like Publish, it is
// called from the node's loop only (the two read-modify-write the snapshot
// without a lock) and never blocks. A level at or below the current one
// changes nothing.
func (s *Server) PublishConfirmed(b *gnrt.Bank) {
	prev := s.state.Load()
	if b == nil || prev.processed == nil || b.Slot() > prev.processed.Slot() ||
		(prev.confirmed != nil && b.Slot() <= prev.confirmed.Slot()) {
		return
	}
	next := &snapshot{processed: prev.processed, confirmed: b, finalized: prev.finalized, publishedAt: prev.publishedAt}
	s.state.Store(next)
	// An event without a bank carries levels only.
	s.emit(event{confirmed: b, root: next.finalized, at: time.Now()}, b.Slot())
}

// commitment names a level.
type commitment uint8

const (
	processed commitment = iota
	confirmed
	finalized
)

func (c commitment) String() string {
	switch c {
	case processed:
		return "processed"
	case confirmed:
		return "confirmed"
	}
	return "finalized"
}

// bank returns the bank at c.
func (sn *snapshot) bank(c commitment) *gnrt.Bank {
	switch c {
	case processed:
		return sn.processed
	case confirmed:
		return sn.confirmed
	}
	return sn.finalized
}

// statusOf returns a committed slot's level, or false if it is newer than
// what clients may see.
func (sn *snapshot) statusOf(slot uint64) (commitment, bool) {
	switch {
	case slot <= sn.finalized.Slot():
		return finalized, true
	case slot <= sn.confirmed.Slot():
		return confirmed, true
	case slot <= sn.processed.Slot():
		return processed, true
	}
	return 0, false
}
