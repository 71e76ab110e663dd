package alt

import (
	"encoding/binary"
	"errors"
	"math"
	"sort"

	"github.com/gnomon-chain/gnomon/runtime/invoke"
	"github.com/gnomon-chain/gnomon/runtime/sysvar"
	"github.com/gnomon-chain/gnomon/sdk"
)

// Layout constants, Solana's.
const (
	// MetaSize is the header before the addresses, whatever the authority.
	MetaSize = 56
	// MaxAddresses is the most addresses a table holds.
	MaxAddresses = 256
	// programStateLookupTable is the ProgramState tag of an initialized table.
	programStateLookupTable = 1
	// activeSlot is the deactivation slot of a table never deactivated.
	activeSlot = math.MaxUint64
)

// Meta is LookupTableMeta.
type Meta struct {
	// DeactivationSlot is math.MaxUint64 while the table is active.
	DeactivationSlot uint64
	// LastExtendedSlot and LastExtendedSlotStartIndex say which addresses
	// were appended in the latest extending slot; those are not usable
	// until a later slot.
	LastExtendedSlot           uint64
	LastExtendedSlotStartIndex uint8
	// HasAuthority is false once the table is frozen.
	HasAuthority bool
	Authority    sdk.Pubkey
}

// Table is a decoded lookup table account.
type Table struct {
	Meta      Meta
	Addresses []sdk.Pubkey
}

func newMeta(authority sdk.Pubkey) Meta {
	return Meta{DeactivationSlot: activeSlot, HasAuthority: true, Authority: authority}
}

// DecodeTable parses a lookup table account's data as Agave's
// AddressLookupTable::deserialize does: UninitializedAccount for a table
// not yet created, InvalidAccountData for anything else that is not a
// header followed by whole addresses. Bytes of the header after the meta
// (stale authority bytes of a frozen table) are ignored.
func DecodeTable(data []byte) (Table, error) {
	meta, err := decodeMeta(data)
	if err != nil {
		return Table{}, err
	}
	if len(data) < MetaSize || (len(data)-MetaSize)%32 != 0 {
		return Table{}, invoke.Err(invoke.InvalidAccountData)
	}
	t := Table{Meta: meta, Addresses: make([]sdk.Pubkey, (len(data)-MetaSize)/32)}
	for i := range t.Addresses {
		copy(t.Addresses[i][:], data[MetaSize+32*i:])
	}
	return t, nil
}

func decodeMeta(data []byte) (Meta, error) {
	bad := invoke.Err(invoke.InvalidAccountData)
	if len(data) < 4 {
		return Meta{}, bad
	}
	switch binary.LittleEndian.Uint32(data) {
	case 0:
		return Meta{}, invoke.Err(invoke.UninitializedAccount)
	case programStateLookupTable:
	default:
		return Meta{}, bad
	}
	// tag 4, deactivation 8, last extended 8, start index 1, option tag 1.
	if len(data) < 22 {
		return Meta{}, bad
	}
	m := Meta{
		DeactivationSlot:           binary.LittleEndian.Uint64(data[4:]),
		LastExtendedSlot:           binary.LittleEndian.Uint64(data[12:]),
		LastExtendedSlotStartIndex: data[20],
	}
	padding := 22
	switch data[21] {
	case 0:
	case 1:
		if len(data) < 22+32 {
			return Meta{}, bad
		}
		m.HasAuthority = true
		copy(m.Authority[:], data[22:54])
		padding = 54
	default:
		return Meta{}, bad
	}
	if len(data) < padding+2 {
		return Meta{}, bad
	}
	return m, nil
}

// overwriteMeta writes the meta at the start of data as Agave's
// overwrite_meta_data does: only the encoded bytes change, so freezing a
// table leaves the old authority's tail in the header, byte for byte as on
// Solana.
func overwriteMeta(data []byte, m Meta) error {
	if len(data) < MetaSize {
		return invoke.Err(invoke.InvalidAccountData)
	}
	binary.LittleEndian.PutUint32(data, programStateLookupTable)
	binary.LittleEndian.PutUint64(data[4:], m.DeactivationSlot)
	binary.LittleEndian.PutUint64(data[12:], m.LastExtendedSlot)
	data[20] = m.LastExtendedSlotStartIndex
	if !m.HasAuthority {
		data[21] = 0
		data[22], data[23] = 0, 0 // padding
		return nil
	}
	data[21] = 1
	copy(data[22:54], m.Authority[:])
	data[54], data[55] = 0, 0
	return nil
}

// Status is where a table is in its life.
type Status int

// Table statuses. A deactivating table still resolves lookups.
const (
	Activated Status = iota
	Deactivating
	Deactivated
)

// Status returns the table's status at currentSlot and, while it is
// deactivating, how many more slots it stays so. A deactivated table's
// deactivation slot must have left SlotHashes: until then, a transaction
// could be replayed on a fork where the table is still active, so the
// table may be neither closed nor recreated.
func (m Meta) Status(currentSlot uint64, slotHashes []sysvar.SlotHash) (Status, uint64) {
	switch {
	case m.DeactivationSlot == activeSlot:
		return Activated, 0
	case m.DeactivationSlot == currentSlot:
		return Deactivating, sysvar.MaxSlotHashes + 1
	}
	if i, ok := slotHashPosition(slotHashes, m.DeactivationSlot); ok {
		return Deactivating, uint64(sysvar.MaxSlotHashes - i)
	}
	return Deactivated, 0
}

// IsActive reports whether the table may be used for lookups at currentSlot.
func (m Meta) IsActive(currentSlot uint64, slotHashes []sysvar.SlotHash) bool {
	s, _ := m.Status(currentSlot, slotHashes)
	return s != Deactivated
}

// slotHashPosition finds slot in newest-first SlotHashes.
func slotHashPosition(slotHashes []sysvar.SlotHash, slot uint64) (int, bool) {
	i := sort.Search(len(slotHashes), func(j int) bool { return slotHashes[j].Slot <= slot })
	return i, i < len(slotHashes) && slotHashes[i].Slot == slot
}

// Lookup errors, named after the TransactionError the bank reports.
var (
	// ErrLookupTableNotFound: the table is deactivated (and may be closed
	// at any moment, so it is reported as missing).
	ErrLookupTableNotFound = errors.New("alt: AddressLookupTableNotFound")
	// ErrInvalidLookupIndex: an index past the usable addresses.
	ErrInvalidLookupIndex = errors.New("alt: InvalidAddressLookupTableIndex")
)

// ActiveAddressesLen is how many of the table's addresses a transaction at
// currentSlot may use: all of them, except that addresses appended in
// currentSlot itself become usable only in the next slot.
func (t *Table) ActiveAddressesLen(currentSlot uint64, slotHashes []sysvar.SlotHash) (int, error) {
	if !t.Meta.IsActive(currentSlot, slotHashes) {
		return 0, ErrLookupTableNotFound
	}
	if currentSlot > t.Meta.LastExtendedSlot {
		return len(t.Addresses), nil
	}
	return min(int(t.Meta.LastExtendedSlotStartIndex), len(t.Addresses)), nil
}

// Lookup appends to dst the addresses at indexes, as a v0 message's table
// lookup resolves them at currentSlot.
func (t *Table) Lookup(dst []sdk.Pubkey, currentSlot uint64, slotHashes []sysvar.SlotHash, indexes []uint8) ([]sdk.Pubkey, error) {
	n, err := t.ActiveAddressesLen(currentSlot, slotHashes)
	if err != nil {
		return dst, err
	}
	for _, i := range indexes {
		if int(i) >= n {
			return dst, ErrInvalidLookupIndex
		}
		dst = append(dst, t.Addresses[i])
	}
	return dst, nil
}

// DeriveAddress is the table address for authority and recentSlot, and its
// bump seed: the PDA of [authority, recentSlot LE] under the program.
func DeriveAddress(authority sdk.Pubkey, recentSlot uint64) (sdk.Pubkey, uint8, error) {
	return sdk.FindProgramAddress([][]byte{authority[:], binary.LittleEndian.AppendUint64(nil, recentSlot)}, ID)
}
