package token

import "github.com/gnomon-chain/gnomon/runtime/invoke"

// TokenError codes, returned as Custom(code). The numbers are spl-token's;
// clients decode them by number.
const (
	CodeNotRentExempt uint32 = iota
	CodeInsufficientFunds
	CodeInvalidMint
	CodeMintMismatch
	CodeOwnerMismatch
	CodeFixedSupply
	CodeAlreadyInUse
	CodeInvalidNumberOfProvidedSigners
	CodeInvalidNumberOfRequiredSigners
	// CodeUninitializedState is defined by spl-token but returned by no
	// instruction of the 3.5 processor: an uninitialized account or mint is
	// reported by Pack::unpack as ProgramError::UninitializedAccount, and
	// multisigs likewise. It is kept for the numbering and is unreachable here
	// too.
	CodeUninitializedState
	CodeNativeNotSupported
	CodeNonNativeHasBalance
	CodeInvalidInstruction
	CodeInvalidState
	CodeOverflow
	CodeAuthorityTypeNotSupported
	CodeMintCannotFreeze
	CodeAccountFrozen
	CodeMintDecimalsMismatch
	CodeNonNativeNotSupported
	numCodes
)

// The TokenErrors as instruction errors, allocated once so failing paths
// allocate nothing; compare with errors.Is.
var (
	ErrNotRentExempt                  = invoke.CustomErr(CodeNotRentExempt)
	ErrInsufficientFunds              = invoke.CustomErr(CodeInsufficientFunds)
	ErrInvalidMint                    = invoke.CustomErr(CodeInvalidMint)
	ErrMintMismatch                   = invoke.CustomErr(CodeMintMismatch)
	ErrOwnerMismatch                  = invoke.CustomErr(CodeOwnerMismatch)
	ErrFixedSupply                    = invoke.CustomErr(CodeFixedSupply)
	ErrAlreadyInUse                   = invoke.CustomErr(CodeAlreadyInUse)
	ErrInvalidNumberOfProvidedSigners = invoke.CustomErr(CodeInvalidNumberOfProvidedSigners)
	ErrInvalidNumberOfRequiredSigners = invoke.CustomErr(CodeInvalidNumberOfRequiredSigners)
	ErrUninitializedState             = invoke.CustomErr(CodeUninitializedState)
	ErrNativeNotSupported             = invoke.CustomErr(CodeNativeNotSupported)
	ErrNonNativeHasBalance            = invoke.CustomErr(CodeNonNativeHasBalance)
	ErrInvalidInstruction             = invoke.CustomErr(CodeInvalidInstruction)
	ErrInvalidState                   = invoke.CustomErr(CodeInvalidState)
	ErrOverflow                       = invoke.CustomErr(CodeOverflow)
	ErrAuthorityTypeNotSupported      = invoke.CustomErr(CodeAuthorityTypeNotSupported)
	ErrMintCannotFreeze               = invoke.CustomErr(CodeMintCannotFreeze)
	ErrAccountFrozen                  = invoke.CustomErr(CodeAccountFrozen)
	ErrMintDecimalsMismatch           = invoke.CustomErr(CodeMintDecimalsMismatch)
	ErrNonNativeNotSupported          = invoke.CustomErr(CodeNonNativeNotSupported)
)

// errorLogs are the lines spl-token's PrintProgramError prints for each
// TokenError when an instruction fails.
var errorLogs = [numCodes]string{
	"Error: Lamport balance below rent-exempt threshold",
	"Error: insufficient funds",
	"Error: Invalid Mint",
	"Error: Account not associated with this Mint",
	"Error: owner does not match",
	"Error: the total supply of this token is fixed",
	"Error: account or token already in use",
	"Error: Invalid number of provided signers",
	"Error: Invalid number of required signers",
	"Error: State is uninitialized",
	"Error: Instruction does not support native tokens",
	"Error: Non-native account can only be closed if its balance is zero",
	"Error: Invalid instruction",
	"Error: Invalid account state for operation",
	"Error: Operation overflowed",
	"Error: Account does not support specified authority type",
	"Error: This token mint cannot freeze accounts",
	"Error: Account is frozen",
	"Error: decimals different from the Mint decimals",
	"Error: Instruction does not support non-native tokens",
}

// printedKinds are the ProgramError variants; the on-chain entrypoint prints
// "Error: <Variant>" for them. Errors the runtime raises after the program
// returns (a write to a read-only or foreign account) and compute exhaustion
// (the VM stops the program) are never printed, and are not listed.
var printedKinds = []invoke.ErrorKind{
	invoke.InvalidArgument, invoke.InvalidInstructionData, invoke.InvalidAccountData,
	invoke.AccountDataTooSmall, invoke.InsufficientFunds, invoke.IncorrectProgramID,
	invoke.MissingRequiredSignature, invoke.AccountAlreadyInitialized, invoke.UninitializedAccount,
	invoke.NotEnoughAccountKeys, invoke.AccountBorrowFailed, invoke.MaxSeedLengthExceeded,
	invoke.InvalidSeeds, invoke.BorshIoError, invoke.AccountNotRentExempt, invoke.UnsupportedSysvar,
	invoke.IllegalOwner, invoke.MaxAccountsDataAllocationsExceeded, invoke.InvalidRealloc,
	invoke.MaxInstructionTraceLengthExceeded, invoke.BuiltinProgramsMustConsumeComputeUnits,
	invoke.InvalidAccountOwner, invoke.ArithmeticOverflow, invoke.Immutable, invoke.IncorrectAuthority,
}

// printedKindLogs maps each printed kind to its "Error: <Variant>" line.
var printedKindLogs = func() map[invoke.ErrorKind]string {
	m := make(map[invoke.ErrorKind]string, len(printedKinds))
	for _, k := range printedKinds {
		m[k] = "Error: " + invoke.Err(k).Name()
	}
	return m
}()

// logError prints err as the on-chain entrypoint's error.print::<TokenError>() does.
func logError(c *invoke.Context, err error) {
	ie, ok := err.(*invoke.InstructionError)
	if !ok {
		return
	}
	if ie.Kind == invoke.Custom {
		if ie.Code < numCodes {
			c.Log(errorLogs[ie.Code])
		} else {
			c.Log("Error: Unknown")
		}
		return
	}
	if line, ok := printedKindLogs[ie.Kind]; ok {
		c.Log(line)
	}
}
