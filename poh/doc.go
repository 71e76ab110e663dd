// Package poh owns the proof-of-history clock: the Recorder (the SHA-256 hash
// chain, its ticks, and the entries that mix transaction batches into it), the
// Entry and its RLP wire form inside a block, verification of a block's
// entries in parallel, and the Service, the thin shell that runs the Recorder
// against wall time on a node.
//
// What poh must never do: execute, schedule or check the signatures of
// transactions (it only hashes their first signatures into the chain and
// carries them); read or write the ledger or the network (the Service hands
// entries to whoever reads Entries); read the clock, sleep or start goroutines
// in the core (Recorder, NextHash, MixinOf, VerifyTicks and the encoding are
// plain functions of their arguments; Verify starts a worker pool and waits for
// all of it before returning; only the Service, whose goroutine its caller
// owns, reads the wall clock); or panic on bytes from the network
// (DecodeEntries returns errors that wrap ErrMalformedEntries).
//
// # Why a hash chain is a clock
//
// A leader has to convince everyone that time passed between its entries
// without anyone trusting its wall clock. SHA-256 chained on itself,
// h(n+1) = sha256(h(n)), is a verifiable delay function of the crudest and most
// robust kind: nobody knows how to compute h(n+k) from h(n) faster than k
// sequential SHA-256 evaluations, so presenting h(n+k) proves that k hash-times
// elapsed after h(n) was known. Counting hashes is counting time, in units of
// "one SHA-256 on the fastest core anyone has", which is why the chain uses
// SHA-256: modern CPUs have instructions for it (SHA-NI here), so honest
// hardware is within a small factor of the best an attacker can buy, and no
// one can run the chain much faster than the leader hashes_per_tick was
// calibrated for.
//
// Mixing a batch into the chain, h' = sha256(h ‖ MixinOf(batch)), timestamps
// the batch: it cannot have been known before h (h' depends on it) and must
// have existed before every later hash (they depend on h'). The order of
// entries in a block is therefore an order in time that nobody, including the
// leader, can rewrite without redoing all the hashing after the change. A tick
// is an entry with no batch every hashes_per_tick hashes; a slot is
// ticks_per_slot ticks, so a block that claims a slot must carry that much
// sequential work, and a leader cannot cut its predecessor's slots short or
// produce its own early.
//
// # Why generation is serial and verification is parallel
//
// Generating the chain is inherently sequential: hash n+1 needs hash n, so one
// core does all of it, and a faster core is the only way to go faster. That is
// why the Recorder's hot loop is nothing but sha256.Sum256 on a 32-byte array,
// with the record queue and the wall clock looked at only between batches.
//
// Verifying is not: every entry carries the hash the chain reached, so entry i
// starts from entry i-1's hash, which is written down in the block. Given all
// of a block's entries, each entry can be re-hashed from its predecessor's hash
// independently of the others, and the block splits into as many chunks as
// there are cores. A validator with c cores verifies c slots' worth of time in
// one slot of wall time. The same work that took the leader a slot on one core
// takes a replaying node a slot divided by its core count; Verify does that
// split, by hash work rather than by entry count, so ticks and records weigh
// what they cost.
//
// Verification checks only the chain. That the ticks have the right size and
// count is VerifyTicks, which is cheap and runs first, so that a forged entry
// claiming 2^64 hashes is refused before anyone starts hashing. That the
// transactions are valid is for sigverify and replay.
//
// # The Service and wall time
//
// In production hashes_per_tick is set so that a tick fills its wall time on
// one core. On a dev node or a fast machine the chain would run ahead of wall
// time, slots would be short and a core would burn; the Service instead keeps
// each tick's hashing in step with the wall clock and sleeps (on a timer, never
// spinning) while it is ahead, still taking record requests. It never ticks
// before a tick's deadline. Low-power mode (HashesPerTick 0) goes further: a
// tick is one hash made when its time comes, and verification does not count
// hashes.
package poh
