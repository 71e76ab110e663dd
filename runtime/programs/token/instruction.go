package token

import (
	"encoding/binary"
	"unicode/utf8"

	"github.com/gnomon-chain/gnomon/sdk"
)

// ID is the Token program's address.
var ID = sdk.TokenProgramID

// InstructionType is the first byte of Token instruction data.
type InstructionType uint8

// The instruction tags, in spl-token's numbering.
const (
	InitializeMint InstructionType = iota
	InitializeAccount
	InitializeMultisig
	Transfer
	Approve
	Revoke
	SetAuthority
	MintTo
	Burn
	CloseAccount
	FreezeAccount
	ThawAccount
	TransferChecked
	ApproveChecked
	MintToChecked
	BurnChecked
	InitializeAccount2
	SyncNative
	InitializeAccount3
	InitializeMultisig2
	InitializeMint2
	GetAccountDataSize
	InitializeImmutableOwner
	AmountToUiAmount
	UiAmountToAmount
	numInstructionTypes
)

var instructionNames = [numInstructionTypes]string{
	"InitializeMint", "InitializeAccount", "InitializeMultisig", "Transfer", "Approve", "Revoke",
	"SetAuthority", "MintTo", "Burn", "CloseAccount", "FreezeAccount", "ThawAccount",
	"TransferChecked", "ApproveChecked", "MintToChecked", "BurnChecked", "InitializeAccount2",
	"SyncNative", "InitializeAccount3", "InitializeMultisig2", "InitializeMint2",
	"GetAccountDataSize", "InitializeImmutableOwner", "AmountToUiAmount", "UiAmountToAmount",
}

// instructionLogs are the lines the on-chain processor prints before it
// runs each instruction, built once so logging costs no concatenation here.
var instructionLogs = func() (out [numInstructionTypes]string) {
	for i, n := range instructionNames {
		out[i] = "Instruction: " + n
	}
	return out
}()

// String is spl-token's name for the instruction.
func (t InstructionType) String() string {
	if t >= numInstructionTypes {
		return "Unknown"
	}
	return instructionNames[t]
}

// AuthorityType says which authority SetAuthority changes.
type AuthorityType uint8

// The authority types; any other byte is an invalid instruction.
const (
	AuthorityMintTokens AuthorityType = iota
	AuthorityFreezeAccount
	AuthorityAccountOwner
	AuthorityCloseAccount
)

// Instruction is a decoded Token instruction. Only the fields of its Type
// are meaningful:
//
//	InitializeMint, InitializeMint2: Decimals, MintAuthority, FreezeAuthority
//	InitializeMultisig, InitializeMultisig2: M
//	Transfer, Approve, MintTo, Burn, AmountToUiAmount: Amount
//	TransferChecked, ApproveChecked, MintToChecked, BurnChecked: Amount, Decimals
//	SetAuthority: AuthorityType, NewAuthority
//	InitializeAccount2, InitializeAccount3: Owner
//	UiAmountToAmount: UIAmount
type Instruction struct {
	Type            InstructionType
	Amount          uint64
	Decimals        uint8
	M               uint8
	AuthorityType   AuthorityType
	MintAuthority   sdk.Pubkey
	FreezeAuthority COptionPubkey
	NewAuthority    COptionPubkey
	Owner           sdk.Pubkey
	UIAmount        string
}

// DecodeInstruction parses instruction data as spl-token 3.5's
// TokenInstruction::unpack does. Every malformed input — empty data, an
// unknown tag, a field cut short, an authority type above 3, a COption tag
// other than 0 or 1, a UI amount that is not UTF-8 — is TokenError
// InvalidInstruction, Custom(12), never InvalidInstructionData; bytes after
// the last field are ignored, as unpack ignores them.
func DecodeInstruction(data []byte) (Instruction, error) {
	var ix Instruction
	if len(data) == 0 || data[0] >= byte(numInstructionTypes) {
		return ix, ErrInvalidInstruction
	}
	ix.Type = InstructionType(data[0])
	rest := data[1:]
	switch ix.Type {
	case InitializeMint, InitializeMint2:
		if len(rest) < 1+32 {
			return ix, ErrInvalidInstruction
		}
		ix.Decimals = rest[0]
		ix.MintAuthority = sdk.Pubkey(rest[1:33])
		var ok bool
		if ix.FreezeAuthority, ok = decodeOptionKey(rest[33:]); !ok {
			return ix, ErrInvalidInstruction
		}
	case InitializeMultisig, InitializeMultisig2:
		if len(rest) < 1 {
			return ix, ErrInvalidInstruction
		}
		ix.M = rest[0]
	case Transfer, Approve, MintTo, Burn, AmountToUiAmount:
		if len(rest) < 8 {
			return ix, ErrInvalidInstruction
		}
		ix.Amount = binary.LittleEndian.Uint64(rest)
	case TransferChecked, ApproveChecked, MintToChecked, BurnChecked:
		if len(rest) < 9 {
			return ix, ErrInvalidInstruction
		}
		ix.Amount = binary.LittleEndian.Uint64(rest)
		ix.Decimals = rest[8]
	case SetAuthority:
		if len(rest) < 1 || rest[0] > byte(AuthorityCloseAccount) {
			return ix, ErrInvalidInstruction
		}
		ix.AuthorityType = AuthorityType(rest[0])
		var ok bool
		if ix.NewAuthority, ok = decodeOptionKey(rest[1:]); !ok {
			return ix, ErrInvalidInstruction
		}
	case InitializeAccount2, InitializeAccount3:
		if len(rest) < 32 {
			return ix, ErrInvalidInstruction
		}
		ix.Owner = sdk.Pubkey(rest[:32])
	case UiAmountToAmount:
		if !utf8.Valid(rest) {
			return ix, ErrInvalidInstruction
		}
		ix.UIAmount = string(rest)
	}
	return ix, nil
}

// decodeOptionKey reads an instruction-data COption<Pubkey>: a 1-byte tag,
// then 32 bytes when the tag is 1.
func decodeOptionKey(b []byte) (COptionPubkey, bool) {
	switch {
	case len(b) >= 1 && b[0] == 0:
		return COptionPubkey{}, true
	case len(b) >= 33 && b[0] == 1:
		return COptionPubkey{Some: true, Key: sdk.Pubkey(b[1:33])}, true
	}
	return COptionPubkey{}, false
}

// Encode returns the canonical data for ix, as spl-token's pack writes it
// (a None option is the single byte 0).
func (ix *Instruction) Encode() []byte {
	b := []byte{byte(ix.Type)}
	switch ix.Type {
	case InitializeMint, InitializeMint2:
		b = append(b, ix.Decimals)
		b = append(b, ix.MintAuthority[:]...)
		b = appendOptionKey(b, ix.FreezeAuthority)
	case InitializeMultisig, InitializeMultisig2:
		b = append(b, ix.M)
	case Transfer, Approve, MintTo, Burn, AmountToUiAmount:
		b = binary.LittleEndian.AppendUint64(b, ix.Amount)
	case TransferChecked, ApproveChecked, MintToChecked, BurnChecked:
		b = binary.LittleEndian.AppendUint64(b, ix.Amount)
		b = append(b, ix.Decimals)
	case SetAuthority:
		b = append(b, byte(ix.AuthorityType))
		b = appendOptionKey(b, ix.NewAuthority)
	case InitializeAccount2, InitializeAccount3:
		b = append(b, ix.Owner[:]...)
	case UiAmountToAmount:
		b = append(b, ix.UIAmount...)
	}
	return b
}

func appendOptionKey(b []byte, o COptionPubkey) []byte {
	if !o.Some {
		return append(b, 0)
	}
	return append(append(b, 1), o.Key[:]...)
}

func optionOf(k *sdk.Pubkey) COptionPubkey {
	if k == nil {
		return COptionPubkey{}
	}
	return SomePubkey(*k)
}

func encode(ix Instruction) []byte { return ix.Encode() }

// InitializeMintData: accounts mint (w), rent sysvar. freezeAuthority may be nil.
func InitializeMintData(decimals uint8, mintAuthority sdk.Pubkey, freezeAuthority *sdk.Pubkey) []byte {
	return encode(Instruction{Type: InitializeMint, Decimals: decimals, MintAuthority: mintAuthority,
		FreezeAuthority: optionOf(freezeAuthority)})
}

// InitializeMint2Data: accounts mint (w).
func InitializeMint2Data(decimals uint8, mintAuthority sdk.Pubkey, freezeAuthority *sdk.Pubkey) []byte {
	return encode(Instruction{Type: InitializeMint2, Decimals: decimals, MintAuthority: mintAuthority,
		FreezeAuthority: optionOf(freezeAuthority)})
}

// InitializeAccountData: accounts account (w), mint, owner, rent sysvar.
func InitializeAccountData() []byte { return []byte{byte(InitializeAccount)} }

// InitializeAccount2Data: accounts account (w), mint, rent sysvar.
func InitializeAccount2Data(owner sdk.Pubkey) []byte {
	return encode(Instruction{Type: InitializeAccount2, Owner: owner})
}

// InitializeAccount3Data: accounts account (w), mint.
func InitializeAccount3Data(owner sdk.Pubkey) []byte {
	return encode(Instruction{Type: InitializeAccount3, Owner: owner})
}

// InitializeMultisigData: accounts multisig (w), rent sysvar, signers...
func InitializeMultisigData(m uint8) []byte { return []byte{byte(InitializeMultisig), m} }

// InitializeMultisig2Data: accounts multisig (w), signers...
func InitializeMultisig2Data(m uint8) []byte { return []byte{byte(InitializeMultisig2), m} }

// TransferData: accounts source (w), destination (w), owner or delegate (s),
// then the multisig's signers when the authority is a multisig.
func TransferData(amount uint64) []byte { return amountData(Transfer, amount) }

// TransferCheckedData: accounts source (w), mint, destination (w), authority (s), [signers].
func TransferCheckedData(amount uint64, decimals uint8) []byte {
	return checkedData(TransferChecked, amount, decimals)
}

// ApproveData: accounts source (w), delegate, owner (s), [signers].
func ApproveData(amount uint64) []byte { return amountData(Approve, amount) }

// ApproveCheckedData: accounts source (w), mint, delegate, owner (s), [signers].
func ApproveCheckedData(amount uint64, decimals uint8) []byte {
	return checkedData(ApproveChecked, amount, decimals)
}

// RevokeData: accounts source (w), owner (s), [signers].
func RevokeData() []byte { return []byte{byte(Revoke)} }

// SetAuthorityData: accounts mint or account (w), current authority (s),
// [signers]. newAuthority nil means None.
func SetAuthorityData(t AuthorityType, newAuthority *sdk.Pubkey) []byte {
	return encode(Instruction{Type: SetAuthority, AuthorityType: t, NewAuthority: optionOf(newAuthority)})
}

// MintToData: accounts mint (w), destination (w), mint authority (s), [signers].
func MintToData(amount uint64) []byte { return amountData(MintTo, amount) }

// MintToCheckedData: accounts as MintTo.
func MintToCheckedData(amount uint64, decimals uint8) []byte {
	return checkedData(MintToChecked, amount, decimals)
}

// BurnData: accounts source (w), mint (w), owner or delegate (s), [signers].
func BurnData(amount uint64) []byte { return amountData(Burn, amount) }

// BurnCheckedData: accounts as Burn.
func BurnCheckedData(amount uint64, decimals uint8) []byte {
	return checkedData(BurnChecked, amount, decimals)
}

// CloseAccountData: accounts account (w), destination (w), close authority (s), [signers].
func CloseAccountData() []byte { return []byte{byte(CloseAccount)} }

// FreezeAccountData: accounts account (w), mint, freeze authority (s), [signers].
func FreezeAccountData() []byte { return []byte{byte(FreezeAccount)} }

// ThawAccountData: accounts as FreezeAccount.
func ThawAccountData() []byte { return []byte{byte(ThawAccount)} }

// SyncNativeData: accounts native account (w).
func SyncNativeData() []byte { return []byte{byte(SyncNative)} }

// GetAccountDataSizeData: accounts mint.
func GetAccountDataSizeData() []byte { return []byte{byte(GetAccountDataSize)} }

// InitializeImmutableOwnerData: accounts account (w).
func InitializeImmutableOwnerData() []byte { return []byte{byte(InitializeImmutableOwner)} }

// AmountToUiAmountData: accounts mint.
func AmountToUiAmountData(amount uint64) []byte { return amountData(AmountToUiAmount, amount) }

// UiAmountToAmountData: accounts mint.
func UiAmountToAmountData(uiAmount string) []byte {
	return encode(Instruction{Type: UiAmountToAmount, UIAmount: uiAmount})
}

func amountData(t InstructionType, amount uint64) []byte {
	return binary.LittleEndian.AppendUint64([]byte{byte(t)}, amount)
}

func checkedData(t InstructionType, amount uint64, decimals uint8) []byte {
	return append(amountData(t, amount), decimals)
}
