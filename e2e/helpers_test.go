package e2e

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"

	solana "github.com/gagliardetto/solana-go"

	"github.com/gnomon-chain/gnomon/sdk"
)

// Both libraries use plain byte arrays for keys, hashes and signatures, so the
// conversions below are value conversions; the tests still compare through
// each library's own accessors.

func sgKey(p sdk.Pubkey) solana.PublicKey { return solana.PublicKey(p) }
func sdKey(p solana.PublicKey) sdk.Pubkey { return sdk.Pubkey(p) }

// sgPrivate returns solana-go's form of an sdk keypair (seed ‖ public key).
func sgPrivate(k sdk.Keypair) solana.PrivateKey { return solana.PrivateKey(k.Bytes()) }

// seededKeypair derives a reproducible sdk keypair from r.
func seededKeypair(t *testing.T, r *rand.Rand) sdk.Keypair {
	t.Helper()
	var seed [32]byte
	fillRandom(r, seed[:])
	return sdk.KeypairFromSeed(seed)
}

func fillRandom(r *rand.Rand, b []byte) {
	for i := range b {
		b[i] = byte(r.Uint32())
	}
}

func randomPubkey(r *rand.Rand) sdk.Pubkey {
	var p sdk.Pubkey
	fillRandom(r, p[:])
	return p
}

func randomHash(r *rand.Rand) sdk.Hash {
	var h sdk.Hash
	fillRandom(r, h[:])
	return h
}

func randomBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	fillRandom(r, b)
	return b
}

// signerGetter answers solana-go's Sign callback from a set of sdk keypairs.
func signerGetter(keys ...sdk.Keypair) func(solana.PublicKey) *solana.PrivateKey {
	m := make(map[solana.PublicKey]solana.PrivateKey, len(keys))
	for _, k := range keys {
		m[sgKey(k.Pubkey())] = sgPrivate(k)
	}
	return func(p solana.PublicKey) *solana.PrivateKey {
		if k, ok := m[p]; ok {
			return &k
		}
		return nil
	}
}

// toSolanaInstructions converts sdk instructions into solana-go generic ones.
func toSolanaInstructions(ixs []sdk.Instruction) []solana.Instruction {
	out := make([]solana.Instruction, len(ixs))
	for i, ix := range ixs {
		metas := make(solana.AccountMetaSlice, len(ix.Accounts))
		for j, a := range ix.Accounts {
			metas[j] = solana.NewAccountMeta(sgKey(a.Pubkey), a.IsWritable, a.IsSigner)
		}
		out[i] = solana.NewInstruction(sgKey(ix.ProgramID), metas, slices.Clone(ix.Data))
	}
	return out
}

// toSolanaTables converts sdk lookup tables into solana-go's option map.
func toSolanaTables(tables []sdk.LookupTable) map[solana.PublicKey]solana.PublicKeySlice {
	m := make(map[solana.PublicKey]solana.PublicKeySlice, len(tables))
	for _, tb := range tables {
		s := make(solana.PublicKeySlice, len(tb.Addresses))
		for i, a := range tb.Addresses {
			s[i] = sgKey(a)
		}
		m[sgKey(tb.Key)] = s
	}
	return m
}

// compareTx asserts that a solana-go and an sdk transaction carry the same
// fields: signatures, version, header, static keys, blockhash, instructions
// and address table lookups. sg must not have resolved its lookups.
func compareTx(t *testing.T, sg *solana.Transaction, sd *sdk.Transaction) {
	t.Helper()
	if sg.Message.IsResolved() {
		t.Fatal("solana-go message has resolved lookups; compare static keys only")
	}
	if len(sg.Signatures) != len(sd.Signatures) {
		t.Fatalf("signature count: solana-go %d, sdk %d", len(sg.Signatures), len(sd.Signatures))
	}
	for i := range sg.Signatures {
		if [64]byte(sg.Signatures[i]) != [64]byte(sd.Signatures[i]) {
			t.Errorf("signature %d: solana-go %s, sdk %s", i, sg.Signatures[i], sd.Signatures[i])
		}
	}
	sm, dm := &sg.Message, &sd.Message
	wantV0 := sm.GetVersion() == solana.MessageVersionV0
	if gotV0 := dm.Version == sdk.MessageV0; gotV0 != wantV0 {
		t.Errorf("version: solana-go v0=%v, sdk v0=%v", wantV0, gotV0)
	}
	if wantV0 != sm.IsVersioned() {
		t.Errorf("solana-go GetVersion and IsVersioned disagree")
	}
	h := sm.Header
	if h.NumRequiredSignatures != dm.Header.NumRequiredSignatures ||
		h.NumReadonlySignedAccounts != dm.Header.NumReadonlySignedAccounts ||
		h.NumReadonlyUnsignedAccounts != dm.Header.NumReadonlyUnsignedAccounts {
		t.Errorf("header: solana-go %+v, sdk %+v", h, dm.Header)
	}
	if len(sm.AccountKeys) != len(dm.AccountKeys) {
		t.Fatalf("static key count: solana-go %d, sdk %d", len(sm.AccountKeys), len(dm.AccountKeys))
	}
	for i := range sm.AccountKeys {
		if sdKey(sm.AccountKeys[i]) != dm.AccountKeys[i] {
			t.Errorf("account key %d: solana-go %s, sdk %s", i, sm.AccountKeys[i], dm.AccountKeys[i])
		}
	}
	if [32]byte(sm.RecentBlockhash) != [32]byte(dm.RecentBlockhash) {
		t.Errorf("blockhash: solana-go %s, sdk %s", sm.RecentBlockhash, dm.RecentBlockhash)
	}
	if len(sm.Instructions) != len(dm.Instructions) {
		t.Fatalf("instruction count: solana-go %d, sdk %d", len(sm.Instructions), len(dm.Instructions))
	}
	for i := range sm.Instructions {
		a, b := &sm.Instructions[i], &dm.Instructions[i]
		if a.ProgramIDIndex != uint16(b.ProgramIDIndex) {
			t.Errorf("instruction %d program index: solana-go %d, sdk %d", i, a.ProgramIDIndex, b.ProgramIDIndex)
		}
		accs := make([]uint16, len(b.Accounts))
		for j, x := range b.Accounts {
			accs[j] = uint16(x)
		}
		if !slices.Equal(a.Accounts, accs) {
			t.Errorf("instruction %d accounts: solana-go %v, sdk %v", i, a.Accounts, b.Accounts)
		}
		if !bytes.Equal(a.Data, b.Data) {
			t.Errorf("instruction %d data: solana-go %x, sdk %x", i, []byte(a.Data), b.Data)
		}
	}
	if len(sm.AddressTableLookups) != len(dm.AddressTableLookups) {
		t.Fatalf("lookup count: solana-go %d, sdk %d", len(sm.AddressTableLookups), len(dm.AddressTableLookups))
	}
	for i := range sm.AddressTableLookups {
		a, b := &sm.AddressTableLookups[i], &dm.AddressTableLookups[i]
		if sdKey(a.AccountKey) != b.AccountKey {
			t.Errorf("lookup %d table: solana-go %s, sdk %s", i, a.AccountKey, b.AccountKey)
		}
		if !bytes.Equal(a.WritableIndexes, b.WritableIndexes) {
			t.Errorf("lookup %d writable indexes: solana-go %v, sdk %v", i, a.WritableIndexes, b.WritableIndexes)
		}
		if !bytes.Equal(a.ReadonlyIndexes, b.ReadonlyIndexes) {
			t.Errorf("lookup %d read-only indexes: solana-go %v, sdk %v", i, a.ReadonlyIndexes, b.ReadonlyIndexes)
		}
	}
}

// resolveSDK lists every account of an sdk message: static keys, then the
// writable keys of all lookups, then their read-only keys, as the runtime
// loads them. sdk itself does not load tables, so the test does it from the
// tables the message was compiled with.
func resolveSDK(t *testing.T, m *sdk.Message, tables []sdk.LookupTable) []sdk.Pubkey {
	t.Helper()
	find := func(key sdk.Pubkey) []sdk.Pubkey {
		for _, tb := range tables {
			if tb.Key == key {
				return tb.Addresses
			}
		}
		t.Fatalf("lookup names unknown table %s", key)
		return nil
	}
	all := slices.Clone(m.AccountKeys)
	var ro []sdk.Pubkey
	for _, l := range m.AddressTableLookups {
		addrs := find(l.AccountKey)
		for _, i := range l.WritableIndexes {
			all = append(all, addrs[i])
		}
		for _, i := range l.ReadonlyIndexes {
			ro = append(ro, addrs[i])
		}
	}
	return append(all, ro...)
}

// comparePrivileges asserts that sdk's IsSigner and IsWritableIndex agree with
// solana-go's Message.IsSigner and IsWritable on every account, looked-up ones
// included. solana-go resolves looked-up accounts only from tables it has been
// given, so a v0 message must have had SetAddressTables called (NewTransaction
// does it for the messages it builds). It returns the resolved keys.
func comparePrivileges(t *testing.T, sm *solana.Message, dm *sdk.Message, tables []sdk.LookupTable) []sdk.Pubkey {
	t.Helper()
	sgAll, err := sm.GetAllKeys()
	if err != nil {
		t.Fatalf("solana-go GetAllKeys: %v", err)
	}
	sdAll := resolveSDK(t, dm, tables)
	if len(sgAll) != len(sdAll) {
		t.Fatalf("resolved key count: solana-go %d, sdk %d", len(sgAll), len(sdAll))
	}
	for i := range sgAll {
		if sdKey(sgAll[i]) != sdAll[i] {
			t.Errorf("resolved key %d: solana-go %s, sdk %s", i, sgAll[i], sdAll[i])
		}
		sgW, err := sm.IsWritable(sgAll[i])
		if err != nil {
			t.Fatalf("solana-go IsWritable: %v", err)
		}
		if dW := dm.IsWritableIndex(i); dW != sgW {
			t.Errorf("account %d (%s) writable: solana-go %v, sdk %v", i, sgAll[i], sgW, dW)
		}
		if sgS, dS := sm.IsSigner(sgAll[i]), dm.IsSigner(i); sgS != dS {
			t.Errorf("account %d (%s) signer: solana-go %v, sdk %v", i, sgAll[i], sgS, dS)
		}
	}
	return sdAll
}

// privilege is what a set of instructions asks for one account: signer and
// writable ORed over every use, the payer a writable signer, programs read-only
// unless some instruction asks for more.
type privilege struct{ signer, writable bool }

func intendedPrivileges(payer sdk.Pubkey, ixs []sdk.Instruction) map[sdk.Pubkey]privilege {
	m := map[sdk.Pubkey]privilege{payer: {true, true}}
	for _, ix := range ixs {
		if _, ok := m[ix.ProgramID]; !ok {
			m[ix.ProgramID] = privilege{}
		}
		for _, a := range ix.Accounts {
			p := m[a.Pubkey]
			p.signer = p.signer || a.IsSigner
			p.writable = p.writable || a.IsWritable
			m[a.Pubkey] = p
		}
	}
	return m
}

// checkIntent asserts that a compiled message (its resolved keys all) grants
// exactly the intended privileges, names every instruction's program and
// accounts by the right index, puts the payer first, and takes no signer or
// invoked program from a table.
func checkIntent(t *testing.T, dm *sdk.Message, all []sdk.Pubkey, payer sdk.Pubkey, ixs []sdk.Instruction) {
	t.Helper()
	want := intendedPrivileges(payer, ixs)
	if len(all) != len(want) {
		t.Fatalf("message has %d accounts, instructions use %d", len(all), len(want))
	}
	if len(all) == 0 || all[0] != payer {
		t.Fatalf("first account is not the fee payer %s", payer)
	}
	for i, k := range all {
		w, ok := want[k]
		if !ok {
			t.Fatalf("account %d (%s) is not used by any instruction", i, k)
		}
		if got := (privilege{dm.IsSigner(i), dm.IsWritableIndex(i)}); got != w {
			t.Errorf("account %d (%s): got signer=%v writable=%v, want signer=%v writable=%v",
				i, k, got.signer, got.writable, w.signer, w.writable)
		}
		if i >= len(dm.AccountKeys) && w.signer {
			t.Errorf("signer %s was taken from a lookup table", k)
		}
	}
	if len(dm.Instructions) != len(ixs) {
		t.Fatalf("%d compiled instructions, want %d", len(dm.Instructions), len(ixs))
	}
	for i, ix := range ixs {
		ci := dm.Instructions[i]
		if int(ci.ProgramIDIndex) >= len(dm.AccountKeys) || all[ci.ProgramIDIndex] != ix.ProgramID {
			t.Errorf("instruction %d: program index %d does not name static key %s", i, ci.ProgramIDIndex, ix.ProgramID)
		}
		if len(ci.Accounts) != len(ix.Accounts) {
			t.Fatalf("instruction %d: %d accounts, want %d", i, len(ci.Accounts), len(ix.Accounts))
		}
		for j, a := range ix.Accounts {
			if int(ci.Accounts[j]) >= len(all) || all[ci.Accounts[j]] != a.Pubkey {
				t.Errorf("instruction %d account %d: index %d does not name %s", i, j, ci.Accounts[j], a.Pubkey)
			}
		}
		if !bytes.Equal(ci.Data, ix.Data) {
			t.Errorf("instruction %d data differs", i)
		}
	}
}

// reencodeSDK serializes sdk's parsed fields afresh, without the bytes it was
// parsed from, so a byte comparison checks sdk's encoder and not only its
// retained copy of the input.
func reencodeSDK(t *testing.T, sd *sdk.Transaction) (*sdk.Transaction, []byte) {
	t.Helper()
	fresh := &sdk.Transaction{Signatures: slices.Clone(sd.Signatures), Message: sd.Message}
	b, err := fresh.MarshalBinary()
	if err != nil {
		t.Fatalf("sdk MarshalBinary: %v", err)
	}
	return fresh, b
}

// checkLookupRule asserts the v0 compile rule both libraries follow (the Rust
// SDK's): every account that a table holds and that is neither a signer nor an
// invoked program is loaded through a lookup, not kept among the static keys.
func checkLookupRule(t *testing.T, dm *sdk.Message, ixs []sdk.Instruction, tables []sdk.LookupTable) {
	t.Helper()
	invoked := map[sdk.Pubkey]bool{}
	for _, ix := range ixs {
		invoked[ix.ProgramID] = true
	}
	for i, k := range dm.AccountKeys {
		if dm.IsSigner(i) || invoked[k] {
			continue
		}
		for _, tb := range tables {
			if slices.Contains(tb.Addresses, k) {
				t.Errorf("static account %d (%s) is in table %s but was not looked up", i, k, tb.Key)
			}
		}
	}
}
