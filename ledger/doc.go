// Package ledger is everything Gnomon keeps on disk, on pebble: the
// blockstore (shreds, slot metadata, roots, duplicate-slot proofs),
// transaction statuses with the address → signatures index, and the rooted
// accounts that a restarting node loads.
//
// # What it owns, and what it must never do
//
// The ledger owns durability and nothing else. It is never on the
// transaction-execution path: accounts live in memory (runtime.Accounts),
// no transaction reads pebble, and the rooted accounts are read only once,
// at start-up (LoadRootedAccounts, then runtime.Accounts.Restore). An LSM
// tree's read latency is unbounded while it compacts; a bank worker that
// waited on it would turn a compaction into a stalled slot.
//
// Writes arrive in batches from stage shells (shred receive, replay, root
// setting), one pebble batch per call, and the ledger never issues a write
// per transaction. It does not parse shreds (the caller passes parsed
// ShredRecords) or decode entries (SlotData returns bytes). It never deletes
// at or above the latest root.
//
// # Durability
//
//   - PersistRoot writes a root's account changes, the root marker (slot and
//     bank hash) and the root's slot marker in ONE batch, fsynced: after a
//     crash the ledger holds the previous root or this one, never a mix.
//   - InsertShreds and WriteStatuses do not fsync. The WAL is sequential, so
//     the next fsync (Sync, a root, SetRoots) makes everything before it
//     durable: callers call Sync once per slot before reporting it processed,
//     and statuses of unrooted slots are rewritten by replay after a crash.
//   - A shred batch and the slot metadata it changes are one batch, so no
//     meta ever claims a shred that is not stored.
//   - A failed pebble commit is fatal to pebble (its commit pipeline cannot be
//     rolled back). The ledger turns it into an ErrFailed error from the
//     call, refuses every later call, and the node restarts from what is
//     durable.
//
// These claims are tested, not argued: crash_test.go cuts power on pebble's
// crashable in-memory filesystem at random points of a seeded workload, more
// than 1,000 times per run, and fault_test.go fails the WAL under a root.
//
// # Key layout
//
// One prefix byte per column family; integers big-endian so pebble's byte
// order is numeric order and one slot range is one contiguous key range
// (ordered scans, range deletes).
//
//	'd' slot u64 | index u32                      data shred: header, payload, entry bytes
//	'c' slot u64 | index u32                      coding shred
//	'm' slot u64                                  SlotMeta (RLP)
//	'x' slot u64                                  DuplicateProof (RLP), first conflict only
//	'r' slot u64                                  root marker (empty value)
//	's' signature [64] | slot u64                 StatusRecord (RLP); one per fork it landed on
//	'a' pubkey [32] | ^slot u64 | ^pos u32 | sig  address index; value: error JSON or empty
//	'A' pubkey [32]                               rooted account (RLP), absent when 0 lamports
//	'R'                                           accounts root: [slot, bank hash] (RLP)
//	'P'                                           prune floor: lowest slot whose shreds are kept
//	'G'                                           slot 0's bank hash [32]
//
// The address index stores slot and position inverted (^x), so an
// ascending scan yields newest first, as getSignaturesForAddress wants,
// and before/until become the scan's lower and upper bounds.
//
// # pebble options, and why
//
// Compaction stalls are the known failure of LSM ledgers: shreds arrive at
// a steady ~100+ MB/s under load and pebble stops writes when L0 or the
// memtable queue is full. The options trade read amplification, which the
// ledger hardly has (no reads on the execution path), for never stalling:
//
//   - MemTableSize 64 MiB, MemTableStopWritesThreshold 4: a slot's shreds
//     land in one memtable, and up to 256 MiB may queue behind a slow flush
//     before writes stop.
//   - L0CompactionThreshold 4, L0CompactionFileThreshold 500: compact L0
//     early, so L0 stays shallow.
//   - L0StopWritesThreshold 1000 (default 12): the hard stop is far away; a
//     compaction falling behind costs reads, not stalled block ingestion.
//   - LBaseMaxBytes 256 MiB: fewer levels for a ledger of tens of GiB.
//   - CompactionConcurrencyRange 1..2: a second compaction when behind, but
//     never more than the 2 cores this node runs on can spare.
//   - BytesPerSync and WALBytesPerSync 1 MiB: background writeback in small
//     steps, so no fsync (ours on a root) waits behind a large dirty page
//     cache.
//   - WAL on (never DisableWAL); fsync only on root batches, SetRoots and
//     Sync.
//   - Bloom filters (10 bits/key) on every level and 32 KiB blocks:
//     duplicate checks and status lookups are point gets; slot reads are
//     sequential scans that like large blocks.
//   - Pruning uses range deletions (a few tombstones per prune, whatever the
//     number of shreds), which pebble drops with delete-only compactions.
//
// # Retention
//
// PruneBelow and PruneToLimit (--limit-ledger-size: keep the newest N
// shreds' worth of rooted slots) delete shreds, metas and duplicate proofs
// of slots below a floor that never passes the latest root. Root markers
// and transaction statuses are kept.
package ledger
