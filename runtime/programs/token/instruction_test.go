package token

import (
	"bytes"
	"errors"
	"testing"

	"github.com/gnomon-chain/gnomon/sdk"
)

func TestDecodeInstructionFields(t *testing.T) {
	auth, freeze := filled(3), filled(4)
	jsStyleNone := append(append([]byte{0, 6}, auth[:]...), append([]byte{0}, make([]byte, 32)...)...)
	for _, c := range []struct {
		name string
		data []byte
		want Instruction
	}{
		{"mint none", InitializeMintData(6, auth, nil), Instruction{Type: InitializeMint, Decimals: 6, MintAuthority: auth}},
		{"mint some", InitializeMint2Data(9, auth, &freeze), Instruction{Type: InitializeMint2, Decimals: 9,
			MintAuthority: auth, FreezeAuthority: SomePubkey(freeze)}},
		// @solana/spl-token always writes 32 bytes after a None tag.
		{"mint none padded", jsStyleNone, Instruction{Type: InitializeMint, Decimals: 6, MintAuthority: auth}},
		{"transfer", TransferData(0x0102030405060708), Instruction{Type: Transfer, Amount: 0x0102030405060708}},
		{"transfer trailing", append(TransferData(5), 9, 9), Instruction{Type: Transfer, Amount: 5}},
		{"checked", BurnCheckedData(7, 2), Instruction{Type: BurnChecked, Amount: 7, Decimals: 2}},
		{"set authority", SetAuthorityData(AuthorityCloseAccount, &freeze), Instruction{Type: SetAuthority,
			AuthorityType: AuthorityCloseAccount, NewAuthority: SomePubkey(freeze)}},
		{"account3", InitializeAccount3Data(auth), Instruction{Type: InitializeAccount3, Owner: auth}},
		{"multisig", InitializeMultisigData(3), Instruction{Type: InitializeMultisig, M: 3}},
		{"ui", UiAmountToAmountData("1.5"), Instruction{Type: UiAmountToAmount, UIAmount: "1.5"}},
		{"ui empty", []byte{24}, Instruction{Type: UiAmountToAmount}},
		{"revoke trailing", []byte{5, 1, 2, 3}, Instruction{Type: Revoke}},
	} {
		got, err := DecodeInstruction(c.data)
		if err != nil || got != c.want {
			t.Errorf("%s: %+v, %v; want %+v", c.name, got, err, c.want)
		}
	}
}

func TestDecodeInstructionRejectsAsInvalidInstruction(t *testing.T) {
	auth := filled(3)
	for name, data := range map[string][]byte{
		"empty":           nil,
		"tag 25":          {25},
		"short amount":    {3, 1, 2, 3, 4, 5, 6, 7},
		"checked no dec":  {12, 1, 0, 0, 0, 0, 0, 0, 0},
		"mint no option":  append([]byte{0, 6}, auth[:]...),
		"mint option 2":   append(append([]byte{20, 6}, auth[:]...), 2),
		"mint some short": append(append([]byte{0, 6}, auth[:]...), 1, 1),
		"authority 4":     {6, 4, 0},
		"authority none":  {6},
		"owner short":     append([]byte{18}, auth[:31]...),
		"multisig no m":   {2},
		"ui not utf8":     {24, 0xc3, 0x28},
	} {
		if _, err := DecodeInstruction(data); !errors.Is(err, ErrInvalidInstruction) {
			t.Errorf("%s: err %v", name, err)
		}
	}
}

func TestInstructionNames(t *testing.T) {
	if Transfer.String() != "Transfer" || InitializeAccount3.String() != "InitializeAccount3" ||
		UiAmountToAmount.String() != "UiAmountToAmount" || InstructionType(99).String() != "Unknown" {
		t.Fatal("names")
	}
	for i := range numInstructionTypes {
		if computeUnits[i] == 0 {
			t.Errorf("%s has no compute cost", i)
		}
	}
}

// FuzzDecodeInstruction: decoding never panics, every failure is
// InvalidInstruction, and a decoded instruction re-encodes to a prefix of the
// input that decodes to the same instruction.
func FuzzDecodeInstruction(f *testing.F) {
	k := sdk.Pubkey{1, 2, 3}
	for _, seed := range [][]byte{
		nil, {0}, {25}, {255}, InitializeMintData(6, k, &k), InitializeMint2Data(0, k, nil),
		InitializeAccountData(), InitializeMultisigData(2), TransferData(1), ApproveData(2), RevokeData(),
		SetAuthorityData(AuthorityAccountOwner, &k), SetAuthorityData(AuthorityMintTokens, nil), MintToData(3),
		BurnData(4), CloseAccountData(), FreezeAccountData(), ThawAccountData(), TransferCheckedData(5, 6),
		ApproveCheckedData(7, 8), MintToCheckedData(9, 10), BurnCheckedData(11, 12), InitializeAccount2Data(k),
		SyncNativeData(), InitializeAccount3Data(k), InitializeMultisig2Data(1), GetAccountDataSizeData(),
		InitializeImmutableOwnerData(), AmountToUiAmountData(13), UiAmountToAmountData("1.5"),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ix, err := DecodeInstruction(data)
		if err != nil {
			if !errors.Is(err, ErrInvalidInstruction) {
				t.Fatalf("error %v is not InvalidInstruction", err)
			}
			return
		}
		enc := ix.Encode()
		again, err := DecodeInstruction(enc)
		if err != nil || again != ix {
			t.Fatalf("re-decode %+v %v, want %+v", again, err, ix)
		}
		// Decoding reads a prefix and ignores the rest, so the canonical
		// encoding is exactly the prefix it read.
		if len(enc) > len(data) || !bytes.Equal(enc, data[:len(enc)]) {
			t.Fatalf("encoding %x is not a prefix of %x", enc, data)
		}
	})
}
