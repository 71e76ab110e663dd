package system

import (
	"crypto/sha256"
	"encoding/binary"
	"unicode/utf8"

	"github.com/gnomon-chain/gnomon/runtime/invoke"
	"github.com/gnomon-chain/gnomon/sdk"
)

// ID is the System program's address.
var ID = sdk.SystemProgramID

// Instruction tags, a u32 at the start of the data.
const (
	TagCreateAccount uint32 = iota
	TagAssign
	TagTransfer
	TagCreateAccountWithSeed
	TagAdvanceNonceAccount
	TagWithdrawNonceAccount
	TagInitializeNonceAccount
	TagAuthorizeNonceAccount
	TagAllocate
	TagAllocateWithSeed
	TagAssignWithSeed
	TagTransferWithSeed
	TagUpgradeNonceAccount
)

// SystemError codes (Custom errors).
const (
	ErrAccountAlreadyInUse uint32 = iota
	ErrResultWithNegativeLamports
	// ErrInvalidProgramID is defined by Solana but returned by no current
	// System program instruction; it is kept for the numbering.
	ErrInvalidProgramID
	ErrInvalidAccountDataLength
	ErrMaxSeedLengthExceeded
	ErrAddressWithSeedMismatch
	ErrNonceNoRecentBlockhashes
	ErrNonceBlockhashNotExpired
	// ErrNonceUnexpectedBlockhashValue is defined by Solana but returned by
	// no current System program instruction (a transaction whose nonce does
	// not match is refused by the bank as BlockhashNotFound).
	ErrNonceUnexpectedBlockhashValue
)

// ComputeUnits is the fixed cost of every System instruction.
const ComputeUnits = 150

// Builtin is the program as the runtime registers it.
var Builtin = &invoke.Builtin{Name: "system_program", Execute: execute}

// instruction is a decoded System instruction.
type instruction struct {
	tag            uint32
	lamports, size uint64
	owner, base    sdk.Pubkey
	seed           []byte
	fromOwner      sdk.Pubkey
}

// decoder reads bincode fields; any shortfall is InvalidInstructionData.
type decoder struct {
	b  []byte
	ok bool
}

func (d *decoder) u32() uint32 {
	if len(d.b) < 4 {
		d.ok = false
		return 0
	}
	v := binary.LittleEndian.Uint32(d.b)
	d.b = d.b[4:]
	return v
}

func (d *decoder) u64() uint64 {
	if len(d.b) < 8 {
		d.ok = false
		return 0
	}
	v := binary.LittleEndian.Uint64(d.b)
	d.b = d.b[8:]
	return v
}

func (d *decoder) key() (p sdk.Pubkey) {
	if len(d.b) < 32 {
		d.ok = false
		return p
	}
	copy(p[:], d.b)
	d.b = d.b[32:]
	return p
}

// str reads a bincode String: u64 length and UTF-8 bytes.
func (d *decoder) str() []byte {
	n := d.u64()
	if !d.ok || n > uint64(len(d.b)) {
		d.ok = false
		return nil
	}
	s := d.b[:n]
	d.b = d.b[n:]
	if !utf8.Valid(s) {
		d.ok = false
	}
	return s
}

// Instruction is a decoded System instruction; only the fields its Tag uses
// are set.
type Instruction struct {
	Tag      uint32
	Lamports uint64 // CreateAccount(WithSeed), Transfer(WithSeed), WithdrawNonceAccount
	Space    uint64 // CreateAccount(WithSeed), Allocate(WithSeed)
	// Owner is the new owner for the create, assign and allocate forms, and
	// the nonce authority for InitializeNonceAccount and AuthorizeNonceAccount.
	Owner     sdk.Pubkey
	Base      sdk.Pubkey // the *WithSeed forms but TransferWithSeed
	Seed      string     // the *WithSeed forms
	FromOwner sdk.Pubkey // TransferWithSeed
}

// DecodeInstruction parses instruction data as the program does, for readers
// outside it (RPC's jsonParsed); any error is InvalidInstructionData.
func DecodeInstruction(data []byte) (Instruction, error) {
	ix, err := decodeInstruction(data)
	if err != nil {
		return Instruction{}, err
	}
	return Instruction{
		Tag: ix.tag, Lamports: ix.lamports, Space: ix.size, Owner: ix.owner,
		Base: ix.base, Seed: string(ix.seed), FromOwner: ix.fromOwner,
	}, nil
}

// decodeInstruction parses instruction data. Trailing bytes are allowed, as
// bincode's default in Agave allows them.
func decodeInstruction(data []byte) (instruction, error) {
	d := decoder{b: data, ok: true}
	ix := instruction{tag: d.u32()}
	switch ix.tag {
	case TagCreateAccount:
		ix.lamports, ix.size, ix.owner = d.u64(), d.u64(), d.key()
	case TagAssign:
		ix.owner = d.key()
	case TagTransfer, TagWithdrawNonceAccount:
		ix.lamports = d.u64()
	case TagCreateAccountWithSeed:
		ix.base, ix.seed = d.key(), d.str()
		ix.lamports, ix.size, ix.owner = d.u64(), d.u64(), d.key()
	case TagAdvanceNonceAccount, TagUpgradeNonceAccount:
	case TagInitializeNonceAccount, TagAuthorizeNonceAccount:
		ix.owner = d.key() // the nonce authority
	case TagAllocate:
		ix.size = d.u64()
	case TagAllocateWithSeed:
		ix.base, ix.seed = d.key(), d.str()
		ix.size, ix.owner = d.u64(), d.key()
	case TagAssignWithSeed:
		ix.base, ix.seed, ix.owner = d.key(), d.str(), d.key()
	case TagTransferWithSeed:
		ix.lamports, ix.seed, ix.fromOwner = d.u64(), d.str(), d.key()
	default:
		d.ok = false
	}
	if !d.ok {
		return instruction{}, invoke.Err(invoke.InvalidInstructionData)
	}
	return ix, nil
}

// CreateWithSeed derives sha256(base ‖ seed ‖ owner), Solana's address with
// seed. Seeds are at most 32 bytes, and the owner may not look like a
// program-derived address marker, or the derivation could collide with one.
func CreateWithSeed(base sdk.Pubkey, seed []byte, owner sdk.Pubkey) (sdk.Pubkey, error) {
	if len(seed) > sdk.MaxSeedLen {
		return sdk.Pubkey{}, invoke.CustomErr(ErrMaxSeedLengthExceeded)
	}
	const marker = "ProgramDerivedAddress"
	if string(owner[32-len(marker):]) == marker {
		return sdk.Pubkey{}, invoke.Err(invoke.IllegalOwner)
	}
	h := sha256.New()
	h.Write(base[:])
	h.Write(seed)
	h.Write(owner[:])
	var p sdk.Pubkey
	h.Sum(p[:0])
	return p, nil
}

func execute(c *invoke.Context) error {
	if err := c.Consume(ComputeUnits); err != nil {
		return err
	}
	ix, err := decodeInstruction(c.Data())
	if err != nil {
		return err
	}
	switch ix.tag {
	case TagTransfer:
		return transfer(c, ix.lamports)
	case TagCreateAccount, TagCreateAccountWithSeed:
		return createAccount(c, ix)
	case TagAssign, TagAssignWithSeed:
		acct, err := c.Account(0)
		if err != nil {
			return err
		}
		signer, err := signerFor(c, acct.Key(), ix)
		if err != nil {
			return err
		}
		return assign(c, acct, ix.owner, signer)
	case TagAllocate, TagAllocateWithSeed:
		acct, err := c.Account(0)
		if err != nil {
			return err
		}
		signer, err := signerFor(c, acct.Key(), ix)
		if err != nil {
			return err
		}
		if err := allocate(c, acct, ix.size, signer); err != nil {
			return err
		}
		if ix.tag == TagAllocateWithSeed {
			return assign(c, acct, ix.owner, signer)
		}
		return nil
	case TagTransferWithSeed:
		return transferWithSeed(c, ix)
	default:
		return executeNonce(c, ix)
	}
}

// signerFor returns the key whose signature authorizes changing address: the
// address itself, or for the with-seed forms the base, after checking that the
// address really derives from base, seed and owner.
func signerFor(c *invoke.Context, address sdk.Pubkey, ix instruction) (sdk.Pubkey, error) {
	switch ix.tag {
	case TagCreateAccountWithSeed, TagAllocateWithSeed, TagAssignWithSeed:
	default:
		return address, nil
	}
	derived, err := CreateWithSeed(ix.base, ix.seed, ix.owner)
	if err != nil {
		return sdk.Pubkey{}, err
	}
	if derived != address {
		c.Logf("Create: address %s does not match derived address %s", address, derived)
		return sdk.Pubkey{}, invoke.CustomErr(ErrAddressWithSeedMismatch)
	}
	return ix.base, nil
}

func createAccount(c *invoke.Context, ix instruction) error {
	if c.NumAccounts() < 2 {
		return invoke.Err(invoke.NotEnoughAccountKeys)
	}
	to, _ := c.Account(1)
	signer, err := signerFor(c, to.Key(), ix)
	if err != nil {
		return err
	}
	if to.Lamports() > 0 {
		c.Logf("Create Account: account Address { address: %s, base: %s } already in use", to.Key(), baseString(ix))
		return invoke.CustomErr(ErrAccountAlreadyInUse)
	}
	if err := allocate(c, to, ix.size, signer); err != nil {
		return err
	}
	if err := assign(c, to, ix.owner, signer); err != nil {
		return err
	}
	return transfer(c, ix.lamports)
}

func baseString(ix instruction) string {
	if ix.tag == TagCreateAccountWithSeed {
		return "Some(" + ix.base.String() + ")"
	}
	return "None"
}

func allocate(c *invoke.Context, acct *invoke.Account, size uint64, signer sdk.Pubkey) error {
	if !c.IsSignerKey(signer) {
		c.Logf("Allocate: 'to' account %s must sign", acct.Key())
		return invoke.Err(invoke.MissingRequiredSignature)
	}
	if len(acct.Data()) != 0 || acct.Owner() != ID {
		c.Logf("Allocate: account %s already in use", acct.Key())
		return invoke.CustomErr(ErrAccountAlreadyInUse)
	}
	if size > sdk.MaxAccountDataLen {
		c.Logf("Allocate: requested %d, max allowed %d", size, sdk.MaxAccountDataLen)
		return invoke.CustomErr(ErrInvalidAccountDataLength)
	}
	return acct.SetDataLen(int(size))
}

func assign(c *invoke.Context, acct *invoke.Account, owner, signer sdk.Pubkey) error {
	if acct.Owner() == owner {
		return nil
	}
	if !c.IsSignerKey(signer) {
		c.Logf("Assign: account %s must sign", acct.Key())
		return invoke.Err(invoke.MissingRequiredSignature)
	}
	return acct.SetOwner(owner)
}

// transfer moves lamports from account 0, which must sign, to account 1.
func transfer(c *invoke.Context, lamports uint64) error {
	if c.NumAccounts() < 2 {
		return invoke.Err(invoke.NotEnoughAccountKeys)
	}
	from, _ := c.Account(0)
	if !from.IsSigner() {
		c.Logf("Transfer: `from` account %s must sign", from.Key())
		return invoke.Err(invoke.MissingRequiredSignature)
	}
	return transferVerified(c, from, lamports)
}

func transferVerified(c *invoke.Context, from *invoke.Account, lamports uint64) error {
	to, _ := c.Account(1)
	if len(from.Data()) != 0 {
		c.Log("Transfer: `from` must not carry data")
		return invoke.Err(invoke.InvalidArgument)
	}
	if lamports > from.Lamports() {
		c.Logf("Transfer: insufficient lamports %d, need %d", from.Lamports(), lamports)
		return invoke.CustomErr(ErrResultWithNegativeLamports)
	}
	if err := from.SubLamports(lamports); err != nil {
		return err
	}
	return to.AddLamports(lamports)
}

// transferWithSeed moves lamports out of an address derived from account 2
// (the base, which signs), the seed and the owner.
func transferWithSeed(c *invoke.Context, ix instruction) error {
	if c.NumAccounts() < 3 {
		return invoke.Err(invoke.NotEnoughAccountKeys)
	}
	base, _ := c.Account(2)
	if !base.IsSigner() {
		c.Logf("Transfer: `from` account %s must sign", base.Key())
		return invoke.Err(invoke.MissingRequiredSignature)
	}
	derived, err := CreateWithSeed(base.Key(), ix.seed, ix.fromOwner)
	if err != nil {
		return err
	}
	from, _ := c.Account(0)
	if derived != from.Key() {
		c.Logf("Transfer: 'from' address %s does not match derived address %s", from.Key(), derived)
		return invoke.CustomErr(ErrAddressWithSeedMismatch)
	}
	return transferVerified(c, from, ix.lamports)
}

// Instruction data builders, for clients, tests and benchmarks.

// TransferData encodes Transfer{lamports}.
func TransferData(lamports uint64) []byte {
	b := binary.LittleEndian.AppendUint32(nil, TagTransfer)
	return binary.LittleEndian.AppendUint64(b, lamports)
}

// CreateAccountData encodes CreateAccount{lamports, space, owner}.
func CreateAccountData(lamports, space uint64, owner sdk.Pubkey) []byte {
	b := binary.LittleEndian.AppendUint32(nil, TagCreateAccount)
	b = binary.LittleEndian.AppendUint64(b, lamports)
	b = binary.LittleEndian.AppendUint64(b, space)
	return append(b, owner[:]...)
}

// AssignData encodes Assign{owner}.
func AssignData(owner sdk.Pubkey) []byte {
	return append(binary.LittleEndian.AppendUint32(nil, TagAssign), owner[:]...)
}

// AllocateData encodes Allocate{space}.
func AllocateData(space uint64) []byte {
	return binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint32(nil, TagAllocate), space)
}

func appendSeed(b []byte, seed string) []byte {
	b = binary.LittleEndian.AppendUint64(b, uint64(len(seed)))
	return append(b, seed...)
}

// CreateAccountWithSeedData encodes CreateAccountWithSeed.
func CreateAccountWithSeedData(base sdk.Pubkey, seed string, lamports, space uint64, owner sdk.Pubkey) []byte {
	b := append(binary.LittleEndian.AppendUint32(nil, TagCreateAccountWithSeed), base[:]...)
	b = appendSeed(b, seed)
	b = binary.LittleEndian.AppendUint64(b, lamports)
	b = binary.LittleEndian.AppendUint64(b, space)
	return append(b, owner[:]...)
}

// AllocateWithSeedData encodes AllocateWithSeed.
func AllocateWithSeedData(base sdk.Pubkey, seed string, space uint64, owner sdk.Pubkey) []byte {
	b := append(binary.LittleEndian.AppendUint32(nil, TagAllocateWithSeed), base[:]...)
	b = appendSeed(b, seed)
	b = binary.LittleEndian.AppendUint64(b, space)
	return append(b, owner[:]...)
}

// AssignWithSeedData encodes AssignWithSeed.
func AssignWithSeedData(base sdk.Pubkey, seed string, owner sdk.Pubkey) []byte {
	b := append(binary.LittleEndian.AppendUint32(nil, TagAssignWithSeed), base[:]...)
	b = appendSeed(b, seed)
	return append(b, owner[:]...)
}

// TransferWithSeedData encodes TransferWithSeed.
func TransferWithSeedData(lamports uint64, seed string, fromOwner sdk.Pubkey) []byte {
	b := binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint32(nil, TagTransferWithSeed), lamports)
	b = appendSeed(b, seed)
	return append(b, fromOwner[:]...)
}

// AdvanceNonceData, WithdrawNonceData, InitializeNonceData,
// AuthorizeNonceData and UpgradeNonceData encode the nonce instructions.
func AdvanceNonceData() []byte { return binary.LittleEndian.AppendUint32(nil, TagAdvanceNonceAccount) }

// WithdrawNonceData encodes WithdrawNonceAccount{lamports}.
func WithdrawNonceData(lamports uint64) []byte {
	return binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint32(nil, TagWithdrawNonceAccount), lamports)
}

// InitializeNonceData encodes InitializeNonceAccount{authority}.
func InitializeNonceData(authority sdk.Pubkey) []byte {
	return append(binary.LittleEndian.AppendUint32(nil, TagInitializeNonceAccount), authority[:]...)
}

// AuthorizeNonceData encodes AuthorizeNonceAccount{new authority}.
func AuthorizeNonceData(authority sdk.Pubkey) []byte {
	return append(binary.LittleEndian.AppendUint32(nil, TagAuthorizeNonceAccount), authority[:]...)
}

// UpgradeNonceData encodes UpgradeNonceAccount.
func UpgradeNonceData() []byte { return binary.LittleEndian.AppendUint32(nil, TagUpgradeNonceAccount) }
