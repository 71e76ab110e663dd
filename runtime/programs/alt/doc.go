// Package alt is Solana's Address Lookup Table program
// (AddressLookupTab1e1111111111111111111111111): tables of up to 256
// addresses that v0 transactions reference by one-byte index, with Agave's
// accounts, checks, errors and log lines.
//
// It owns the table account layout, which is Solana's byte for byte because
// clients parse it:
//
//	0   u32  ProgramState: 0 Uninitialized, 1 LookupTable
//	4   u64  deactivation_slot (MaxUint64 while active)
//	12  u64  last_extended_slot
//	20  u8   last_extended_slot_start_index
//	21  u8   authority Option tag (0 frozen, 1 present)
//	22  32   authority, then u16 padding (if frozen: padding at 22, and
//	         whatever bytes were there before stay, as on Solana)
//	56  32×n addresses
//
// and the rules for resolving lookups (Table.Lookup, Meta.IsActive): a
// deactivated table keeps resolving until its deactivation slot leaves
// SlotHashes, and addresses appended in a slot are usable from the next
// slot on. The bank calls DecodeTable and Lookup to load v0 transactions.
//
// Instructions (u32 tag, bincode):
//
//	0 CreateLookupTable{recent_slot u64, bump_seed u8}
//	    accounts: table (w), authority, payer (signer, w), System program
//	1 FreezeLookupTable     accounts: table (w), authority (signer)
//	2 ExtendLookupTable{new_addresses: u64 count, 32 each}
//	    accounts: table (w), authority (signer), [payer (signer, w), System program]
//	3 DeactivateLookupTable accounts: table (w), authority (signer)
//	4 CloseLookupTable      accounts: table (w), authority (signer), recipient (w)
//
// Creation follows Solana with relax_authority_signer_check_for_lookup_table_creation
// active: the authority need not sign, and creating an existing table
// succeeds without change. Rent is funded, and the account allocated and
// assigned, through cross-program calls to the System program, the table
// signing with its PDA seeds.
//
// It must never change a table without its authority's signature, never
// shrink or reorder a table's addresses (transactions already signed refer
// to them by index), and never let a table close while a fork could still
// use it.
package alt
