package runtime

import (
	"errors"
	"testing"

	"github.com/gnomon-chain/gnomon/runtime/programs/alt"
	"github.com/gnomon-chain/gnomon/runtime/programs/system"
	"github.com/gnomon-chain/gnomon/sdk"
)

// TestV0TransactionThroughALookupTable creates a table with the ALT program,
// extends it, and in a later slot pays a recipient the transaction names
// only by table index; then the lookup errors Solana reports.
func TestV0TransactionThroughALookupTable(t *testing.T) {
	keys := testKeypairs(2, 11)
	auth := keys[0]
	n := newTestNode(t, keys, map[sdk.Pubkey]sdk.Account{
		{0xbd}: {Lamports: lamportsPerSOL, Owner: sdk.Pubkey{0x12}, Data: make([]byte, 60)},
	})
	b1 := n.child(t, n.forks.Root(), 1)
	table, bump, err := alt.DeriveAddress(auth.Pubkey(), 0)
	if err != nil {
		t.Fatal(err)
	}
	recipient := sdk.Pubkey{0x77}
	create := sdk.Instruction{ProgramID: alt.ID, Data: alt.CreateLookupTableData(0, bump), Accounts: []sdk.AccountMeta{
		{Pubkey: table, IsWritable: true}, {Pubkey: auth.Pubkey()}, {Pubkey: auth.Pubkey(), IsSigner: true, IsWritable: true}, {Pubkey: system.ID}}}
	extend := sdk.Instruction{ProgramID: alt.ID, Data: alt.ExtendLookupTableData([]sdk.Pubkey{{0x76}, recipient}), Accounts: []sdk.AccountMeta{
		{Pubkey: table, IsWritable: true}, {Pubkey: auth.Pubkey(), IsSigner: true}, {Pubkey: auth.Pubkey(), IsSigner: true, IsWritable: true}, {Pubkey: system.ID}}}
	if r := process(t, b1, wire(t, []sdk.Instruction{create, extend}, b1.LastBlockhash(), auth))[0]; r.Err != nil {
		t.Fatalf("create table: %v %q", r.Err, r.Logs)
	}
	b1.Freeze(sdk.Hash{1})
	b2 := n.child(t, b1, 2)

	v0 := func(tables []sdk.LookupTable, to sdk.Pubkey) *sdk.Transaction {
		m, err := sdk.NewMessageV0(keys[1].Pubkey(), []sdk.Instruction{transfer(keys[1].Pubkey(), to, lamportsPerSOL)}, b2.LastBlockhash(), tables)
		if err != nil {
			t.Fatal(err)
		}
		tx := &sdk.Transaction{Message: m}
		if err := tx.Sign(keys[1]); err != nil {
			t.Fatal(err)
		}
		raw, _ := tx.MarshalBinary()
		parsed, err := sdk.ParseTransaction(raw)
		if err != nil {
			t.Fatal(err)
		}
		return parsed
	}
	tx := v0([]sdk.LookupTable{{Key: table, Addresses: []sdk.Pubkey{{0x76}, recipient}}}, recipient)
	if len(tx.Message.AddressTableLookups) != 1 {
		t.Fatal("the recipient was not moved into the lookup")
	}
	r := process(t, b2, tx)[0]
	if r.Err != nil {
		t.Fatalf("v0 transfer: %v %q", r.Err, r.Logs)
	}
	if b2.Balance(recipient) != lamportsPerSOL || len(r.LoadedAddresses.Writable) != 1 || r.LoadedAddresses.Writable[0] != recipient {
		t.Fatalf("recipient %d, loaded %+v", b2.Balance(recipient), r.LoadedAddresses)
	}
	for _, c := range []struct {
		name  string
		table sdk.LookupTable
		want  TxErrorKind
	}{
		{"no such table", sdk.LookupTable{Key: sdk.Pubkey{0xbc}, Addresses: []sdk.Pubkey{{0x76}, recipient}}, AddressLookupTableNotFound},
		{"table owned by another program", sdk.LookupTable{Key: sdk.Pubkey{0xbd}, Addresses: []sdk.Pubkey{{0x76}, recipient}}, InvalidAddressLookupTableOwner},
		{"index past the table", sdk.LookupTable{Key: table, Addresses: []sdk.Pubkey{{0x76}, {0x78}, {0x79}, recipient}}, InvalidAddressLookupTableIndex},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := process(t, b2, v0([]sdk.LookupTable{c.table}, recipient))[0]
			if r.Committed || !errors.Is(r.Err, TxErr(c.want)) {
				t.Fatalf("got %v (committed %v), want %v", r.Err, r.Committed, c.want)
			}
		})
	}
}
