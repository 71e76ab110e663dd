package ata

import (
	"encoding/binary"

	"github.com/gnomon-chain/gnomon/runtime/invoke"
	"github.com/gnomon-chain/gnomon/runtime/programs/token"
	"github.com/gnomon-chain/gnomon/sdk"
)

// ID is the Associated Token Account program's address.
var ID = sdk.AssociatedTokenID

// Builtin is the program as the runtime registers it; it is a BPF program on
// Solana, so the executor logs its compute consumption.
var Builtin = &invoke.Builtin{Name: "spl_associated_token_account", Execute: execute, LogsConsumed: true}

// Instruction tags (a Borsh enum; empty data is Create too).
const (
	TagCreate           byte = 0
	TagCreateIdempotent byte = 1
	TagRecoverNested    byte = 2
)

// CodeInvalidOwner is AssociatedTokenAccountError::InvalidOwner, Custom(0):
// the account at the address belongs to another wallet.
const CodeInvalidOwner uint32 = 0

// ErrInvalidOwner is CodeInvalidOwner as an instruction error.
var ErrInvalidOwner = invoke.CustomErr(CodeInvalidOwner)

// Compute costs. The on-chain program's own work (outside the programs it
// calls) is dominated by the address search and the CPIs: Agave charges
// 1,500 units per bump tried by find_program_address and 1,000 per
// invocation; the rest is entrypoint, Borsh and logging. A typical Create
// then totals about 20,000 units with its callees, as on mainnet.
const (
	baseUnits          = 3_000
	unitsPerBumpTried  = 1_500
	unitsPerInvocation = 1_000
	createUnits        = 4_000
)

// immutableOwnerExtension is ExtensionType::ImmutableOwner, which the
// program passes to GetAccountDataSize; Token v3 ignores it.
const immutableOwnerExtension = 7

// Address is the associated token account of wallet for mint under the
// Token program. Every seed is 32 bytes, so derivation cannot fail except
// when no bump yields an off-curve address, which has probability 2^-255;
// then the zero key is returned, which no one can create.
func Address(wallet, mint sdk.Pubkey) sdk.Pubkey {
	a, _, err := AddressWithProgram(wallet, token.ID, mint)
	if err != nil {
		return sdk.Pubkey{}
	}
	return a
}

// AddressWithProgram derives the associated address for any token program
// and returns its bump seed.
func AddressWithProgram(wallet, tokenProgram, mint sdk.Pubkey) (sdk.Pubkey, uint8, error) {
	return sdk.FindProgramAddress([][]byte{wallet[:], tokenProgram[:], mint[:]}, ID)
}

// CreateData is Create's data. Accounts: payer (s, w), associated account
// (w), wallet, mint, System program, Token program.
func CreateData() []byte { return []byte{TagCreate} }

// CreateIdempotentData is CreateIdempotent's data; accounts as Create.
func CreateIdempotentData() []byte { return []byte{TagCreateIdempotent} }

// RecoverNestedData is RecoverNested's data. Accounts: nested account (w),
// nested mint, destination account (w), owner account, owner mint, wallet
// (s, w), Token program.
func RecoverNestedData() []byte { return []byte{TagRecoverNested} }

var (
	errInvalidSeeds         = invoke.Err(invoke.InvalidSeeds)
	errIllegalOwner         = invoke.Err(invoke.IllegalOwner)
	errInvalidAccountData   = invoke.Err(invoke.InvalidAccountData)
	errMissingSignature     = invoke.Err(invoke.MissingRequiredSignature)
	errInvalidInstruction   = invoke.Err(invoke.InvalidInstructionData)
	errUninitializedAccount = invoke.Err(invoke.UninitializedAccount)
)

// DecodeInstruction returns the instruction's tag. Empty data is Create,
// which predates the tag byte; otherwise Borsh reads exactly one tag byte, so
// anything else, trailing bytes included, is InvalidInstructionData.
func DecodeInstruction(data []byte) (byte, error) {
	if len(data) == 0 {
		return TagCreate, nil
	}
	if len(data) != 1 || data[0] > TagRecoverNested {
		return 0, errInvalidInstruction
	}
	return data[0], nil
}

func execute(c *invoke.Context) error {
	if err := c.Consume(baseUnits); err != nil {
		return err
	}
	tag, err := DecodeInstruction(c.Data())
	if err != nil {
		return err
	}
	switch tag {
	case TagCreate:
		c.Log("Create")
		return create(c, false)
	case TagCreateIdempotent:
		c.Log("CreateIdempotent")
		return create(c, true)
	default:
		c.Log("RecoverNested")
		return recoverNested(c)
	}
}

// derive finds the associated address, charging for each bump tried.
func derive(c *invoke.Context, wallet, tokenProgram, mint sdk.Pubkey) (sdk.Pubkey, uint8, error) {
	addr, bump, err := AddressWithProgram(wallet, tokenProgram, mint)
	if err != nil {
		return addr, 0, errInvalidSeeds
	}
	if err := c.Consume(unitsPerBumpTried * uint64(256-int(bump))); err != nil {
		return addr, 0, err
	}
	return addr, bump, nil
}

func create(c *invoke.Context, idempotent bool) error {
	var accts [6]*invoke.Account
	for i := range accts {
		a, err := c.Account(i)
		if err != nil {
			return err
		}
		accts[i] = a
	}
	payer, assoc, wallet, mint, tokenProgram := accts[0], accts[1], accts[2], accts[3], accts[5]
	tokenID := tokenProgram.Key()

	addr, bump, err := derive(c, wallet.Key(), tokenID, mint.Key())
	if err != nil {
		return err
	}
	if addr != assoc.Key() {
		c.Log("Error: Associated address does not match seed derivation")
		return errInvalidSeeds
	}
	if idempotent && assoc.Owner() == tokenID {
		if st, ok := unpackTokenAccount(assoc.Data()); ok {
			if st.Owner != wallet.Key() {
				c.Log("Associated token account owner does not match address derivation")
				return ErrInvalidOwner
			}
			if st.Mint != mint.Key() {
				return errInvalidAccountData
			}
			return nil
		}
	}
	if assoc.Owner() != sdk.SystemProgramID {
		return errIllegalOwner
	}
	if err := c.Consume(createUnits); err != nil {
		return err
	}

	walletKey, mintKey := wallet.Key(), mint.Key()
	seeds := [][]byte{walletKey[:], tokenID[:], mintKey[:], {bump}}
	space, err := accountLen(c, mintKey, tokenID)
	if err != nil {
		return err
	}
	if err := createPDA(c, payer.Key(), assoc, space, tokenID, seeds); err != nil {
		return err
	}
	c.Log("Initialize the associated token account")
	if err := invokeProgram(c, sdk.Instruction{ProgramID: tokenID,
		Accounts: []sdk.AccountMeta{{Pubkey: assoc.Key(), IsWritable: true}},
		Data:     token.InitializeImmutableOwnerData()}); err != nil {
		return err
	}
	return invokeProgram(c, sdk.Instruction{ProgramID: tokenID,
		Accounts: []sdk.AccountMeta{{Pubkey: assoc.Key(), IsWritable: true}, {Pubkey: mintKey}},
		Data:     token.InitializeAccount3Data(walletKey)})
}

// accountLen asks the token program how large the account must be, as
// get_account_len does: it invokes GetAccountDataSize (which also proves the
// mint valid) and reads the u64 the callee returned; a callee that returns
// nothing, or not 8 bytes, is refused with InvalidInstructionData.
func accountLen(c *invoke.Context, mint, tokenProgram sdk.Pubkey) (int, error) {
	data := binary.LittleEndian.AppendUint16(token.GetAccountDataSizeData(), immutableOwnerExtension)
	if err := invokeProgram(c, sdk.Instruction{ProgramID: tokenProgram,
		Accounts: []sdk.AccountMeta{{Pubkey: mint}}, Data: data}); err != nil {
		return 0, err
	}
	from, ret := c.ReturnData()
	if from != tokenProgram || len(ret) != 8 {
		return 0, errInvalidInstruction
	}
	n := binary.LittleEndian.Uint64(ret)
	if n > sdk.MaxAccountDataLen {
		return 0, errInvalidInstruction
	}
	return int(n), nil
}

// createPDA is create_pda_account: a fresh address is created in one
// CreateAccount; an address someone already sent lamports to (which
// CreateAccount would refuse) is topped up to the rent-exempt minimum, then
// allocated and assigned, each signed with the address's seeds.
func createPDA(c *invoke.Context, payer sdk.Pubkey, assoc *invoke.Account, space int, owner sdk.Pubkey, seeds [][]byte) error {
	rent := max(c.Env().Rent.MinimumBalance(space), 1)
	addr := assoc.Key()
	if assoc.Lamports() > 0 {
		if need := rent - min(rent, assoc.Lamports()); need > 0 {
			if err := invokeProgram(c, sdk.Instruction{ProgramID: sdk.SystemProgramID,
				Accounts: []sdk.AccountMeta{{Pubkey: payer, IsSigner: true, IsWritable: true},
					{Pubkey: addr, IsWritable: true}},
				Data: systemData(systemTransfer, binary.LittleEndian.AppendUint64(nil, need))}); err != nil {
				return err
			}
		}
		signed := []sdk.AccountMeta{{Pubkey: addr, IsSigner: true, IsWritable: true}}
		if err := invokeProgram(c, sdk.Instruction{ProgramID: sdk.SystemProgramID, Accounts: signed,
			Data: systemData(systemAllocate, binary.LittleEndian.AppendUint64(nil, uint64(space)))}, seeds); err != nil {
			return err
		}
		return invokeProgram(c, sdk.Instruction{ProgramID: sdk.SystemProgramID, Accounts: signed,
			Data: systemData(systemAssign, owner[:])}, seeds)
	}
	fields := binary.LittleEndian.AppendUint64(nil, rent)
	fields = binary.LittleEndian.AppendUint64(fields, uint64(space))
	return invokeProgram(c, sdk.Instruction{ProgramID: sdk.SystemProgramID,
		Accounts: []sdk.AccountMeta{{Pubkey: payer, IsSigner: true, IsWritable: true},
			{Pubkey: addr, IsSigner: true, IsWritable: true}},
		Data: systemData(systemCreateAccount, append(fields, owner[:]...))}, seeds)
}

// System instruction tags (u32), as PROGRAMS.md lists them.
const (
	systemCreateAccount uint32 = 0
	systemAssign        uint32 = 1
	systemTransfer      uint32 = 2
	systemAllocate      uint32 = 8
)

func systemData(tag uint32, fields []byte) []byte {
	return append(binary.LittleEndian.AppendUint32(nil, tag), fields...)
}

// invokeProgram charges the invocation's base cost, then invokes.
func invokeProgram(c *invoke.Context, ix sdk.Instruction, signerSeeds ...[][]byte) error {
	if err := c.Consume(unitsPerInvocation); err != nil {
		return err
	}
	return c.Invoke(ix, signerSeeds...)
}

// recoverNested moves every token out of an associated account owned by
// another associated account of the same wallet, into the wallet's own
// associated account for that mint, and closes it; only the wallet may.
func recoverNested(c *invoke.Context) error {
	var accts [7]*invoke.Account
	for i := range accts {
		a, err := c.Account(i)
		if err != nil {
			return err
		}
		accts[i] = a
	}
	nested, nestedMint, dest, ownerATA, ownerMint, wallet, tokenProgram :=
		accts[0], accts[1], accts[2], accts[3], accts[4], accts[5], accts[6]
	tokenID := tokenProgram.Key()

	ownerAddr, bump, err := derive(c, wallet.Key(), tokenID, ownerMint.Key())
	if err != nil {
		return err
	}
	if ownerAddr != ownerATA.Key() {
		c.Log("Error: Owner associated address does not match seed derivation")
		return errInvalidSeeds
	}
	nestedAddr, _, err := derive(c, ownerATA.Key(), tokenID, nestedMint.Key())
	if err != nil {
		return err
	}
	if nestedAddr != nested.Key() {
		c.Log("Error: Nested associated address does not match seed derivation")
		return errInvalidSeeds
	}
	destAddr, _, err := derive(c, wallet.Key(), tokenID, nestedMint.Key())
	if err != nil {
		return err
	}
	if destAddr != dest.Key() {
		c.Log("Error: Destination associated address does not match seed derivation")
		return errInvalidSeeds
	}
	if !wallet.IsSigner() {
		c.Log("Wallet of the owner associated token account must sign")
		return errMissingSignature
	}
	if ownerMint.Owner() != tokenID {
		c.Log("Owner mint not owned by provided token program")
		return errIllegalOwner
	}
	if ownerATA.Owner() != tokenID {
		c.Log("Owner associated token account not owned by provided token program, recreate the owner associated token account first")
		return errIllegalOwner
	}
	ownerState, err := unpackTokenAccountErr(ownerATA.Data())
	if err != nil {
		return err
	}
	if ownerState.Owner != wallet.Key() {
		c.Log("Owner associated token account not owned by provided wallet")
		return ErrInvalidOwner
	}
	if nested.Owner() != tokenID {
		c.Log("Nested associated token account not owned by provided token program")
		return errIllegalOwner
	}
	nestedState, err := unpackTokenAccountErr(nested.Data())
	if err != nil {
		return err
	}
	if nestedState.Owner != ownerATA.Key() {
		c.Log("Nested associated token account not owned by provided associated token account")
		return ErrInvalidOwner
	}
	if nestedMint.Owner() != tokenID {
		c.Log("Nested mint account not owned by provided token program")
		return errIllegalOwner
	}
	mintState, err := unpackMintErr(nestedMint.Data())
	if err != nil {
		return err
	}

	walletKey, ownerMintKey := wallet.Key(), ownerMint.Key()
	seeds := [][]byte{walletKey[:], tokenID[:], ownerMintKey[:], {bump}}
	if err := invokeProgram(c, sdk.Instruction{ProgramID: tokenID,
		Accounts: []sdk.AccountMeta{{Pubkey: nested.Key(), IsWritable: true}, {Pubkey: nestedMint.Key()},
			{Pubkey: dest.Key(), IsWritable: true}, {Pubkey: ownerATA.Key(), IsSigner: true}},
		Data: token.TransferCheckedData(nestedState.Amount, mintState.Decimals)}, seeds); err != nil {
		return err
	}
	return invokeProgram(c, sdk.Instruction{ProgramID: tokenID,
		Accounts: []sdk.AccountMeta{{Pubkey: nested.Key(), IsWritable: true},
			{Pubkey: walletKey, IsWritable: true}, {Pubkey: ownerATA.Key(), IsSigner: true}},
		Data: token.CloseAccountData()}, seeds)
}

// unpackTokenAccount is StateWithExtensions::<Account>::unpack for the
// layouts Token v3 writes: exactly AccountSize bytes, well formed and
// initialized. (Token-2022 accounts with extensions are longer; Gnomon does
// not run Token-2022.)
func unpackTokenAccount(b []byte) (token.Account, bool) {
	st, err := unpackTokenAccountErr(b)
	return st, err == nil
}

func unpackTokenAccountErr(b []byte) (token.Account, error) {
	st, err := token.DecodeAccount(b)
	if err != nil {
		return st, errInvalidAccountData
	}
	if !st.IsInitialized() {
		return st, errUninitializedAccount
	}
	return st, nil
}

func unpackMintErr(b []byte) (token.Mint, error) {
	m, err := token.DecodeMint(b)
	if err != nil {
		return m, errInvalidAccountData
	}
	if !m.IsInitialized {
		return m, errUninitializedAccount
	}
	return m, nil
}
