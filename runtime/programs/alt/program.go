package alt

import (
	"encoding/binary"
	"errors"

	"github.com/gnomon-chain/gnomon/runtime/invoke"
	"github.com/gnomon-chain/gnomon/sdk"
)

// ID is the Address Lookup Table program's address.
var ID = sdk.AddressLookupTableID

// ComputeUnits is the fixed cost of every instruction, Agave's.
const ComputeUnits = 750

// Builtin is the program as the runtime registers it.
var Builtin = &invoke.Builtin{Name: "address_lookup_table_program", Execute: execute}

// Instruction tags, a u32 at the start of the data.
const (
	TagCreateLookupTable uint32 = iota
	TagFreezeLookupTable
	TagExtendLookupTable
	TagDeactivateLookupTable
	TagCloseLookupTable
)

// Instruction is a decoded instruction; the fields its Tag uses are set.
type Instruction struct {
	Tag          uint32
	RecentSlot   uint64       // Create
	BumpSeed     uint8        // Create
	NewAddresses []sdk.Pubkey // Extend
}

var errInvalidData = invoke.Err(invoke.InvalidInstructionData)

// DecodeInstruction parses instruction data (bincode, trailing bytes
// allowed, as Agave's limited_deserialize).
func DecodeInstruction(data []byte) (Instruction, error) {
	if len(data) < 4 {
		return Instruction{}, errInvalidData
	}
	ix := Instruction{Tag: binary.LittleEndian.Uint32(data)}
	rest := data[4:]
	switch ix.Tag {
	case TagCreateLookupTable:
		if len(rest) < 9 {
			return Instruction{}, errInvalidData
		}
		ix.RecentSlot, ix.BumpSeed = binary.LittleEndian.Uint64(rest), rest[8]
	case TagExtendLookupTable:
		if len(rest) < 8 {
			return Instruction{}, errInvalidData
		}
		n := binary.LittleEndian.Uint64(rest)
		rest = rest[8:]
		if n > uint64(len(rest)/32) {
			return Instruction{}, errInvalidData
		}
		ix.NewAddresses = make([]sdk.Pubkey, n)
		for i := range ix.NewAddresses {
			copy(ix.NewAddresses[i][:], rest[32*i:])
		}
	case TagFreezeLookupTable, TagDeactivateLookupTable, TagCloseLookupTable:
	default:
		return Instruction{}, errInvalidData
	}
	return ix, nil
}

func execute(c *invoke.Context) error {
	if err := c.Consume(ComputeUnits); err != nil {
		return err
	}
	ix, err := DecodeInstruction(c.Data())
	if err != nil {
		return err
	}
	switch ix.Tag {
	case TagCreateLookupTable:
		return create(c, ix.RecentSlot, ix.BumpSeed)
	case TagFreezeLookupTable:
		return freeze(c)
	case TagExtendLookupTable:
		return extend(c, ix.NewAddresses)
	case TagDeactivateLookupTable:
		return deactivate(c)
	default:
		return closeTable(c)
	}
}

func create(c *invoke.Context, recentSlot uint64, bump uint8) error {
	table, err := c.Account(0)
	if err != nil {
		return err
	}
	// Creation no longer needs the authority's signature (Solana's
	// relax_authority_signer_check_for_lookup_table_creation): the address
	// alone binds the table to its authority.
	authority, err := c.Account(1)
	if err != nil {
		return err
	}
	payer, err := c.Account(2)
	if err != nil {
		return err
	}
	if !payer.IsSigner() {
		c.Log("Payer account must be a signer")
		return invoke.Err(invoke.MissingRequiredSignature)
	}
	env := c.Env()
	// A recent slot makes the address unique per authority and lets a
	// closed table's address never be reused: it can be recreated only
	// while its slot is still in SlotHashes, which closing must outwait.
	if _, ok := slotHashPosition(env.SlotHashes, recentSlot); !ok {
		c.Logf("%d is not a recent slot", recentSlot)
		return errInvalidData
	}
	authorityKey := authority.Key()
	seeds := [][]byte{authorityKey[:], binary.LittleEndian.AppendUint64(nil, recentSlot), {bump}}
	derived, err := sdk.CreateProgramAddress(seeds, ID)
	if err != nil {
		if errors.Is(err, sdk.ErrMaxSeedLengthExceeded) {
			return invoke.Err(invoke.MaxSeedLengthExceeded)
		}
		return invoke.Err(invoke.InvalidSeeds)
	}
	if table.Key() != derived {
		c.Logf("Table address must match derived address: %s", derived)
		return invoke.Err(invoke.InvalidArgument)
	}
	// Creating an existing table again is a no-op, so a retried
	// transaction does not fail.
	if table.Owner() == ID {
		return nil
	}
	required := satSub(max(env.Rent.MinimumBalance(MetaSize), 1), table.Lamports())
	tableKey, payerKey := table.Key(), payer.Key()
	if required > 0 {
		if err := c.Invoke(systemTransfer(payerKey, tableKey, required)); err != nil {
			return err
		}
	}
	if err := c.Invoke(systemAllocate(tableKey, MetaSize), seeds); err != nil {
		return err
	}
	if err := c.Invoke(systemAssign(tableKey, ID), seeds); err != nil {
		return err
	}
	data, err := table.DataMut()
	if err != nil {
		return err
	}
	return overwriteMeta(data, newMeta(authorityKey))
}

// mutableTable is the prefix Freeze, Extend and Deactivate share: an
// authorized, decoded table that is neither frozen (frozenMsg is logged if
// it is) nor held by another authority. Close checks its recipient between
// these steps, so it calls them one by one.
func mutableTable(c *invoke.Context, frozenMsg string) (*invoke.Account, Table, error) {
	acct, authority, err := authorizedTable(c)
	if err != nil {
		return nil, Table{}, err
	}
	t, err := DecodeTable(acct.Data())
	if err != nil {
		return nil, Table{}, err
	}
	if err := checkAuthority(c, t.Meta, authority, frozenMsg); err != nil {
		return nil, Table{}, err
	}
	return acct, t, nil
}

// authorizedTable checks what every instruction after creation checks: the
// table belongs to this program and account 1 signs.
func authorizedTable(c *invoke.Context) (*invoke.Account, sdk.Pubkey, error) {
	table, err := c.Account(0)
	if err != nil {
		return nil, sdk.Pubkey{}, err
	}
	if table.Owner() != ID {
		return nil, sdk.Pubkey{}, invoke.Err(invoke.InvalidAccountOwner)
	}
	authority, err := c.Account(1)
	if err != nil {
		return nil, sdk.Pubkey{}, err
	}
	if !authority.IsSigner() {
		c.Log("Authority account must be a signer")
		return nil, sdk.Pubkey{}, invoke.Err(invoke.MissingRequiredSignature)
	}
	return table, authority.Key(), nil
}

// checkAuthority applies the frozen and authority rules, with frozenMsg
// logged for a frozen table.
func checkAuthority(c *invoke.Context, m Meta, authority sdk.Pubkey, frozenMsg string) error {
	if !m.HasAuthority {
		if frozenMsg != "" {
			c.Log(frozenMsg)
		}
		return invoke.Err(invoke.Immutable)
	}
	if m.Authority != authority {
		return invoke.Err(invoke.IncorrectAuthority)
	}
	return nil
}

func freeze(c *invoke.Context) error {
	acct, t, err := mutableTable(c, "Lookup table is already frozen")
	if err != nil {
		return err
	}
	if t.Meta.DeactivationSlot != activeSlot {
		c.Log("Deactivated tables cannot be frozen")
		return invoke.Err(invoke.InvalidArgument)
	}
	if len(t.Addresses) == 0 {
		c.Log("Empty lookup tables cannot be frozen")
		return errInvalidData
	}
	t.Meta.HasAuthority = false
	data, err := acct.DataMut()
	if err != nil {
		return err
	}
	return overwriteMeta(data, t.Meta)
}

func extend(c *invoke.Context, addrs []sdk.Pubkey) error {
	acct, t, err := mutableTable(c, "")
	if err != nil {
		return err
	}
	if t.Meta.DeactivationSlot != activeSlot {
		c.Log("Deactivated tables cannot be extended")
		return invoke.Err(invoke.InvalidArgument)
	}
	if len(t.Addresses) >= MaxAddresses {
		c.Log("Lookup table is full and cannot contain more addresses")
		return invoke.Err(invoke.InvalidArgument)
	}
	if len(addrs) == 0 {
		c.Log("Must extend with at least one address")
		return errInvalidData
	}
	total := len(t.Addresses) + len(addrs)
	if total > MaxAddresses {
		c.Logf("Extended lookup table length %d would exceed max capacity of %d", total, MaxAddresses)
		return errInvalidData
	}
	env := c.Env()
	if env.Clock.Slot != t.Meta.LastExtendedSlot {
		t.Meta.LastExtendedSlot = env.Clock.Slot
		// Below MaxAddresses = 256 here, so it fits a u8.
		t.Meta.LastExtendedSlotStartIndex = uint8(len(t.Addresses))
	}
	lamports := acct.Lamports()
	newLen := MetaSize + 32*total
	data := make([]byte, len(acct.Data()), newLen)
	copy(data, acct.Data())
	if err := overwriteMeta(data, t.Meta); err != nil {
		return err
	}
	for _, a := range addrs {
		data = append(data, a[:]...)
	}
	if err := acct.SetData(data); err != nil {
		return err
	}
	required := satSub(max(env.Rent.MinimumBalance(newLen), 1), lamports)
	if required == 0 {
		return nil
	}
	payer, err := c.Account(2)
	if err != nil {
		return err
	}
	if !payer.IsSigner() {
		c.Log("Payer account must be a signer")
		return invoke.Err(invoke.MissingRequiredSignature)
	}
	return c.Invoke(systemTransfer(payer.Key(), acct.Key(), required))
}

func deactivate(c *invoke.Context) error {
	acct, t, err := mutableTable(c, "Lookup table is frozen")
	if err != nil {
		return err
	}
	if t.Meta.DeactivationSlot != activeSlot {
		c.Log("Lookup table is already deactivated")
		return invoke.Err(invoke.InvalidArgument)
	}
	t.Meta.DeactivationSlot = c.Env().Clock.Slot
	data, err := acct.DataMut()
	if err != nil {
		return err
	}
	return overwriteMeta(data, t.Meta)
}

func closeTable(c *invoke.Context) error {
	acct, authority, err := authorizedTable(c)
	if err != nil {
		return err
	}
	if c.NumAccounts() < 3 {
		return invoke.Err(invoke.NotEnoughAccountKeys)
	}
	recipient, _ := c.Account(2)
	if recipient.TxIndex() == acct.TxIndex() {
		c.Log("Lookup table cannot be the recipient of reclaimed lamports")
		return invoke.Err(invoke.InvalidArgument)
	}
	t, err := DecodeTable(acct.Data())
	if err != nil {
		return err
	}
	if err := checkAuthority(c, t.Meta, authority, "Lookup table is frozen"); err != nil {
		return err
	}
	env := c.Env()
	switch status, remaining := t.Meta.Status(env.Clock.Slot, env.SlotHashes); status {
	case Activated:
		c.Log("Lookup table is not deactivated")
		return invoke.Err(invoke.InvalidArgument)
	case Deactivating:
		c.Logf("Table cannot be closed until it's fully deactivated in %d blocks", remaining)
		return invoke.Err(invoke.InvalidArgument)
	}
	withdrawn := acct.Lamports()
	if err := recipient.AddLamports(withdrawn); err != nil {
		return err
	}
	if err := acct.SetDataLen(0); err != nil {
		return err
	}
	return acct.SetLamports(0)
}

func satSub(a, b uint64) uint64 {
	if b > a {
		return 0
	}
	return a - b
}

// System program instructions for the cross-program calls. They are built
// here rather than taken from package system so that this program depends
// only on the System program's wire format, as Agave's does.
func systemTransfer(from, to sdk.Pubkey, lamports uint64) sdk.Instruction {
	data := binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint32(nil, 2), lamports)
	return sdk.Instruction{ProgramID: sdk.SystemProgramID, Data: data, Accounts: []sdk.AccountMeta{
		{Pubkey: from, IsSigner: true, IsWritable: true}, {Pubkey: to, IsWritable: true}}}
}

func systemAllocate(account sdk.Pubkey, space uint64) sdk.Instruction {
	data := binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint32(nil, 8), space)
	return sdk.Instruction{ProgramID: sdk.SystemProgramID, Data: data, Accounts: []sdk.AccountMeta{
		{Pubkey: account, IsSigner: true, IsWritable: true}}}
}

func systemAssign(account, owner sdk.Pubkey) sdk.Instruction {
	data := append(binary.LittleEndian.AppendUint32(nil, 1), owner[:]...)
	return sdk.Instruction{ProgramID: sdk.SystemProgramID, Data: data, Accounts: []sdk.AccountMeta{
		{Pubkey: account, IsSigner: true, IsWritable: true}}}
}

// Instruction data builders, for clients, tests and benchmarks.

func tagged(tag uint32) []byte { return binary.LittleEndian.AppendUint32(nil, tag) }

// CreateLookupTableData encodes CreateLookupTable{recent_slot, bump_seed}.
func CreateLookupTableData(recentSlot uint64, bump uint8) []byte {
	return append(binary.LittleEndian.AppendUint64(tagged(TagCreateLookupTable), recentSlot), bump)
}

// FreezeLookupTableData encodes FreezeLookupTable.
func FreezeLookupTableData() []byte { return tagged(TagFreezeLookupTable) }

// ExtendLookupTableData encodes ExtendLookupTable{new_addresses}.
func ExtendLookupTableData(addrs []sdk.Pubkey) []byte {
	b := binary.LittleEndian.AppendUint64(tagged(TagExtendLookupTable), uint64(len(addrs)))
	for _, a := range addrs {
		b = append(b, a[:]...)
	}
	return b
}

// DeactivateLookupTableData encodes DeactivateLookupTable.
func DeactivateLookupTableData() []byte { return tagged(TagDeactivateLookupTable) }

// CloseLookupTableData encodes CloseLookupTable.
func CloseLookupTableData() []byte { return tagged(TagCloseLookupTable) }
