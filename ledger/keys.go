package ledger

import (
	"encoding/binary"

	"github.com/gnomon-chain/gnomon/sdk"
)

// Column families, one prefix byte each. Integers in keys are big-endian so
// that pebble's bytewise order is numeric order and a slot range is one
// contiguous key range (what range deletes and ordered scans need). doc.go
// has the full table.
const (
	prefixDataShred    byte = 'd' // slot u64 | index u32 -> shred value
	prefixCodingShred  byte = 'c' // slot u64 | index u32 -> shred value
	prefixSlotMeta     byte = 'm' // slot u64 -> SlotMeta (RLP)
	prefixDuplicate    byte = 'x' // slot u64 -> DuplicateProof (RLP)
	prefixRoot         byte = 'r' // slot u64 -> empty
	prefixStatus       byte = 's' // signature [64] | slot u64 -> StatusRecord (RLP)
	prefixAddress      byte = 'a' // pubkey [32] | ^slot u64 | ^position u32 | signature [64] -> error JSON
	prefixAccount      byte = 'A' // pubkey [32] -> rooted account (RLP)
	prefixAccountsRoot byte = 'R' // (single key) -> [slot, bank hash] (RLP)
	prefixPruneFloor   byte = 'P' // (single key) -> lowest slot whose shreds are kept, u64
	prefixGenesisBank  byte = 'G' // (single key) -> slot 0's bank hash [32]
)

const (
	shredKeyLen   = 1 + 8 + 4
	slotKeyLen    = 1 + 8
	statusKeyLen  = 1 + sdk.SignatureSize + 8
	addressKeyLen = 1 + sdk.PubkeySize + 8 + 4 + sdk.SignatureSize
	accountKeyLen = 1 + sdk.PubkeySize
)

var (
	accountsRootKey = []byte{prefixAccountsRoot}
	pruneFloorKey   = []byte{prefixPruneFloor}
	genesisBankKey  = []byte{prefixGenesisBank}
)

func shredKey(dst []byte, coding bool, slot uint64, index uint32) []byte {
	p := prefixDataShred
	if coding {
		p = prefixCodingShred
	}
	dst = append(dst, p)
	dst = binary.BigEndian.AppendUint64(dst, slot)
	return binary.BigEndian.AppendUint32(dst, index)
}

func slotKey(prefix byte, slot uint64) []byte {
	k := make([]byte, 0, slotKeyLen)
	k = append(k, prefix)
	return binary.BigEndian.AppendUint64(k, slot)
}

// slotRangeEnd is the exclusive end of slot's keys under prefix: the next
// slot's first key, or the next prefix when slot is the largest.
func slotRangeEnd(prefix byte, slot uint64) []byte {
	if slot == ^uint64(0) {
		return []byte{prefix + 1}
	}
	return slotKey(prefix, slot+1)
}

func statusKey(sig sdk.Signature, slot uint64) []byte {
	k := make([]byte, 0, statusKeyLen)
	k = append(k, prefixStatus)
	k = append(k, sig[:]...)
	return binary.BigEndian.AppendUint64(k, slot)
}

// addressKey orders an address's signatures newest first: slot and position
// are stored inverted, so an ascending scan yields descending (slot,
// position).
func addressKey(dst []byte, addr sdk.Pubkey, slot uint64, position uint32, sig sdk.Signature) []byte {
	dst = append(dst, prefixAddress)
	dst = append(dst, addr[:]...)
	dst = binary.BigEndian.AppendUint64(dst, ^slot)
	dst = binary.BigEndian.AppendUint32(dst, ^position)
	return append(dst, sig[:]...)
}

func parseAddressKey(k []byte) (slot uint64, position uint32, sig sdk.Signature, ok bool) {
	if len(k) != addressKeyLen || k[0] != prefixAddress {
		return 0, 0, sig, false
	}
	o := 1 + sdk.PubkeySize
	slot = ^binary.BigEndian.Uint64(k[o:])
	position = ^binary.BigEndian.Uint32(k[o+8:])
	copy(sig[:], k[o+12:])
	return slot, position, sig, true
}

func accountKey(pk sdk.Pubkey) []byte {
	k := make([]byte, 0, accountKeyLen)
	k = append(k, prefixAccount)
	return append(k, pk[:]...)
}

// prefixEnd returns the smallest key greater than every key starting with p.
func prefixEnd(p []byte) []byte {
	end := append([]byte(nil), p...)
	for i := len(end) - 1; i >= 0; i-- {
		end[i]++
		if end[i] != 0 {
			return end[:i+1]
		}
	}
	return nil
}
