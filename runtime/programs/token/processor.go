package token

import (
	"bytes"
	"encoding/binary"

	"github.com/gnomon-chain/gnomon/runtime/invoke"
	"github.com/gnomon-chain/gnomon/sdk"
)

// Builtin is the program as the runtime registers it. LogsConsumed is set
// because Token is a BPF program on Solana, whose loader logs the
// "consumed N of M compute units" line clients and explorers expect.
var Builtin = &invoke.Builtin{Name: "spl_token", Execute: execute, LogsConsumed: true}

// IncineratorID is the address whose lamports are burned; token accounts
// owned by it or by the System program may be burned from or closed by
// anyone, since no one can sign for those owners.
var IncineratorID = sdk.MustPubkey("1nc1nerator11111111111111111111111111111111")

// accountDataSize is GetAccountDataSize's answer, a u64 as spl-token sets it.
var accountDataSize = binary.LittleEndian.AppendUint64(nil, AccountSize)

// Errors of Solana's ProgramError kinds that this program returns itself.
var (
	errInvalidAccountData       = invoke.Err(invoke.InvalidAccountData)
	errUninitializedAccount     = invoke.Err(invoke.UninitializedAccount)
	errIncorrectProgramID       = invoke.Err(invoke.IncorrectProgramID)
	errMissingRequiredSignature = invoke.Err(invoke.MissingRequiredSignature)
	errInvalidArgument          = invoke.Err(invoke.InvalidArgument)
	// errPanic stands for a Rust panic in the on-chain program (a slice out
	// of range), which the BPF loader reports as ProgramFailedToComplete.
	errPanic = invoke.Err(invoke.ProgramFailedToComplete)
)

// execute prints the error on failure, as the on-chain entrypoint does.
func execute(c *invoke.Context) error {
	if err := process(c); err != nil {
		logError(c, err)
		return err
	}
	return nil
}

// process decodes, logs, charges and dispatches, in the on-chain order:
// data that does not decode fails before any "Instruction:" line.
func process(c *invoke.Context) error {
	ix, err := DecodeInstruction(c.Data())
	if err != nil {
		if cerr := c.Consume(invalidInstructionUnits); cerr != nil {
			return cerr
		}
		return err
	}
	c.Log(instructionLogs[ix.Type])
	if err := c.Consume(computeUnits[ix.Type]); err != nil {
		return err
	}
	switch ix.Type {
	case Transfer:
		return transfer(c, ix.Amount, false, 0)
	case TransferChecked:
		return transfer(c, ix.Amount, true, ix.Decimals)
	case InitializeMint:
		return initializeMint(c, &ix, true)
	case InitializeMint2:
		return initializeMint(c, &ix, false)
	case InitializeAccount:
		return initializeAccount(c, nil, true)
	case InitializeAccount2:
		return initializeAccount(c, &ix.Owner, true)
	case InitializeAccount3:
		return initializeAccount(c, &ix.Owner, false)
	case InitializeMultisig:
		return initializeMultisig(c, ix.M, true)
	case InitializeMultisig2:
		return initializeMultisig(c, ix.M, false)
	case Approve:
		return approve(c, ix.Amount, false, 0)
	case ApproveChecked:
		return approve(c, ix.Amount, true, ix.Decimals)
	case Revoke:
		return revoke(c)
	case SetAuthority:
		return setAuthority(c, ix.AuthorityType, ix.NewAuthority)
	case MintTo:
		return mintTo(c, ix.Amount, false, 0)
	case MintToChecked:
		return mintTo(c, ix.Amount, true, ix.Decimals)
	case Burn:
		return burn(c, ix.Amount, false, 0)
	case BurnChecked:
		return burn(c, ix.Amount, true, ix.Decimals)
	case CloseAccount:
		return closeAccount(c)
	case FreezeAccount:
		return toggleFreeze(c, true)
	case ThawAccount:
		return toggleFreeze(c, false)
	case SyncNative:
		return syncNative(c)
	case GetAccountDataSize:
		return getAccountDataSize(c)
	case InitializeImmutableOwner:
		return initializeImmutableOwner(c)
	case AmountToUiAmount:
		return amountToUIAmount(c, ix.Amount)
	case UiAmountToAmount:
		return uiAmountToAmount(c, ix.UIAmount)
	}
	return ErrInvalidInstruction
}

// threeAccounts fetches accounts 0, 1 and 2, the shape MintTo, Burn,
// CloseAccount and Freeze/Thaw share; multisig signers follow from 3.
func threeAccounts(c *invoke.Context) (a, b, d *invoke.Account, err error) {
	if a, err = c.Account(0); err != nil {
		return nil, nil, nil, err
	}
	if b, err = c.Account(1); err != nil {
		return nil, nil, nil, err
	}
	if d, err = c.Account(2); err != nil {
		return nil, nil, nil, err
	}
	return a, b, d, nil
}

// checkedAccounts fetches the shape Transfer and Approve share with their
// Checked forms: source, the mint only when checked, target, authority.
// signers is the index of the first multisig signer.
func checkedAccounts(c *invoke.Context, checked bool) (src, mint, target, auth *invoke.Account, signers int, err error) {
	if src, err = c.Account(0); err != nil {
		return nil, nil, nil, nil, 0, err
	}
	next := 1
	if checked {
		if mint, err = c.Account(1); err != nil {
			return nil, nil, nil, nil, 0, err
		}
		next = 2
	}
	if target, err = c.Account(next); err != nil {
		return nil, nil, nil, nil, 0, err
	}
	if auth, err = c.Account(next + 1); err != nil {
		return nil, nil, nil, nil, 0, err
	}
	return src, mint, target, auth, next + 2, nil
}

// validateOwner is spl-token's owner check. The authority account must be
// the expected key; if it is a multisig of this program, at least m of its
// signers must be among the accounts from signersFrom on and have signed,
// otherwise the authority itself must have signed.
func validateOwner(c *invoke.Context, expected sdk.Pubkey, auth *invoke.Account, signersFrom int) error {
	if auth.Key() != expected {
		return ErrOwnerMismatch
	}
	md := auth.Data()
	if auth.Owner() != c.ProgramID() || len(md) != MultisigSize {
		if !auth.IsSigner() {
			return errMissingRequiredSignature
		}
		return nil
	}
	switch md[msigInitializedOff] {
	case 0:
		return errUninitializedAccount
	case 1:
	default:
		return errInvalidAccountData
	}
	m, n := md[msigMOff], int(md[msigNOff])
	if n > MaxSigners {
		// Only this program writes multisigs and it never writes n > 11;
		// the on-chain program would index past its signer slots and panic.
		return errPanic
	}
	var matched [MaxSigners]bool
	var count uint8
	for i := signersFrom; i < c.NumAccounts(); i++ {
		s, err := c.Account(i)
		if err != nil {
			return err
		}
		key := s.Key()
		for pos := 0; pos < n; pos++ {
			off := msigSignersOff + 32*pos
			if matched[pos] || !bytes.Equal(md[off:off+32], key[:]) {
				continue
			}
			if !s.IsSigner() {
				return errMissingRequiredSignature
			}
			matched[pos] = true
			count++
		}
	}
	if count < m {
		return errMissingRequiredSignature
	}
	return nil
}

// checkOwnedByProgram returns IncorrectProgramId unless every account is
// owned by the executing program, checking in order.
func checkOwnedByProgram(c *invoke.Context, accts ...*invoke.Account) error {
	for _, a := range accts {
		if a.Owner() != c.ProgramID() {
			return errIncorrectProgramID
		}
	}
	return nil
}

// checkRentSysvar is Rent::from_account_info's key check: any other account
// in the rent sysvar's place is InvalidArgument.
func checkRentSysvar(c *invoke.Context, i int) error {
	a, err := c.Account(i)
	if err != nil {
		return err
	}
	if a.Key() != sdk.SysvarRentID {
		return errInvalidArgument
	}
	return nil
}

// unpackAccount is Account::unpack: malformed is InvalidAccountData,
// uninitialized is UninitializedAccount.
func unpackAccount(b []byte) (Account, error) {
	a, err := unpackAccountUnchecked(b)
	if err != nil {
		return a, err
	}
	if !a.IsInitialized() {
		return a, errUninitializedAccount
	}
	return a, nil
}

func unpackAccountUnchecked(b []byte) (Account, error) {
	a, err := DecodeAccount(b)
	if err != nil {
		return a, errInvalidAccountData
	}
	return a, nil
}

func unpackMint(b []byte) (Mint, error) {
	m, err := unpackMintUnchecked(b)
	if err != nil {
		return m, err
	}
	if !m.IsInitialized {
		return m, errUninitializedAccount
	}
	return m, nil
}

func unpackMintUnchecked(b []byte) (Mint, error) {
	m, err := DecodeMint(b)
	if err != nil {
		return m, errInvalidAccountData
	}
	return m, nil
}

func unpackMultisigUnchecked(b []byte) (Multisig, error) {
	m, err := DecodeMultisig(b)
	if err != nil {
		return m, errInvalidAccountData
	}
	return m, nil
}

// storeAccount packs st over the account's data, writing only if a byte
// changes (Agave rejects a write to a read-only or foreign account only when
// the data actually differs). The data is AccountSize bytes: st was unpacked
// from it.
func storeAccount(a *invoke.Account, st *Account) error {
	var buf [AccountSize]byte
	copy(buf[:], a.Data())
	st.EncodeInto(buf[:])
	return storeBytes(a, buf[:])
}

func storeMint(a *invoke.Account, m *Mint) error {
	var buf [MintSize]byte
	copy(buf[:], a.Data())
	m.EncodeInto(buf[:])
	return storeBytes(a, buf[:])
}

func storeMultisig(a *invoke.Account, m *Multisig) error {
	var buf [MultisigSize]byte
	copy(buf[:], a.Data())
	m.EncodeInto(buf[:])
	return storeBytes(a, buf[:])
}

func storeBytes(a *invoke.Account, b []byte) error {
	if bytes.Equal(a.Data(), b) {
		return nil
	}
	d, err := a.DataMut()
	if err != nil {
		return err
	}
	copy(d, b)
	return nil
}

// setLamports changes a balance only if it differs, for the same reason as
// storeBytes.
func setLamports(a *invoke.Account, v uint64) error {
	if a.Lamports() == v {
		return nil
	}
	return a.SetLamports(v)
}
