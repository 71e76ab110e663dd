package token

import (
	"bytes"
	"errors"
	"testing"

	"github.com/gnomon-chain/gnomon/sdk"
)

func filled(b byte) sdk.Pubkey {
	var k sdk.Pubkey
	for i := range k {
		k[i] = b
	}
	return k
}

func TestMintLayoutMatchesSPLToken(t *testing.T) {
	m := Mint{MintAuthority: SomePubkey(filled(1)), Supply: 42, Decimals: 7, IsInitialized: true,
		FreezeAuthority: SomePubkey(filled(2))}
	want := append(append([]byte{1, 0, 0, 0}, bytes.Repeat([]byte{1}, 32)...),
		42, 0, 0, 0, 0, 0, 0, 0, 7, 1, 1, 0, 0, 0)
	want = append(want, bytes.Repeat([]byte{2}, 32)...)
	got := m.Encode()
	if !bytes.Equal(got, want) {
		t.Fatalf("mint bytes\n%v\nwant\n%v", got, want)
	}
	back, err := DecodeMint(got)
	if err != nil || back != m {
		t.Fatalf("decode %+v %v", back, err)
	}
}

func TestAccountLayoutMatchesSPLToken(t *testing.T) {
	a := Account{Mint: filled(1), Owner: filled(2), Amount: 3, Delegate: SomePubkey(filled(4)),
		State: StateFrozen, IsNative: COptionU64{Some: true, Value: 5}, DelegatedAmount: 6,
		CloseAuthority: SomePubkey(filled(7))}
	var want []byte
	want = append(want, bytes.Repeat([]byte{1}, 32)...)
	want = append(want, bytes.Repeat([]byte{2}, 32)...)
	want = append(want, 3, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0)
	want = append(want, bytes.Repeat([]byte{4}, 32)...)
	want = append(want, 2, 1, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0)
	want = append(want, bytes.Repeat([]byte{7}, 32)...)
	got := a.Encode()
	if !bytes.Equal(got, want) {
		t.Fatalf("account bytes\n%v\nwant\n%v", got, want)
	}
	back, err := DecodeAccount(got)
	if err != nil || back != a {
		t.Fatalf("decode %+v %v", back, err)
	}
}

func TestMultisigLayout(t *testing.T) {
	m := Multisig{M: 2, N: 3, IsInitialized: true}
	m.Signers[0], m.Signers[1], m.Signers[2] = filled(9), filled(8), filled(7)
	b := m.Encode()
	if len(b) != MultisigSize || b[0] != 2 || b[1] != 3 || b[2] != 1 || b[3] != 9 || b[35] != 8 || b[67] != 7 || b[99] != 0 {
		t.Fatalf("multisig bytes %v", b[:100])
	}
	back, err := DecodeMultisig(b)
	if err != nil || back != m {
		t.Fatalf("decode %+v %v", back, err)
	}
}

func TestDecodeRejectsMalformedLayouts(t *testing.T) {
	good := (&Account{State: StateInitialized}).Encode()
	for name, mutate := range map[string]func([]byte) []byte{
		"short":            func(b []byte) []byte { return b[:AccountSize-1] },
		"long":             func(b []byte) []byte { return append(b, 0) },
		"state 3":          func(b []byte) []byte { b[acctStateOff] = 3; return b },
		"delegate tag 2":   func(b []byte) []byte { b[acctDelegateOff] = 2; return b },
		"delegate tag hi":  func(b []byte) []byte { b[acctDelegateOff+3] = 1; return b },
		"is_native tag":    func(b []byte) []byte { b[acctIsNativeOff+1] = 1; return b },
		"close auth tag 9": func(b []byte) []byte { b[acctCloseAuthorityOff] = 9; return b },
	} {
		b := mutate(bytes.Clone(good))
		if _, err := DecodeAccount(b); !errors.Is(err, ErrMalformedState) || !errors.Is(err, sdk.ErrMalformed) {
			t.Errorf("%s: err %v", name, err)
		}
	}
	mint := (&Mint{IsInitialized: true}).Encode()
	mint[mintInitializedOff] = 2
	if _, err := DecodeMint(mint); !errors.Is(err, ErrMalformedState) {
		t.Errorf("mint is_initialized 2: %v", err)
	}
	ms := (&Multisig{}).Encode()
	ms[msigInitializedOff] = 2
	if _, err := DecodeMultisig(ms); !errors.Is(err, ErrMalformedState) {
		t.Errorf("multisig is_initialized 2: %v", err)
	}
}

// TestEncodeIntoLeavesNoneBodies pins pack's rule: writing None changes only
// the tag, so the old key stays in the account's bytes.
func TestEncodeIntoLeavesNoneBodies(t *testing.T) {
	a := Account{Delegate: SomePubkey(filled(4)), State: StateInitialized}
	b := a.Encode()
	a.Delegate = COptionPubkey{}
	a.EncodeInto(b)
	if b[acctDelegateOff] != 0 || b[acctDelegateOff+4] != 4 {
		t.Fatalf("delegate bytes %v", b[acctDelegateOff:acctDelegateOff+8])
	}
	if fresh := a.Encode(); fresh[acctDelegateOff+4] != 0 {
		t.Fatal("Encode into a fresh buffer must zero None bodies")
	}
}
