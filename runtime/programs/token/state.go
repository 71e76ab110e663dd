package token

import (
	"encoding/binary"
	"fmt"

	"github.com/gnomon-chain/gnomon/sdk"
)

// Sizes of the three account layouts. The on-chain program tells them apart
// by length alone, so they must stay distinct.
const (
	MintSize     = 82
	AccountSize  = 165
	MultisigSize = 355
)

// Multisig signer limits, as spl-token sets them.
const (
	MinSigners = 1
	MaxSigners = 11
)

// Byte offsets inside a Mint. A state COption is a 4-byte tag (1 = Some,
// 0 = None, anything else malformed) followed by the value.
const (
	mintAuthorityOff   = 0
	mintSupplyOff      = 36
	mintDecimalsOff    = 44
	mintInitializedOff = 45
	mintFreezeOff      = 46
)

// Byte offsets inside an Account.
const (
	acctMintOff            = 0
	acctOwnerOff           = 32
	acctAmountOff          = 64
	acctDelegateOff        = 72
	acctStateOff           = 108
	acctIsNativeOff        = 109
	acctDelegatedAmountOff = 121
	acctCloseAuthorityOff  = 129
)

// Byte offsets inside a Multisig.
const (
	msigMOff           = 0
	msigNOff           = 1
	msigInitializedOff = 2
	msigSignersOff     = 3
)

// ErrMalformedState is returned by the Decode functions when bytes are not a
// layout of the right length with valid tags. The program reports it to
// clients as InvalidAccountData.
var ErrMalformedState = fmt.Errorf("token: malformed account state: %w", sdk.ErrMalformed)

// COptionPubkey is Rust's COption<Pubkey>: Key is meaningful only when Some.
type COptionPubkey struct {
	Some bool
	Key  sdk.Pubkey
}

// SomePubkey returns COption::Some(k).
func SomePubkey(k sdk.Pubkey) COptionPubkey { return COptionPubkey{Some: true, Key: k} }

// COptionU64 is Rust's COption<u64>.
type COptionU64 struct {
	Some  bool
	Value uint64
}

// AccountState is byte 108 of a token account.
type AccountState uint8

// The account states; any other byte is malformed.
const (
	StateUninitialized AccountState = 0
	StateInitialized   AccountState = 1
	StateFrozen        AccountState = 2
)

// Mint is a token's definition.
type Mint struct {
	// MintAuthority may mint; None means the supply is fixed forever.
	MintAuthority   COptionPubkey
	Supply          uint64
	Decimals        uint8
	IsInitialized   bool
	FreezeAuthority COptionPubkey
}

// Account holds one owner's balance of one mint.
type Account struct {
	Mint   sdk.Pubkey
	Owner  sdk.Pubkey
	Amount uint64
	// Delegate may move up to DelegatedAmount on the owner's behalf.
	Delegate COptionPubkey
	State    AccountState
	// IsNative is Some(rent-exempt reserve) for wrapped SOL accounts, whose
	// Amount is lamports minus that reserve.
	IsNative        COptionU64
	DelegatedAmount uint64
	CloseAuthority  COptionPubkey
}

// Multisig is an m-of-n authority; only Signers[:N] are meaningful.
type Multisig struct {
	M, N          uint8
	IsInitialized bool
	Signers       [MaxSigners]sdk.Pubkey
}

// IsInitialized reports whether the account has been initialized (frozen
// accounts are initialized).
func (a *Account) IsInitialized() bool { return a.State != StateUninitialized }

// IsFrozen reports whether the freeze authority froze the account.
func (a *Account) IsFrozen() bool { return a.State == StateFrozen }

// IsNativeAccount reports whether the account holds wrapped SOL.
func (a *Account) IsNativeAccount() bool { return a.IsNative.Some }

// DecodeMint parses a Mint without requiring it to be initialized, as
// spl-token's unpack_unchecked does.
func DecodeMint(b []byte) (Mint, error) {
	var m Mint
	if len(b) != MintSize {
		return m, fmt.Errorf("mint of %d bytes: %w", len(b), ErrMalformedState)
	}
	var ok1, ok2, ok3 bool
	m.MintAuthority, ok1 = getOptionKey(b[mintAuthorityOff:])
	m.Supply = binary.LittleEndian.Uint64(b[mintSupplyOff:])
	m.Decimals = b[mintDecimalsOff]
	m.IsInitialized, ok2 = getBool(b[mintInitializedOff])
	m.FreezeAuthority, ok3 = getOptionKey(b[mintFreezeOff:])
	if !ok1 || !ok2 || !ok3 {
		return m, fmt.Errorf("mint tags: %w", ErrMalformedState)
	}
	return m, nil
}

// Encode returns the 82-byte layout.
func (m *Mint) Encode() []byte {
	b := make([]byte, MintSize)
	m.EncodeInto(b)
	return b
}

// EncodeInto writes m over dst (MintSize bytes) as spl-token's pack does: a
// None option writes only its tag and leaves the old value bytes in place.
func (m *Mint) EncodeInto(dst []byte) {
	_ = dst[MintSize-1]
	putOptionKey(dst[mintAuthorityOff:], m.MintAuthority)
	binary.LittleEndian.PutUint64(dst[mintSupplyOff:], m.Supply)
	dst[mintDecimalsOff] = m.Decimals
	dst[mintInitializedOff] = boolByte(m.IsInitialized)
	putOptionKey(dst[mintFreezeOff:], m.FreezeAuthority)
}

// DecodeAccount parses a token account without requiring it to be
// initialized, as spl-token's unpack_unchecked does.
func DecodeAccount(b []byte) (Account, error) {
	var a Account
	if err := checkAccountLayout(b); err != nil {
		return a, err
	}
	a.Mint = sdk.Pubkey(b[acctMintOff : acctMintOff+32])
	a.Owner = sdk.Pubkey(b[acctOwnerOff : acctOwnerOff+32])
	a.Amount = binary.LittleEndian.Uint64(b[acctAmountOff:])
	a.Delegate, _ = getOptionKey(b[acctDelegateOff:])
	a.State = AccountState(b[acctStateOff])
	a.IsNative, _ = getOptionU64(b[acctIsNativeOff:])
	a.DelegatedAmount = binary.LittleEndian.Uint64(b[acctDelegatedAmountOff:])
	a.CloseAuthority, _ = getOptionKey(b[acctCloseAuthorityOff:])
	return a, nil
}

// Encode returns the 165-byte layout.
func (a *Account) Encode() []byte {
	b := make([]byte, AccountSize)
	a.EncodeInto(b)
	return b
}

// EncodeInto writes a over dst (AccountSize bytes) with pack's rule for None.
func (a *Account) EncodeInto(dst []byte) {
	_ = dst[AccountSize-1]
	copy(dst[acctMintOff:], a.Mint[:])
	copy(dst[acctOwnerOff:], a.Owner[:])
	binary.LittleEndian.PutUint64(dst[acctAmountOff:], a.Amount)
	putOptionKey(dst[acctDelegateOff:], a.Delegate)
	dst[acctStateOff] = byte(a.State)
	putOptionU64(dst[acctIsNativeOff:], a.IsNative)
	binary.LittleEndian.PutUint64(dst[acctDelegatedAmountOff:], a.DelegatedAmount)
	putOptionKey(dst[acctCloseAuthorityOff:], a.CloseAuthority)
}

// DecodeMultisig parses a Multisig without requiring it to be initialized.
func DecodeMultisig(b []byte) (Multisig, error) {
	var m Multisig
	if len(b) != MultisigSize {
		return m, fmt.Errorf("multisig of %d bytes: %w", len(b), ErrMalformedState)
	}
	m.M, m.N = b[msigMOff], b[msigNOff]
	var ok bool
	if m.IsInitialized, ok = getBool(b[msigInitializedOff]); !ok {
		return m, fmt.Errorf("multisig is_initialized %d: %w", b[msigInitializedOff], ErrMalformedState)
	}
	for i := range m.Signers {
		off := msigSignersOff + 32*i
		m.Signers[i] = sdk.Pubkey(b[off : off+32])
	}
	return m, nil
}

// Encode returns the 355-byte layout.
func (m *Multisig) Encode() []byte {
	b := make([]byte, MultisigSize)
	m.EncodeInto(b)
	return b
}

// EncodeInto writes m over dst (MultisigSize bytes).
func (m *Multisig) EncodeInto(dst []byte) {
	_ = dst[MultisigSize-1]
	dst[msigMOff], dst[msigNOff] = m.M, m.N
	dst[msigInitializedOff] = boolByte(m.IsInitialized)
	for i := range m.Signers {
		copy(dst[msigSignersOff+32*i:], m.Signers[i][:])
	}
}

// checkAccountLayout applies the checks of Account::unpack_unchecked in
// place, without copying anything out, so Transfer can validate for free.
func checkAccountLayout(b []byte) error {
	if len(b) != AccountSize {
		return errAccountLength
	}
	if !validOptionTag(b[acctDelegateOff:]) || b[acctStateOff] > byte(StateFrozen) ||
		!validOptionTag(b[acctIsNativeOff:]) || !validOptionTag(b[acctCloseAuthorityOff:]) {
		return errAccountTags
	}
	return nil
}

var (
	errAccountLength = fmt.Errorf("account length: %w", ErrMalformedState)
	errAccountTags   = fmt.Errorf("account tags: %w", ErrMalformedState)
)

// validOptionTag reports whether b starts with a COption tag spl-token accepts.
func validOptionTag(b []byte) bool {
	return b[1] == 0 && b[2] == 0 && b[3] == 0 && b[0] <= 1
}

func getOptionKey(b []byte) (COptionPubkey, bool) {
	if !validOptionTag(b) {
		return COptionPubkey{}, false
	}
	if b[0] == 0 {
		return COptionPubkey{}, true
	}
	return COptionPubkey{Some: true, Key: sdk.Pubkey(b[4:36])}, true
}

func getOptionU64(b []byte) (COptionU64, bool) {
	if !validOptionTag(b) {
		return COptionU64{}, false
	}
	if b[0] == 0 {
		return COptionU64{}, true
	}
	return COptionU64{Some: true, Value: binary.LittleEndian.Uint64(b[4:])}, true
}

// putOptionKey writes o at b; None writes only the tag, as pack_coption_key does.
func putOptionKey(b []byte, o COptionPubkey) {
	if !o.Some {
		copy(b[:4], []byte{0, 0, 0, 0})
		return
	}
	copy(b[:4], []byte{1, 0, 0, 0})
	copy(b[4:36], o.Key[:])
}

func putOptionU64(b []byte, o COptionU64) {
	if !o.Some {
		copy(b[:4], []byte{0, 0, 0, 0})
		return
	}
	copy(b[:4], []byte{1, 0, 0, 0})
	binary.LittleEndian.PutUint64(b[4:12], o.Value)
}

func getBool(b byte) (bool, bool) {
	switch b {
	case 0:
		return false, true
	case 1:
		return true, true
	}
	return false, false
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}
