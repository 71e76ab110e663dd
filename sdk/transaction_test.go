package sdk

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

var (
	testSystemProgram = Pubkey{}
	testMemoProgram   = MustPubkey("MemoSq4gqABAXKb96qnH8TyNW9w6e5CFKRBiwbKgf8Z")
)

// testKeys returns n reproducible keypairs.
func testKeys(t testing.TB, n int) []Keypair {
	t.Helper()
	rng := seededReader(1000 + int64(n))
	out := make([]Keypair, n)
	for i := range out {
		kp, err := NewKeypairFrom(rng)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = kp
	}
	return out
}

func transferIx(from, to Pubkey, lamports uint64) Instruction {
	data := make([]byte, 12)
	data[0] = 2 // SystemInstruction::Transfer
	for i := 0; i < 8; i++ {
		data[4+i] = byte(lamports >> (8 * i))
	}
	return Instruction{
		ProgramID: testSystemProgram,
		Accounts:  []AccountMeta{{Pubkey: from, IsSigner: true, IsWritable: true}, {Pubkey: to, IsWritable: true}},
		Data:      data,
	}
}

// sampleLegacy is a two-signer transaction: a transfer and a memo signed by a
// second, read-only signer.
func sampleLegacy(t testing.TB) ([]byte, []Keypair) {
	t.Helper()
	keys := testKeys(t, 3)
	memo := Instruction{ProgramID: testMemoProgram, Accounts: []AccountMeta{{Pubkey: keys[1].Pubkey(), IsSigner: true}}, Data: []byte("gm")}
	tx, err := NewTransaction([]Instruction{transferIx(keys[0].Pubkey(), keys[2].Pubkey(), 5000), memo}, Hash{9}, keys[0], keys[1])
	if err != nil {
		t.Fatal(err)
	}
	b, err := tx.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return b, keys
}

// sampleV0 moves two writable and one read-only non-signer into lookups.
func sampleV0(t testing.TB) []byte {
	t.Helper()
	keys := testKeys(t, 6)
	var table LookupTable
	table.Key = Pubkey{0xa1}
	for i := 0; i < 10; i++ {
		table.Addresses = append(table.Addresses, Pubkey{byte(i), 0xee})
	}
	table.Addresses = append(table.Addresses, keys[2].Pubkey(), keys[3].Pubkey(), keys[4].Pubkey())
	ixs := []Instruction{
		transferIx(keys[0].Pubkey(), keys[2].Pubkey(), 1),
		transferIx(keys[0].Pubkey(), keys[3].Pubkey(), 2),
		{ProgramID: testMemoProgram, Accounts: []AccountMeta{{Pubkey: keys[4].Pubkey()}, {Pubkey: keys[5].Pubkey()}}, Data: []byte("v0")},
	}
	m, err := NewMessageV0(keys[0].Pubkey(), ixs, Hash{7}, []LookupTable{table})
	if err != nil {
		t.Fatal(err)
	}
	tx := &Transaction{Message: m}
	if err := tx.Sign(keys[0]); err != nil {
		t.Fatal(err)
	}
	b, err := tx.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestLegacyTransactionRoundTrip(t *testing.T) {
	raw, keys := sampleLegacy(t)
	tx, err := ParseTransaction(raw)
	if err != nil {
		t.Fatal(err)
	}
	m := &tx.Message
	if m.Version != MessageLegacy || len(tx.Signatures) != 2 {
		t.Fatalf("version %d, %d signatures", m.Version, len(tx.Signatures))
	}
	if m.Header != (MessageHeader{2, 1, 2}) {
		t.Fatalf("header %+v", m.Header)
	}
	if m.FeePayer() != keys[0].Pubkey() || m.AccountKeys[1] != keys[1].Pubkey() {
		t.Fatal("payer or second signer misplaced")
	}
	wantWritable := []bool{true, false, true, false, false}
	for i, w := range wantWritable {
		if m.IsWritableIndex(i) != w || m.IsSigner(i) != (i < 2) {
			t.Fatalf("account %d: writable %v signer %v", i, m.IsWritableIndex(i), m.IsSigner(i))
		}
	}
	if err := tx.VerifySignatures(); err != nil {
		t.Fatal(err)
	}
	again, _ := tx.MarshalBinary()
	if !bytes.Equal(again, raw) {
		t.Fatal("re-serialized bytes differ")
	}
	fresh, _ := (&Transaction{Signatures: tx.Signatures, Message: tx.Message}).MarshalBinary()
	if !bytes.Equal(fresh, raw) {
		t.Fatal("encoding the parsed fields differs from the input")
	}
}

func TestV0TransactionRoundTrip(t *testing.T) {
	raw := sampleV0(t)
	tx, err := ParseTransaction(raw)
	if err != nil {
		t.Fatal(err)
	}
	m := &tx.Message
	if m.Version != MessageV0 || len(m.AddressTableLookups) != 1 {
		t.Fatalf("version %d, %d lookups", m.Version, len(m.AddressTableLookups))
	}
	l := m.AddressTableLookups[0]
	if l.AccountKey != (Pubkey{0xa1}) || len(l.WritableIndexes) != 2 || !bytes.Equal(l.ReadonlyIndexes, []byte{12}) {
		t.Fatalf("lookup %+v", l)
	}
	// Static: payer, memo program, key 5, system program; then 2 writable and 1 read-only looked up.
	if len(m.AccountKeys) != 4 || m.NumLookupAccounts() != 3 {
		t.Fatalf("%d static, %d looked up", len(m.AccountKeys), m.NumLookupAccounts())
	}
	if !m.IsWritableIndex(4) || !m.IsWritableIndex(5) || m.IsWritableIndex(6) {
		t.Fatal("looked-up writability wrong")
	}
	if err := tx.VerifySignatures(); err != nil {
		t.Fatal(err)
	}
	again, _ := tx.MarshalBinary()
	fresh, _ := (&Transaction{Signatures: tx.Signatures, Message: tx.Message}).MarshalBinary()
	if !bytes.Equal(again, raw) || !bytes.Equal(fresh, raw) {
		t.Fatal("round trip differs")
	}
}

func TestTamperedTransactionFailsVerification(t *testing.T) {
	raw, _ := sampleLegacy(t)
	for _, at := range []int{1, 64, 65 + 64 + 5, len(raw) - 1} {
		b := bytes.Clone(raw)
		b[at] ^= 0x01
		tx, err := ParseTransaction(b)
		if err != nil {
			continue // the flip broke the format: also a rejection
		}
		if err := tx.VerifySignatures(); !errors.Is(err, ErrSignatureFailure) {
			t.Errorf("flip at %d: %v", at, err)
		}
	}
}

// mutate re-encodes a valid transaction after edit, signing nothing: sanitize
// must run before any signature is looked at.
func mutate(t *testing.T, raw []byte, edit func(tx *Transaction)) []byte {
	t.Helper()
	tx, err := ParseTransaction(raw)
	if err != nil {
		t.Fatal(err)
	}
	c := Transaction{Signatures: append([]Signature(nil), tx.Signatures...), Message: tx.Message}
	c.Message.AccountKeys = append([]Pubkey(nil), tx.Message.AccountKeys...)
	c.Message.Instructions = append([]CompiledInstruction(nil), tx.Message.Instructions...)
	c.Message.AddressTableLookups = append([]AddressTableLookup(nil), tx.Message.AddressTableLookups...)
	edit(&c)
	b, err := c.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSanitizeRulesMatchAgave: one case per rule of Agave's
// VersionedTransaction::sanitize and Message::sanitize.
func TestSanitizeRulesMatchAgave(t *testing.T) {
	legacy, _ := sampleLegacy(t)
	v0 := sampleV0(t)
	cases := []struct {
		name string
		raw  []byte
		want error
	}{
		{"fewer signatures than required signers", mutate(t, legacy, func(tx *Transaction) { tx.Signatures = tx.Signatures[:1] }), ErrSanitizeFailure},
		{"more signatures than required signers", mutate(t, legacy, func(tx *Transaction) { tx.Signatures = append(tx.Signatures, Signature{}) }), ErrSanitizeFailure},
		{"signers and read-only unsigned exceed keys", mutate(t, legacy, func(tx *Transaction) { tx.Message.Header.NumReadonlyUnsignedAccounts = 4 }), ErrSanitizeFailure},
		{"no writable fee payer", mutate(t, legacy, func(tx *Transaction) { tx.Message.Header.NumReadonlySignedAccounts = 2 }), ErrSanitizeFailure},
		{"no signers at all", mutate(t, legacy, func(tx *Transaction) {
			tx.Message.Header = MessageHeader{0, 0, 0}
			tx.Signatures = nil
		}), ErrSanitizeFailure},
		{"program id is the fee payer", mutate(t, legacy, func(tx *Transaction) { tx.Message.Instructions[0].ProgramIDIndex = 0 }), ErrSanitizeFailure},
		{"program index out of bounds", mutate(t, legacy, func(tx *Transaction) { tx.Message.Instructions[0].ProgramIDIndex = 5 }), ErrSanitizeFailure},
		{"account index out of bounds", mutate(t, legacy, func(tx *Transaction) {
			tx.Message.Instructions[0] = CompiledInstruction{ProgramIDIndex: 3, Accounts: []uint8{0, 5}}
		}), ErrSanitizeFailure},
		{"duplicate account key", mutate(t, legacy, func(tx *Transaction) { tx.Message.AccountKeys[2] = tx.Message.AccountKeys[0] }), ErrAccountLoadedTwice},
		{"v0 program id from a lookup table", mutate(t, v0, func(tx *Transaction) { tx.Message.Instructions[0].ProgramIDIndex = 4 }), ErrSanitizeFailure},
		{"v0 account index past the looked-up keys", mutate(t, v0, func(tx *Transaction) {
			tx.Message.Instructions[0] = CompiledInstruction{ProgramIDIndex: 3, Accounts: []uint8{0, 7}}
		}), ErrSanitizeFailure},
		{"v0 lookup that loads nothing", mutate(t, v0, func(tx *Transaction) {
			tx.Message.AddressTableLookups = append(tx.Message.AddressTableLookups, AddressTableLookup{AccountKey: Pubkey{3}})
		}), ErrSanitizeFailure},
		{"v0 more than 256 accounts in all", mutate(t, v0, func(tx *Transaction) {
			tx.Message.AddressTableLookups[0].ReadonlyIndexes = make([]uint8, 253)
		}), ErrSanitizeFailure},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if len(c.raw) > MaxTransactionSize {
				t.Fatalf("case is %d bytes: it would test the size limit instead", len(c.raw))
			}
			_, err := ParseTransaction(c.raw)
			if !errors.Is(err, c.want) || !errors.Is(err, ErrMalformed) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
}

func TestWireFormatRejections(t *testing.T) {
	legacy, _ := sampleLegacy(t)
	v0 := sampleV0(t)
	for _, raw := range [][]byte{legacy, v0} {
		// Every strict prefix is rejected with ErrMalformed and no panic.
		for n := 0; n < len(raw); n++ {
			if _, err := ParseTransaction(raw[:n]); !errors.Is(err, ErrMalformed) {
				t.Fatalf("prefix of %d/%d bytes: %v", n, len(raw), err)
			}
		}
		if _, err := ParseTransaction(append(bytes.Clone(raw), 0)); !errors.Is(err, ErrMalformed) {
			t.Fatalf("trailing byte accepted: %v", err)
		}
	}
	// Version 1 does not exist yet.
	b := bytes.Clone(v0)
	b[1+64] = 0x81
	if _, err := ParseTransaction(b); !errors.Is(err, ErrUnsupportedVersion) {
		t.Fatalf("version 1: %v", err)
	}
	// A non-minimal signature count: 0x82 0x00 means 2 in two bytes.
	b = append([]byte{0x82, 0x00}, legacy[1:]...)
	if _, err := ParseTransaction(b); !errors.Is(err, ErrShortVec) {
		t.Fatalf("aliased length: %v", err)
	}
	// Over the packet size, even if otherwise well-formed.
	keys := testKeys(t, 1)
	big, err := NewTransaction([]Instruction{{ProgramID: testMemoProgram, Data: make([]byte, 1200)}}, Hash{}, keys[0])
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := big.MarshalBinary()
	if _, err := ParseTransaction(raw); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("%d bytes: %v", len(raw), err)
	}
	// A huge claimed count is refused before anything is sized by it.
	if _, err := ParseTransaction([]byte{0xff, 0xff, 0x03}); !errors.Is(err, ErrMalformed) {
		t.Fatalf("huge count: %v", err)
	}
}

func TestParseAllocatesAConstantAmount(t *testing.T) {
	legacy, _ := sampleLegacy(t)
	v0 := sampleV0(t)
	for name, raw := range map[string][]byte{"legacy": legacy, "v0": v0} {
		n := testing.AllocsPerRun(100, func() {
			if _, err := ParseTransaction(raw); err != nil {
				t.Fatal(err)
			}
		})
		// The Transaction, its signatures, keys, instructions and (v0) lookups.
		if n > 5 {
			t.Errorf("%s: %.0f allocations per parse, want at most 5", name, n)
		}
		var tx Transaction
		tx.Decode(raw)
		n = testing.AllocsPerRun(100, func() {
			if err := tx.Decode(raw); err != nil {
				t.Fatal(err)
			}
		})
		if n != 0 {
			t.Errorf("%s: Decode into a reused Transaction allocates %.0f times", name, n)
		}
	}
}

func TestDecodeReuseLeavesNoStaleFields(t *testing.T) {
	legacy, _ := sampleLegacy(t)
	v0 := sampleV0(t)
	var tx Transaction
	if err := tx.Decode(v0); err != nil {
		t.Fatal(err)
	}
	if err := tx.Decode(legacy); err != nil {
		t.Fatal(err)
	}
	want, _ := ParseTransaction(legacy)
	if len(tx.Message.AddressTableLookups) != 0 || !reflect.DeepEqual(tx.Message.AccountKeys, want.Message.AccountKeys) {
		t.Fatal("a reused Transaction kept fields of the previous one")
	}
	if _, err := tx.MessageBytes(); err != nil {
		t.Fatal(err)
	}
	if tx.Decode(legacy[:10]) == nil {
		t.Fatal("truncated input accepted")
	}
	if len(tx.Signatures) != 0 || len(tx.Message.AccountKeys) != 0 || len(tx.Message.Instructions) != 0 || tx.messageBytes != nil {
		t.Fatal("a failed Decode kept parts of the previous transaction")
	}
}

func BenchmarkParseTransaction(b *testing.B) {
	legacy, _ := sampleLegacy(b)
	v0 := sampleV0(b)
	for _, c := range []struct {
		name string
		raw  []byte
	}{{"kind=legacy-transfer-memo", legacy}, {"kind=v0-lookups", v0}} {
		b.Run(c.name+"/mode=new", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(c.raw)))
			n := 0
			for b.Loop() {
				if _, err := ParseTransaction(c.raw); err != nil {
					b.Fatal(err)
				}
				n++
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "tx/s")
		})
		b.Run(c.name+"/mode=reuse", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(c.raw)))
			var tx Transaction
			n := 0
			for b.Loop() {
				if err := tx.Decode(c.raw); err != nil {
					b.Fatal(err)
				}
				n++
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "tx/s")
		})
	}
}
