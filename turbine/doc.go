// Package turbine owns block propagation: cutting a leader's block into
// Merkle-signed, erasure-coded shreds, putting a block back together from
// whichever of them arrive, and (later) the stake-weighted fanout tree, the
// QUIC transport, retransmit and repair that move shreds between validators.
//
// Today it holds the two pure cores. The Shredder turns a slot's serialized
// entries into FEC sets of 32 data and 32 coding shreds, each set signed
// once by the leader over the root of a blake3 Merkle tree that every shred
// carries its proof of. The Deshredder takes shreds in any order, with
// duplicates and garbage among them, keeps those the leader signed,
// recovers each set from any 32 of its 64 shreds, and reassembles the slot's
// entry batches once every data shred up to LAST_IN_SLOT is present. The
// wire format itself belongs to internal/shred, because the ledger must read
// it too.
//
// What turbine must never do: decide anything about a block's contents
// (entries are replayed and verified by others; the Deshredder only checks
// that the leader signed the bytes); read the clock, start goroutines or do
// I/O in the cores (their shells will, so that a cluster can later run in a
// deterministic simulation); panic on bytes from the network (every rejected
// shred is returned as an error of a stated class and counted in
// DeshredStats); or hold the leader key anywhere but the Shredder that signs
// with it. Two validly signed shreds that conflict are not an error to hide
// but evidence: the Deshredder keeps both byte forms as a DuplicateProof.
package turbine
