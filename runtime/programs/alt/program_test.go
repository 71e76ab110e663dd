package alt

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/gnomon-chain/gnomon/runtime/invoke"
	"github.com/gnomon-chain/gnomon/runtime/programs/system"
	"github.com/gnomon-chain/gnomon/runtime/sysvar"
	"github.com/gnomon-chain/gnomon/sdk"
)

var (
	authority = sdk.Pubkey{1}
	payer     = sdk.Pubkey{2}
	recipient = sdk.Pubkey{3}
	stranger  = sdk.Pubkey{4}
	tableKey  = sdk.Pubkey{5}
)

func hashOf(slot uint64) sdk.Hash { return sdk.Hash{byte(slot), byte(slot >> 8), 0xAB} }

// testEnv is a bank at slot whose SlotHashes hold the 512 slots before it.
func testEnv(slot uint64) *invoke.Env {
	var hashes []sysvar.SlotHash
	for s := slot - 1; s < slot && len(hashes) < sysvar.MaxSlotHashes; s-- {
		hashes = append(hashes, sysvar.SlotHash{Slot: s, Hash: hashOf(s)})
	}
	return &invoke.Env{
		Programs:   invoke.Programs{ID: Builtin, system.ID: system.Builtin},
		Rent:       sysvar.DefaultRent,
		Clock:      sysvar.Clock{Slot: slot},
		SlotHashes: hashes,
	}
}

type acct struct {
	key              sdk.Pubkey
	lamports         uint64
	owner            sdk.Pubkey
	data             []byte
	signer, writable bool
}

func signer(k sdk.Pubkey) acct {
	return acct{key: k, lamports: 1_000_000_000, signer: true, writable: true}
}

var systemProgram = acct{key: system.ID, lamports: 1, owner: sdk.NativeLoaderID}

// run executes one instruction over accts; the ALT program account is
// appended last. An account with the System program's key is made
// executable.
func run(t testing.TB, env *invoke.Env, data []byte, accts ...acct) (*invoke.Transaction, error) {
	t.Helper()
	tas := make([]invoke.TxAccount, 0, len(accts)+1)
	idx := make([]uint8, len(accts))
	for i, a := range accts {
		// A key passed twice is one account of the transaction.
		if j := slices.IndexFunc(tas, func(ta invoke.TxAccount) bool { return ta.Key == a.key }); j >= 0 {
			idx[i] = uint8(j)
			continue
		}
		idx[i] = uint8(len(tas))
		tas = append(tas, invoke.TxAccount{Key: a.key, Signer: a.signer, Writable: a.writable,
			Account: sdk.Account{Lamports: a.lamports, Owner: a.owner, Data: slices.Clone(a.data), Executable: a.key == system.ID}})
	}
	tas = append(tas, invoke.TxAccount{Key: ID, Account: sdk.Account{Lamports: 1, Owner: sdk.NativeLoaderID, Executable: true}})
	tx := invoke.NewTransaction(env, tas, 1_400_000)
	if err := tx.ExecuteInstruction(0, &sdk.CompiledInstruction{ProgramIDIndex: uint8(len(tas) - 1), Accounts: idx, Data: data}); err != nil {
		return tx, err
	}
	return tx, nil
}

func wantErr(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error %v, want %v", err, want)
	}
}

func hasLog(tx *invoke.Transaction, line string) bool {
	return slices.Contains(tx.Logs, "Program log: "+line)
}

// tableAcct is a table account with meta and addresses, rent-exempt.
func tableAcct(m Meta, addrs ...sdk.Pubkey) acct {
	data := make([]byte, MetaSize, MetaSize+32*len(addrs))
	if err := overwriteMeta(data, m); err != nil {
		panic(err)
	}
	for _, a := range addrs {
		data = append(data, a[:]...)
	}
	return acct{key: tableKey, lamports: sysvar.DefaultRent.MinimumBalance(len(data)), owner: ID, data: data, writable: true}
}

func tableOf(t *testing.T, tx *invoke.Transaction) Table {
	t.Helper()
	tb, err := DecodeTable(tx.Accounts[0].Account.Data)
	if err != nil {
		t.Fatalf("decode table: %v", err)
	}
	return tb
}

func addrs(n int) []sdk.Pubkey {
	out := make([]sdk.Pubkey, n)
	for i := range out {
		out[i] = sdk.Pubkey{0xEE, byte(i), byte(i >> 8)}
	}
	return out
}

func createAccts(table sdk.Pubkey) []acct {
	return []acct{{key: table, writable: true}, {key: authority}, signer(payer), systemProgram}
}

func TestCreateLookupTableFundsAllocatesAndAssignsThroughSystem(t *testing.T) {
	env := testEnv(1000)
	addr, bump, err := DeriveAddress(authority, 990)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := run(t, env, CreateLookupTableData(990, bump), createAccts(addr)...)
	if err != nil {
		t.Fatalf("%v\n%s", err, strings.Join(tx.Logs, "\n"))
	}
	rent := sysvar.DefaultRent.MinimumBalance(MetaSize)
	got := tx.Accounts[0].Account
	if got.Owner != ID || len(got.Data) != MetaSize || got.Lamports != rent {
		t.Fatalf("table %+v", got)
	}
	if tx.Accounts[2].Account.Lamports != 1_000_000_000-rent {
		t.Fatalf("payer %d", tx.Accounts[2].Account.Lamports)
	}
	tb := tableOf(t, tx)
	if tb.Meta != newMeta(authority) || len(tb.Addresses) != 0 {
		t.Fatalf("meta %+v", tb.Meta)
	}
	// The three System calls run nested, each charging its own cost.
	if n := strings.Count(strings.Join(tx.Logs, "\n"), "Program 11111111111111111111111111111111 invoke [2]"); n != 3 {
		t.Fatalf("%d nested System calls:\n%s", n, strings.Join(tx.Logs, "\n"))
	}
	if tx.ComputeUsed() != ComputeUnits+3*system.ComputeUnits {
		t.Fatalf("compute %d", tx.ComputeUsed())
	}
	// Creating it again is a no-op.
	again := createAccts(addr)
	again[0] = acct{key: addr, lamports: got.Lamports, owner: ID, data: got.Data, writable: true}
	tx, err = run(t, env, CreateLookupTableData(990, bump), again...)
	if err != nil || tx.Accounts[2].Account.Lamports != 1_000_000_000 || tx.ComputeUsed() != ComputeUnits {
		t.Fatalf("recreate: %v, payer %d", err, tx.Accounts[2].Account.Lamports)
	}
}

func TestCreateLookupTableTopsUpAPrefundedAccount(t *testing.T) {
	addr, bump, _ := DeriveAddress(authority, 990)
	accts := createAccts(addr)
	accts[0].lamports = 1000
	tx, err := run(t, testEnv(1000), CreateLookupTableData(990, bump), accts...)
	if err != nil {
		t.Fatal(err)
	}
	rent := sysvar.DefaultRent.MinimumBalance(MetaSize)
	if tx.Accounts[0].Account.Lamports != rent || tx.Accounts[2].Account.Lamports != 1_000_000_000-(rent-1000) {
		t.Fatalf("table %d payer %d", tx.Accounts[0].Account.Lamports, tx.Accounts[2].Account.Lamports)
	}
}

func TestCreateLookupTableRejections(t *testing.T) {
	env := testEnv(1000)
	addr, bump, _ := DeriveAddress(authority, 990)
	// A bump whose address falls on the curve.
	var onCurve uint8
	for b := 255; b > 0; b-- {
		if _, err := sdk.CreateProgramAddress([][]byte{authority[:], {222, 3, 0, 0, 0, 0, 0, 0}, {byte(b)}}, ID); err != nil {
			onCurve = byte(b)
			break
		}
	}
	if onCurve == 0 {
		t.Fatal("no on-curve bump found")
	}
	unsignedPayer := createAccts(addr)
	unsignedPayer[2].signer = false
	other, otherBump, _ := DeriveAddress(stranger, 990)
	for _, tc := range []struct {
		name  string
		data  []byte
		accts []acct
		want  error
		log   string
	}{
		{"SlotNotRecent", CreateLookupTableData(1000, bump), createAccts(addr), invoke.Err(invoke.InvalidInstructionData), "1000 is not a recent slot"},
		{"SlotTooOld", CreateLookupTableData(400, bump), createAccts(addr), invoke.Err(invoke.InvalidInstructionData), "400 is not a recent slot"},
		{"AddressOfAnotherAuthority", CreateLookupTableData(990, otherBump), createAccts(other), invoke.Err(invoke.InvalidArgument), ""},
		{"WrongBump", CreateLookupTableData(990, bump-1), createAccts(addr), nil, ""},
		{"OnCurveBump", CreateLookupTableData(990, onCurve), createAccts(addr), invoke.Err(invoke.InvalidSeeds), ""},
		{"PayerMustSign", CreateLookupTableData(990, bump), unsignedPayer, invoke.Err(invoke.MissingRequiredSignature), "Payer account must be a signer"},
		{"MissingPayer", CreateLookupTableData(990, bump), createAccts(addr)[:2], invoke.Err(invoke.NotEnoughAccountKeys), ""},
		{"TruncatedData", CreateLookupTableData(990, bump)[:12], createAccts(addr), invoke.Err(invoke.InvalidInstructionData), ""},
		{"UnknownTag", tagged(5), createAccts(addr), invoke.Err(invoke.InvalidInstructionData), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tx, err := run(t, env, tc.data, tc.accts...)
			if tc.want == nil {
				// bump-1 derives another (off- or on-curve) address: either
				// way not this table's.
				if !errors.Is(err, invoke.Err(invoke.InvalidArgument)) && !errors.Is(err, invoke.Err(invoke.InvalidSeeds)) {
					t.Fatalf("error %v", err)
				}
				return
			}
			wantErr(t, err, tc.want)
			if tc.log != "" && !hasLog(tx, tc.log) {
				t.Fatalf("logs %q", tx.Logs)
			}
			if len(tc.accts) > 2 && tx.Accounts[2].Account.Lamports != tc.accts[2].lamports {
				t.Fatal("payer charged for a refused creation")
			}
		})
	}
}

func TestExtendLookupTableAppendsAndChargesRent(t *testing.T) {
	first := addrs(3)
	tx, err := run(t, testEnv(1000), ExtendLookupTableData(first), tableAcct(newMeta(authority)), signer(authority), signer(payer), systemProgram)
	if err != nil {
		t.Fatalf("%v %q", err, tx.Logs)
	}
	tb := tableOf(t, tx)
	if !slices.Equal(tb.Addresses, first) || tb.Meta.LastExtendedSlot != 1000 || tb.Meta.LastExtendedSlotStartIndex != 0 {
		t.Fatalf("table %+v", tb)
	}
	want := sysvar.DefaultRent.MinimumBalance(MetaSize + 3*32)
	if tx.Accounts[0].Account.Lamports != want ||
		tx.Accounts[2].Account.Lamports != 1_000_000_000-(want-sysvar.DefaultRent.MinimumBalance(MetaSize)) {
		t.Fatalf("table %d payer %d", tx.Accounts[0].Account.Lamports, tx.Accounts[2].Account.Lamports)
	}
	// Again in the same slot: the start index stays where the slot began.
	table := acct{key: tableKey, lamports: want, owner: ID, data: tx.Accounts[0].Account.Data, writable: true}
	tx, err = run(t, testEnv(1000), ExtendLookupTableData(addrs(2)), table, signer(authority), signer(payer), systemProgram)
	if err != nil {
		t.Fatal(err)
	}
	if tb := tableOf(t, tx); len(tb.Addresses) != 5 || tb.Meta.LastExtendedSlotStartIndex != 0 {
		t.Fatalf("same slot: %d addresses, start %d", len(tb.Addresses), tb.Meta.LastExtendedSlotStartIndex)
	}
	// In a later slot it moves to the first new address.
	tx, err = run(t, testEnv(1001), ExtendLookupTableData(addrs(2)), table, signer(authority), signer(payer), systemProgram)
	if err != nil {
		t.Fatal(err)
	}
	if tb := tableOf(t, tx); tb.Meta.LastExtendedSlot != 1001 || tb.Meta.LastExtendedSlotStartIndex != 3 {
		t.Fatalf("next slot: %+v", tb.Meta)
	}
}

func TestExtendLookupTableRejections(t *testing.T) {
	active := tableAcct(newMeta(authority))
	frozen := newMeta(authority)
	frozen.HasAuthority = false
	deactivated := newMeta(authority)
	deactivated.DeactivationSlot = 900
	foreign := active
	foreign.owner = sdk.SystemProgramID
	unsigned := signer(authority)
	unsigned.signer = false
	unsignedPayer := signer(payer)
	unsignedPayer.signer = false
	readonly := active
	readonly.writable = false
	for _, tc := range []struct {
		name  string
		data  []byte
		accts []acct
		want  error
	}{
		{"NotOwnedByProgram", ExtendLookupTableData(addrs(1)), []acct{foreign, signer(authority), signer(payer), systemProgram}, invoke.Err(invoke.InvalidAccountOwner)},
		{"AuthorityMustSign", ExtendLookupTableData(addrs(1)), []acct{active, unsigned, signer(payer), systemProgram}, invoke.Err(invoke.MissingRequiredSignature)},
		{"WrongAuthority", ExtendLookupTableData(addrs(1)), []acct{active, signer(stranger), signer(payer), systemProgram}, invoke.Err(invoke.IncorrectAuthority)},
		{"Frozen", ExtendLookupTableData(addrs(1)), []acct{tableAcct(frozen, addrs(1)...), signer(authority), signer(payer), systemProgram}, invoke.Err(invoke.Immutable)},
		{"Deactivated", ExtendLookupTableData(addrs(1)), []acct{tableAcct(deactivated), signer(authority), signer(payer), systemProgram}, invoke.Err(invoke.InvalidArgument)},
		{"Full", ExtendLookupTableData(addrs(1)), []acct{tableAcct(newMeta(authority), addrs(256)...), signer(authority), signer(payer), systemProgram}, invoke.Err(invoke.InvalidArgument)},
		{"NoAddresses", ExtendLookupTableData(nil), []acct{active, signer(authority), signer(payer), systemProgram}, invoke.Err(invoke.InvalidInstructionData)},
		{"Over256", ExtendLookupTableData(addrs(30)), []acct{tableAcct(newMeta(authority), addrs(230)...), signer(authority), signer(payer), systemProgram}, invoke.Err(invoke.InvalidInstructionData)},
		{"PayerMustSign", ExtendLookupTableData(addrs(1)), []acct{active, signer(authority), unsignedPayer, systemProgram}, invoke.Err(invoke.MissingRequiredSignature)},
		{"NoPayerWhenRentIsDue", ExtendLookupTableData(addrs(1)), []acct{active, signer(authority)}, invoke.Err(invoke.NotEnoughAccountKeys)},
		{"ReadonlyTable", ExtendLookupTableData(addrs(1)), []acct{readonly, signer(authority), signer(payer), systemProgram}, invoke.Err(invoke.ReadonlyDataModified)},
		{"CountPastData", ExtendLookupTableData(addrs(2))[:4+8+32], []acct{active, signer(authority), signer(payer), systemProgram}, invoke.Err(invoke.InvalidInstructionData)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := run(t, testEnv(1000), tc.data, tc.accts...)
			wantErr(t, err, tc.want)
		})
	}
	// A table already funded for its new size needs no payer.
	rich := active
	rich.lamports = sysvar.DefaultRent.MinimumBalance(MetaSize + 32)
	if _, err := run(t, testEnv(1000), ExtendLookupTableData(addrs(1)), rich, signer(authority)); err != nil {
		t.Fatalf("prefunded: %v", err)
	}
}

func TestFreezeLookupTableDropsTheAuthorityLikeSolana(t *testing.T) {
	tx, err := run(t, testEnv(1000), FreezeLookupTableData(), tableAcct(newMeta(authority), addrs(2)...), signer(authority))
	if err != nil {
		t.Fatal(err)
	}
	tb := tableOf(t, tx)
	if tb.Meta.HasAuthority || len(tb.Addresses) != 2 {
		t.Fatalf("table %+v", tb)
	}
	// Only the 24 bytes of the new meta were written: the old authority's
	// tail is still at 24..53, as Solana's overwrite_meta_data leaves it.
	data := tx.Accounts[0].Account.Data
	if data[21] != 0 || !bytes.Equal(data[24:54], authority[2:32]) {
		t.Fatalf("header %x", data[:MetaSize])
	}
	_, err = run(t, testEnv(1000), FreezeLookupTableData(), acct{key: tableKey, owner: ID, data: data, writable: true}, signer(authority))
	wantErr(t, err, invoke.Err(invoke.Immutable))
	tx, err = run(t, testEnv(1000), FreezeLookupTableData(), tableAcct(newMeta(authority)), signer(authority))
	wantErr(t, err, invoke.Err(invoke.InvalidInstructionData))
	if !hasLog(tx, "Empty lookup tables cannot be frozen") {
		t.Fatalf("logs %q", tx.Logs)
	}
	deactivated := newMeta(authority)
	deactivated.DeactivationSlot = 5
	_, err = run(t, testEnv(1000), FreezeLookupTableData(), tableAcct(deactivated, addrs(1)...), signer(authority))
	wantErr(t, err, invoke.Err(invoke.InvalidArgument))
	_, err = run(t, testEnv(1000), FreezeLookupTableData(), tableAcct(newMeta(authority), addrs(1)...), signer(stranger))
	wantErr(t, err, invoke.Err(invoke.IncorrectAuthority))
}

func TestDeactivateLookupTableRecordsTheSlot(t *testing.T) {
	tx, err := run(t, testEnv(1000), DeactivateLookupTableData(), tableAcct(newMeta(authority), addrs(1)...), signer(authority))
	if err != nil {
		t.Fatal(err)
	}
	if tb := tableOf(t, tx); tb.Meta.DeactivationSlot != 1000 {
		t.Fatalf("deactivation slot %d", tb.Meta.DeactivationSlot)
	}
	tx, err = run(t, testEnv(1001), DeactivateLookupTableData(), acct{key: tableKey, owner: ID, data: tx.Accounts[0].Account.Data, writable: true}, signer(authority))
	wantErr(t, err, invoke.Err(invoke.InvalidArgument))
	if !hasLog(tx, "Lookup table is already deactivated") {
		t.Fatalf("logs %q", tx.Logs)
	}
	frozen := newMeta(authority)
	frozen.HasAuthority = false
	_, err = run(t, testEnv(1000), DeactivateLookupTableData(), tableAcct(frozen, addrs(1)...), signer(authority))
	wantErr(t, err, invoke.Err(invoke.Immutable))
}

func TestCloseLookupTableOnlyAfterDeactivationLeavesSlotHashes(t *testing.T) {
	deact := newMeta(authority)
	deact.DeactivationSlot = 1000
	table := tableAcct(deact, addrs(4)...)
	to := acct{key: recipient, writable: true}
	for _, tc := range []struct {
		slot uint64
		log  string
	}{
		{1000, "Table cannot be closed until it's fully deactivated in 513 blocks"},
		{1001, "Table cannot be closed until it's fully deactivated in 512 blocks"},
		{1512, "Table cannot be closed until it's fully deactivated in 1 blocks"},
	} {
		tx, err := run(t, testEnv(tc.slot), CloseLookupTableData(), table, signer(authority), to)
		wantErr(t, err, invoke.Err(invoke.InvalidArgument))
		if !hasLog(tx, tc.log) {
			t.Fatalf("slot %d: logs %q", tc.slot, tx.Logs)
		}
	}
	tx, err := run(t, testEnv(1513), CloseLookupTableData(), table, signer(authority), to)
	if err != nil {
		t.Fatal(err)
	}
	if got := tx.Accounts[0].Account; got.Lamports != 0 || len(got.Data) != 0 || tx.Accounts[2].Account.Lamports != table.lamports {
		t.Fatalf("table %d lamports %d bytes, recipient %d", got.Lamports, len(got.Data), tx.Accounts[2].Account.Lamports)
	}

	tx, err = run(t, testEnv(1000), CloseLookupTableData(), tableAcct(newMeta(authority)), signer(authority), to)
	wantErr(t, err, invoke.Err(invoke.InvalidArgument))
	if !hasLog(tx, "Lookup table is not deactivated") {
		t.Fatalf("logs %q", tx.Logs)
	}
	self := table
	_, err = run(t, testEnv(1513), CloseLookupTableData(), table, signer(authority), self)
	wantErr(t, err, invoke.Err(invoke.InvalidArgument))
	_, err = run(t, testEnv(1513), CloseLookupTableData(), table, signer(authority))
	wantErr(t, err, invoke.Err(invoke.NotEnoughAccountKeys))
	_, err = run(t, testEnv(1513), CloseLookupTableData(), table, signer(stranger), to)
	wantErr(t, err, invoke.Err(invoke.IncorrectAuthority))
	frozen := deact
	frozen.HasAuthority = false
	_, err = run(t, testEnv(1513), CloseLookupTableData(), tableAcct(frozen, addrs(1)...), signer(authority), to)
	wantErr(t, err, invoke.Err(invoke.Immutable))
	uninit := table
	uninit.data = make([]byte, MetaSize)
	_, err = run(t, testEnv(1513), CloseLookupTableData(), uninit, signer(authority), to)
	wantErr(t, err, invoke.Err(invoke.UninitializedAccount))
}

func TestLookupUsesOnlyAddressesFromEarlierSlots(t *testing.T) {
	m := newMeta(authority)
	m.LastExtendedSlot, m.LastExtendedSlotStartIndex = 1000, 2
	tb := Table{Meta: m, Addresses: addrs(5)}
	hashes := testEnv(1000).SlotHashes
	if n, err := tb.ActiveAddressesLen(1000, hashes); err != nil || n != 2 {
		t.Fatalf("same slot: %d %v", n, err)
	}
	if _, err := tb.Lookup(nil, 1000, hashes, []uint8{1, 2}); !errors.Is(err, ErrInvalidLookupIndex) {
		t.Fatalf("index 2 in the extending slot: %v", err)
	}
	got, err := tb.Lookup(nil, 1001, testEnv(1001).SlotHashes, []uint8{4, 0})
	if err != nil || !slices.Equal(got, []sdk.Pubkey{tb.Addresses[4], tb.Addresses[0]}) {
		t.Fatalf("next slot: %v %v", got, err)
	}
	if _, err := tb.Lookup(nil, 1001, testEnv(1001).SlotHashes, []uint8{5}); !errors.Is(err, ErrInvalidLookupIndex) {
		t.Fatalf("index 5: %v", err)
	}
	// Deactivated at 1100: usable while 1100 is in SlotHashes, then gone.
	tb.Meta.DeactivationSlot = 1100
	if !tb.Meta.IsActive(1100, testEnv(1100).SlotHashes) || !tb.Meta.IsActive(1612, testEnv(1612).SlotHashes) {
		t.Fatal("deactivating table refused")
	}
	if _, err := tb.Lookup(nil, 1613, testEnv(1613).SlotHashes, []uint8{0}); !errors.Is(err, ErrLookupTableNotFound) {
		t.Fatalf("deactivated: %v", err)
	}
}

func TestDecodeTableLayout(t *testing.T) {
	a := tableAcct(Meta{DeactivationSlot: 77, LastExtendedSlot: 66, LastExtendedSlotStartIndex: 5, HasAuthority: true, Authority: authority}, addrs(2)...)
	want := []byte{1, 0, 0, 0, 77, 0, 0, 0, 0, 0, 0, 0, 66, 0, 0, 0, 0, 0, 0, 0, 5, 1}
	if !bytes.Equal(a.data[:22], want) || !bytes.Equal(a.data[22:54], authority[:]) || len(a.data) != MetaSize+64 {
		t.Fatalf("layout %x", a.data)
	}
	for name, data := range map[string][]byte{
		"short":            a.data[:MetaSize-1],
		"partial address":  a.data[:len(a.data)-1],
		"bad tag":          append([]byte{2}, a.data[1:]...),
		"bad option":       append(append(bytes.Clone(a.data[:21]), 2), a.data[22:]...),
		"frozen too short": {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
	} {
		if _, err := DecodeTable(data); !errors.Is(err, invoke.Err(invoke.InvalidAccountData)) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := DecodeTable(make([]byte, MetaSize)); !errors.Is(err, invoke.Err(invoke.UninitializedAccount)) {
		t.Errorf("uninitialized: %v", err)
	}
}
