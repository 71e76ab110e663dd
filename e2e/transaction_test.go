package e2e

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	solana "github.com/gagliardetto/solana-go"
	"github.com/gagliardetto/solana-go/programs/system"

	"github.com/gnomon-chain/gnomon/sdk"
)

var (
	systemProgram = sdk.MustPubkey("11111111111111111111111111111111")
	memoProgram   = sdk.MustPubkey("MemoSq4gqABAXKb96qnH8TBNNP4FeJ2sH7o4Yi2Mtut")
)

// fixture is a small cast of keys shared by the directed transaction tests.
type fixture struct {
	payer, second sdk.Keypair
	recipient     sdk.Pubkey
	accounts      []sdk.Pubkey // non-signer accounts for lookups
	program       sdk.Pubkey   // a made-up program id
	blockhash     sdk.Hash
}

func newFixture(t *testing.T, seed uint64) fixture {
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	f := fixture{
		payer:     seededKeypair(t, r),
		second:    seededKeypair(t, r),
		recipient: randomPubkey(r),
		program:   randomPubkey(r),
		blockhash: randomHash(r),
	}
	for range 6 {
		f.accounts = append(f.accounts, randomPubkey(r))
	}
	return f
}

func transferData(lamports uint64) []byte {
	b := binary.LittleEndian.AppendUint32(nil, 2) // SystemInstruction::Transfer
	return binary.LittleEndian.AppendUint64(b, lamports)
}

// legacyInstructions is a system transfer from the payer and a memo that both
// signers sign, in sdk's form.
func (f fixture) legacyInstructions() []sdk.Instruction {
	return []sdk.Instruction{
		{
			ProgramID: systemProgram,
			Accounts: []sdk.AccountMeta{
				{Pubkey: f.payer.Pubkey(), IsSigner: true, IsWritable: true},
				{Pubkey: f.recipient, IsWritable: true},
			},
			Data: transferData(1_234_567),
		},
		{
			ProgramID: memoProgram,
			Accounts: []sdk.AccountMeta{
				{Pubkey: f.payer.Pubkey(), IsSigner: true},
				{Pubkey: f.second.Pubkey(), IsSigner: true},
			},
			Data: []byte("gnomon interop memo"),
		},
	}
}

// v0Instructions touches writable and read-only non-signers, some of which the
// tables of v0Tables hold, plus a program id that a table holds too (it must
// stay static because it is invoked).
func (f fixture) v0Instructions() []sdk.Instruction {
	a := f.accounts
	return []sdk.Instruction{
		{
			ProgramID: systemProgram,
			Accounts: []sdk.AccountMeta{
				{Pubkey: f.payer.Pubkey(), IsSigner: true, IsWritable: true},
				{Pubkey: a[0], IsWritable: true},
			},
			Data: transferData(42),
		},
		{
			ProgramID: f.program,
			Accounts: []sdk.AccountMeta{
				{Pubkey: f.second.Pubkey(), IsSigner: true},
				{Pubkey: a[1], IsWritable: true},
				{Pubkey: a[2]},
				{Pubkey: a[3]},
				{Pubkey: a[4], IsWritable: true}, // in no table: stays static
				{Pubkey: a[5]},                   // in no table: stays static
				{Pubkey: a[0]},                   // again, read-only here, writable above
			},
			Data: []byte{0xde, 0xad, 0xbe, 0xef},
		},
	}
}

// v0Tables: table one holds a[0], a[2] and the invoked program id; table two
// holds a[1], a[3] and the second signer (which must not be looked up).
func (f fixture) v0Tables(r *rand.Rand) []sdk.LookupTable {
	a := f.accounts
	t1 := []sdk.Pubkey{randomPubkey(r), a[2], f.program, randomPubkey(r), a[0]}
	t2 := []sdk.Pubkey{f.second.Pubkey(), randomPubkey(r), a[3], a[1]}
	return []sdk.LookupTable{
		{Key: randomPubkey(r), Addresses: t1},
		{Key: randomPubkey(r), Addresses: t2},
	}
}

// TestSolanaGoBuiltParsesInSDK builds and signs with solana-go, then parses,
// verifies and re-encodes with sdk.
func TestSolanaGoBuiltParsesInSDK(t *testing.T) {
	t.Run("legacy transfer and two-signer memo", func(t *testing.T) {
		f := newFixture(t, 1)
		transfer := system.NewTransferInstruction(1_234_567, sgKey(f.payer.Pubkey()), sgKey(f.recipient)).Build()
		memo := solana.NewInstruction(sgKey(memoProgram), solana.AccountMetaSlice{
			solana.Meta(sgKey(f.payer.Pubkey())).SIGNER(),
			solana.Meta(sgKey(f.second.Pubkey())).SIGNER(),
		}, []byte("gnomon interop memo"))
		sg, err := solana.NewTransaction([]solana.Instruction{transfer, memo}, solana.Hash(f.blockhash),
			solana.TransactionPayer(sgKey(f.payer.Pubkey())))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sg.Sign(signerGetter(f.payer, f.second)); err != nil {
			t.Fatal(err)
		}
		wire, err := sg.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if err := sg.VerifySignatures(); err != nil {
			t.Fatalf("solana-go does not verify its own transaction: %v", err)
		}

		sd, err := sdk.ParseTransaction(wire)
		if err != nil {
			t.Fatalf("sdk.ParseTransaction: %v", err)
		}
		if sd.Message.Version != sdk.MessageLegacy {
			t.Fatalf("sdk parsed version %d, want legacy", sd.Message.Version)
		}
		compareTx(t, sg, sd)
		if h := sd.Message.Header; h != (sdk.MessageHeader{NumRequiredSignatures: 2, NumReadonlySignedAccounts: 1, NumReadonlyUnsignedAccounts: 2}) {
			t.Errorf("header %+v, want 2 signers (1 read-only) and 2 read-only programs", h)
		}
		if err := sd.VerifySignatures(); err != nil {
			t.Errorf("sdk VerifySignatures on parsed tx: %v", err)
		}
		got, err := sd.MarshalBinary()
		if err != nil || !bytes.Equal(got, wire) {
			t.Errorf("sdk MarshalBinary of parsed tx differs from solana-go bytes (err %v)", err)
		}
		fresh, freshBytes := reencodeSDK(t, sd)
		if !bytes.Equal(freshBytes, wire) {
			t.Errorf("sdk re-encoding from fields differs from solana-go bytes:\n got %x\nwant %x", freshBytes, wire)
		}
		if err := fresh.VerifySignatures(); err != nil {
			t.Errorf("sdk VerifySignatures on re-encoded tx: %v", err)
		}
		all := comparePrivileges(t, &sg.Message, &sd.Message, nil)
		checkIntent(t, &sd.Message, all, f.payer.Pubkey(), f.legacyInstructions())

		// A flipped bit in the signed message must fail sdk's check.
		bad := slices.Clone(wire)
		bad[len(bad)-1] ^= 1
		sdBad, err := sdk.ParseTransaction(bad)
		if err != nil {
			t.Fatalf("parse tampered tx: %v", err)
		}
		if err := sdBad.VerifySignatures(); !errors.Is(err, sdk.ErrSignatureFailure) {
			t.Errorf("sdk VerifySignatures on tampered tx: %v, want ErrSignatureFailure", err)
		}
	})

	t.Run("v0 with two address lookup tables", func(t *testing.T) {
		f := newFixture(t, 2)
		r := rand.New(rand.NewPCG(2, 2))
		ixs := f.v0Instructions()
		tables := f.v0Tables(r)
		sg, err := solana.NewTransaction(toSolanaInstructions(ixs), solana.Hash(f.blockhash),
			solana.TransactionPayer(sgKey(f.payer.Pubkey())),
			solana.TransactionAddressTables(toSolanaTables(tables)))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sg.Sign(signerGetter(f.payer, f.second)); err != nil {
			t.Fatal(err)
		}
		wire, err := sg.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}

		sd, err := sdk.ParseTransaction(wire)
		if err != nil {
			t.Fatalf("sdk.ParseTransaction: %v", err)
		}
		if sd.Message.Version != sdk.MessageV0 || sg.Message.GetVersion() != solana.MessageVersionV0 {
			t.Fatalf("versions: sdk %d, solana-go %d; want v0", sd.Message.Version, sg.Message.GetVersion())
		}
		if n := len(sd.Message.AddressTableLookups); n != 2 {
			t.Fatalf("%d lookups, want 2 (one per table)", n)
		}
		// a[0..3] are looked up: a[0], a[1] writable; a[2], a[3] read-only.
		if got := sd.Message.NumLookupAccounts(); got != 4 {
			t.Errorf("%d looked-up accounts, want 4", got)
		}
		compareTx(t, sg, sd)
		if err := sd.VerifySignatures(); err != nil {
			t.Errorf("sdk VerifySignatures: %v", err)
		}
		fresh, freshBytes := reencodeSDK(t, sd)
		if !bytes.Equal(freshBytes, wire) {
			t.Errorf("sdk re-encoding differs from solana-go bytes:\n got %x\nwant %x", freshBytes, wire)
		}
		if err := fresh.VerifySignatures(); err != nil {
			t.Errorf("sdk VerifySignatures on re-encoded tx: %v", err)
		}
		// solana-go's NewTransaction hands its message the tables, so its
		// IsWritable resolves looked-up accounts too: every account is compared.
		all := comparePrivileges(t, &sg.Message, &sd.Message, tables)
		checkIntent(t, &sd.Message, all, f.payer.Pubkey(), ixs)
		checkLookupRule(t, &sd.Message, ixs, tables)
	})
}

// TestSDKBuiltParsesInSolanaGo builds and signs with sdk, then decodes,
// verifies and re-encodes with solana-go.
func TestSDKBuiltParsesInSolanaGo(t *testing.T) {
	t.Run("legacy transfer and two-signer memo", func(t *testing.T) {
		f := newFixture(t, 3)
		ixs := f.legacyInstructions()
		sd, err := sdk.NewTransaction(ixs, f.blockhash, f.payer, f.second)
		if err != nil {
			t.Fatal(err)
		}
		wire, err := sd.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		sg, err := solana.TransactionFromBytes(wire)
		if err != nil {
			t.Fatalf("solana.TransactionFromBytes: %v", err)
		}
		if sg.Message.IsVersioned() {
			t.Fatal("solana-go decoded a legacy message as versioned")
		}
		compareTx(t, sg, sd)
		if err := sg.VerifySignatures(); err != nil {
			t.Errorf("solana-go VerifySignatures: %v", err)
		}
		again, err := sg.MarshalBinary()
		if err != nil || !bytes.Equal(again, wire) {
			t.Errorf("solana-go re-encoding differs (err %v):\n got %x\nwant %x", err, again, wire)
		}
		all := comparePrivileges(t, &sg.Message, &sd.Message, nil)
		checkIntent(t, &sd.Message, all, f.payer.Pubkey(), ixs)
		if _, err := sdk.ParseTransaction(wire); err != nil {
			t.Errorf("sdk does not parse its own transaction: %v", err)
		}

		// The transfer's data decodes in solana-go's system program as the
		// transfer it is.
		inst, err := system.DecodeInstruction(nil, sg.Message.Instructions[0].Data)
		if err != nil {
			t.Fatalf("solana-go system.DecodeInstruction: %v", err)
		}
		if tr, ok := inst.Impl.(*system.Transfer); !ok || tr.Lamports == nil || *tr.Lamports != 1_234_567 {
			t.Errorf("solana-go decoded instruction 0 as %#v, want a transfer of 1234567", inst.Impl)
		}

		// A wrong signature must fail solana-go's check.
		bad := slices.Clone(wire)
		bad[1] ^= 1
		sgBad, err := solana.TransactionFromBytes(bad)
		if err != nil {
			t.Fatal(err)
		}
		if err := sgBad.VerifySignatures(); err == nil {
			t.Error("solana-go accepted a corrupted sdk signature")
		}
	})

	t.Run("v0 with two address lookup tables", func(t *testing.T) {
		f := newFixture(t, 4)
		r := rand.New(rand.NewPCG(4, 4))
		ixs := f.v0Instructions()
		tables := f.v0Tables(r)
		m, err := sdk.NewMessageV0(f.payer.Pubkey(), ixs, f.blockhash, tables)
		if err != nil {
			t.Fatal(err)
		}
		sd := &sdk.Transaction{Message: m}
		if err := sd.Sign(f.payer, f.second); err != nil {
			t.Fatal(err)
		}
		wire, err := sd.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		sg, err := solana.TransactionFromBytes(wire)
		if err != nil {
			t.Fatalf("solana.TransactionFromBytes: %v", err)
		}
		if sg.Message.GetVersion() != solana.MessageVersionV0 {
			t.Fatalf("solana-go decoded version %d, want v0", sg.Message.GetVersion())
		}
		if n := len(sg.Message.AddressTableLookups); n != 2 {
			t.Fatalf("%d lookups, want 2", n)
		}
		compareTx(t, sg, sd)
		if err := sg.VerifySignatures(); err != nil {
			t.Errorf("solana-go VerifySignatures: %v", err)
		}
		again, err := sg.MarshalBinary()
		if err != nil || !bytes.Equal(again, wire) {
			t.Errorf("solana-go re-encoding differs (err %v):\n got %x\nwant %x", err, again, wire)
		}
		// A decoded message knows no tables; hand solana-go the same ones.
		if err := sg.Message.SetAddressTables(toSolanaTables(tables)); err != nil {
			t.Fatal(err)
		}
		all := comparePrivileges(t, &sg.Message, &sd.Message, tables)
		checkIntent(t, &sd.Message, all, f.payer.Pubkey(), ixs)
		checkLookupRule(t, &sd.Message, ixs, tables)
		if _, err := sdk.ParseTransaction(wire); err != nil {
			t.Errorf("sdk does not parse its own transaction: %v", err)
		}
	})
}
