// Package shred owns the shred wire format: the fixed binary layout of the
// data and coding shreds that carry a block between validators, its parser,
// the encoders of its headers, and the Merkle tree that binds the 64 shreds of
// an FEC set under one leader signature.
//
// It sits in internal/ because two packages must agree on it byte for byte:
// turbine, which cuts blocks into shreds and puts them back together, and
// ledger, which stores shreds and must read their headers, yet sits above
// turbine in DESIGN.md's import order and so cannot import it.
//
// What shred must never do: cut, erasure-code, sign, store or send shreds
// (that is turbine's and ledger's work; this package only says what the bytes
// mean); import any Gnomon package but sdk; allocate or copy in Parse (a
// Shred is a view into the caller's bytes, because every received packet is
// parsed and most are dropped); or panic on bytes from the network (Parse
// returns errors that wrap ErrMalformed, and every accessor of a Shred that
// Parse returned reads only bytes Parse checked).
//
// # Layout
//
// All integers are little-endian. A data shred is exactly DataSize (1203)
// bytes and a coding shred exactly CodingSize (1228) bytes; the variant byte
// says which, so a receiver knows the length before it reads further.
//
// Common header, both types (83 bytes):
//
//	offset size field
//	     0   64 signature      leader's ed25519 signature of RootMessage(Merkle root of the FEC set)
//	    64    1 variant        high nibble type (0xA data, 0x5 coding), low nibble Merkle proof depth (6)
//	    65    8 slot           u64
//	    73    4 index          u32, data: position of the shred in the slot's data; coding: fec_set_index + position
//	    77    2 version        u16, the cluster's shred version
//	    79    4 fec_set_index  u32, index of the first data shred of the FEC set (a multiple of 32)
//
// Data shred (1203 bytes), after the common header:
//
//	offset size field
//	    83    2 parent_offset  u16, slot - parent slot (0 only for slot 0)
//	    85    1 flags          bit 7 LAST_IN_SLOT, bit 6 DATA_COMPLETE, bits 0-5 reference tick
//	    86    2 size           u16, bytes of the payload in use (0..995)
//	    88  995 payload        size bytes of the slot's data, then zeros
//	  1083  120 proof          6 Merkle nodes of 20 bytes, leaf level first
//
// Coding shred (1228 bytes), after the common header:
//
//	offset size field
//	    83    2 num_data       u16, data shreds in the FEC set (32)
//	    85    2 num_coding     u16, coding shreds in the FEC set (32)
//	    87    2 position       u16, which coding shred of the set (0..31)
//	    89 1019 parity         Reed–Solomon parity of the set's erasure shards
//	  1108  120 proof          6 Merkle nodes of 20 bytes, leaf level first
//
// # Why these sizes
//
// The coding shred, the larger, is 1228 bytes, as on Solana: an IPv6 packet
// is guaranteed 1280 bytes, less 40 of IPv6 header and 8 of UDP header is
// 1232 (also the transaction limit and a safe QUIC datagram), and 4 bytes are
// left for the nonce that a repair response appends to the shred it returns.
//
// The data shred cannot be as large, because erasure coding fixes the ratio.
// Reed–Solomon makes parity shards of the length of the data shards. The
// erasure shard of a data shred is everything the receiver cannot rebuild
// from the set alone: bytes 64..1083, its header without the signature, and
// its payload (1019 bytes). A coding shred carries one parity shard of that
// length after its own 89-byte header and before its 120-byte proof, which is
// 1228; the data shred is its erasure shard plus the signature and proof,
// 1203. The 25-byte difference is the coding header's extra length over the
// signature. A recovered data shred gets the set's signature and a proof
// computed from the rebuilt tree; a recovered coding shred's header is a
// function of the set.
//
// # FEC sets
//
// Every FEC set has exactly 32 data and 32 coding shreds, the last set of a
// slot included: the shredder pads it with empty data shreds (size 0,
// DATA_COMPLETE set). So any 32 of a set's 64 shreds recover all of them,
// every proof has depth 6, fec_set_index is index rounded down to a multiple
// of 32, and Parse rejects a coding shred that claims another shape. Padding
// costs at most 31 nearly empty data shreds per slot; it buys a rule with no
// special case for the last set, which is also where Solana ended up. The
// num_data and num_coding fields are kept so that a later shred version can
// change the ratio without a new layout, and so that one coding shred tells
// the ledger the set's shape.
//
// Flags: DATA_COMPLETE marks the last shred of an entry batch, a unit the
// reader can decode on its own; LAST_IN_SLOT marks the slot's last data
// shred, which must also be DATA_COMPLETE and the last of its set (index mod
// 32 = 31). A data shred of size 0 must be DATA_COMPLETE: it ends an empty
// batch, which the reader skips. The reference tick is the tick of the slot
// at which the batch was shredded, saturated at 63.
//
// A slot has at most MaxDataShredsPerSlot (32,768) data shreds, about 32 MB,
// as on Solana; Parse rejects larger indexes so that a receiver's per-slot
// state has a bound.
//
// # Merkle tree and signature
//
// The 64 leaves of a set are its data shreds in index order, then its coding
// shreds in position order. A leaf is the blake3 hash of LeafPrefix followed
// by the shred's bytes from offset 64 (after the signature) up to the proof:
// every header field and the whole payload, zeros included, are bound. A node
// is the blake3 hash of NodePrefix, the left child, and the right child. The
// prefixes separate the domains, so that no leaf can be passed off as a node
// or the reverse. Every hash, the root included, is truncated to its first 20
// bytes, as Solana does: a forger who does not hold the leader's key has to
// find a second preimage of a given node, which costs 2^160; the 2^80 birthday
// bound only helps someone who can sign, and a leader who signs two
// different sets for one position is caught by the duplicate-shred proof
// whatever its hashes. Twenty bytes instead of 32 save 72 bytes of every
// shred, 7% of a data shred's payload.
//
// The leader signs RootMessage(root), the root behind the domain tag
// RootDomain, once per set, and every shred of the set carries the same
// signature. The tag keeps a shred signature from ever being valid as the
// signature of anything else the same identity key signs.
package shred
