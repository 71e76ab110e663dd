package invoke

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// ErrorKind names a Solana InstructionError variant; the names and the order
// are Solana's, since clients match on the names in JSON.
type ErrorKind uint8

// The InstructionError variants, in Solana's order.
const (
	GenericError ErrorKind = iota
	InvalidArgument
	InvalidInstructionData
	InvalidAccountData
	AccountDataTooSmall
	InsufficientFunds
	IncorrectProgramID
	MissingRequiredSignature
	AccountAlreadyInitialized
	UninitializedAccount
	UnbalancedInstruction
	ModifiedProgramID
	ExternalAccountLamportSpend
	ExternalAccountDataModified
	ReadonlyLamportChange
	ReadonlyDataModified
	DuplicateAccountIndex
	ExecutableModified
	RentEpochModified
	NotEnoughAccountKeys
	AccountDataSizeChanged
	AccountNotExecutable
	AccountBorrowFailed
	AccountBorrowOutstanding
	DuplicateAccountOutOfSync
	Custom
	InvalidError
	ExecutableDataModified
	ExecutableLamportChange
	ExecutableAccountNotRentExempt
	UnsupportedProgramID
	CallDepth
	MissingAccount
	ReentrancyNotAllowed
	MaxSeedLengthExceeded
	InvalidSeeds
	InvalidRealloc
	ComputationalBudgetExceeded
	PrivilegeEscalation
	ProgramEnvironmentSetupFailure
	ProgramFailedToComplete
	ProgramFailedToCompile
	Immutable
	IncorrectAuthority
	BorshIoError
	AccountNotRentExempt
	InvalidAccountOwner
	ArithmeticOverflow
	UnsupportedSysvar
	IllegalOwner
	MaxAccountsDataAllocationsExceeded
	MaxAccountsExceeded
	MaxInstructionTraceLengthExceeded
	BuiltinProgramsMustConsumeComputeUnits
	numErrorKinds
)

var errorNames = [numErrorKinds]string{
	"GenericError", "InvalidArgument", "InvalidInstructionData", "InvalidAccountData", "AccountDataTooSmall",
	"InsufficientFunds", "IncorrectProgramId", "MissingRequiredSignature", "AccountAlreadyInitialized",
	"UninitializedAccount", "UnbalancedInstruction", "ModifiedProgramId", "ExternalAccountLamportSpend",
	"ExternalAccountDataModified", "ReadonlyLamportChange", "ReadonlyDataModified", "DuplicateAccountIndex",
	"ExecutableModified", "RentEpochModified", "NotEnoughAccountKeys", "AccountDataSizeChanged",
	"AccountNotExecutable", "AccountBorrowFailed", "AccountBorrowOutstanding", "DuplicateAccountOutOfSync",
	"Custom", "InvalidError", "ExecutableDataModified", "ExecutableLamportChange",
	"ExecutableAccountNotRentExempt", "UnsupportedProgramId", "CallDepth", "MissingAccount",
	"ReentrancyNotAllowed", "MaxSeedLengthExceeded", "InvalidSeeds", "InvalidRealloc",
	"ComputationalBudgetExceeded", "PrivilegeEscalation", "ProgramEnvironmentSetupFailure",
	"ProgramFailedToComplete", "ProgramFailedToCompile", "Immutable", "IncorrectAuthority", "BorshIoError",
	"AccountNotRentExempt", "InvalidAccountOwner", "ArithmeticOverflow", "UnsupportedSysvar", "IllegalOwner",
	"MaxAccountsDataAllocationsExceeded", "MaxAccountsExceeded", "MaxInstructionTraceLengthExceeded",
	"BuiltinProgramsMustConsumeComputeUnits",
}

// errorMessages are Solana's Display strings, which appear in
// "Program <id> failed: <message>" log lines.
var errorMessages = [numErrorKinds]string{
	"generic instruction error", "invalid program argument", "invalid instruction data",
	"invalid account data for instruction", "account data too small for instruction",
	"insufficient funds for instruction", "incorrect program id for instruction",
	"missing required signature for instruction", "instruction requires an uninitialized account",
	"instruction requires an initialized account",
	"sum of account balances before and after instruction do not match",
	"instruction illegally modified the program id of an account",
	"instruction spent from the balance of an account it does not own",
	"instruction modified data of an account it does not own",
	"instruction changed the balance of a read-only account",
	"instruction modified data of a read-only account", "instruction contains duplicate accounts",
	"instruction changed executable bit of an account", "instruction modified rent epoch of an account",
	"insufficient account keys for instruction",
	"program other than the account's owner changed the size of the account data",
	"instruction expected an executable account",
	"instruction tries to borrow reference for an account which is already borrowed",
	"instruction left account with an outstanding borrowed reference",
	"instruction modifications of multiply-passed account differ",
	"custom program error", "program returned invalid error code",
	"instruction changed executable accounts data", "instruction changed the balance of an executable account",
	"executable accounts must be rent exempt", "Unsupported program id",
	"Cross-program invocation call depth too deep", "An account required by the instruction is missing",
	"Cross-program invocation reentrancy not allowed for this instruction",
	"Length of the seed is too long for address generation", "Provided seeds do not result in a valid address",
	"Failed to reallocate account data", "Computational budget exceeded",
	"Cross-program invocation with unauthorized signer or writable account",
	"Failed to create program execution environment", "Program failed to complete",
	"Program failed to compile", "Account is immutable", "Incorrect authority provided",
	"Failed to serialize or deserialize account data",
	"An account does not have enough lamports to be rent-exempt", "Invalid account owner",
	"Program arithmetic overflowed", "Unsupported sysvar", "Provided owner is not allowed",
	"Accounts data allocations exceeded the maximum allowed per transaction", "Max accounts exceeded",
	"Max instruction trace length exceeded", "Builtin programs must consume compute units",
}

// InstructionError is why an instruction failed, as Solana reports it.
type InstructionError struct {
	Kind ErrorKind
	Code uint32 // for Custom
	Msg  string // for BorshIoError
}

// Err returns the error of kind k; a program returns it from Execute.
func Err(k ErrorKind) *InstructionError { return &instructionErrors[k] }

var instructionErrors = func() (out [numErrorKinds]InstructionError) {
	for i := range out {
		out[i].Kind = ErrorKind(i)
	}
	return out
}()

// CustomErr returns a program-specific error code.
func CustomErr(code uint32) *InstructionError { return &InstructionError{Kind: Custom, Code: code} }

// Name is the variant's name, as in JSON.
func (e *InstructionError) Name() string {
	if e.Kind >= numErrorKinds {
		return "InvalidError"
	}
	return errorNames[e.Kind]
}

// Error returns Solana's Display text, as logged after "failed: ".
func (e *InstructionError) Error() string {
	switch {
	case e.Kind == Custom:
		return "custom program error: 0x" + strconv.FormatUint(uint64(e.Code), 16)
	case e.Kind == BorshIoError:
		return errorMessages[BorshIoError] + ": " + e.Msg
	case e.Kind >= numErrorKinds:
		return errorMessages[InvalidError]
	}
	return errorMessages[e.Kind]
}

// Is makes errors.Is compare kinds (and codes for Custom).
func (e *InstructionError) Is(target error) bool {
	t, ok := target.(*InstructionError)
	return ok && t.Kind == e.Kind && (e.Kind != Custom || t.Code == e.Code)
}

// MarshalJSON writes Solana's form: "InvalidInstructionData", {"Custom":1} or
// {"BorshIoError":"..."}.
func (e *InstructionError) MarshalJSON() ([]byte, error) {
	switch e.Kind {
	case Custom:
		return []byte(`{"Custom":` + strconv.FormatUint(uint64(e.Code), 10) + `}`), nil
	case BorshIoError:
		msg, err := json.Marshal(e.Msg)
		return []byte(`{"BorshIoError":` + string(msg) + `}`), err
	}
	return json.Marshal(e.Name())
}

// asInstructionError turns whatever a program returned into an
// InstructionError; a program that returns a plain Go error has a bug, which is
// reported as ProgramFailedToComplete rather than crashing the node.
func asInstructionError(err error) *InstructionError {
	if ie, ok := err.(*InstructionError); ok {
		return ie
	}
	return &InstructionError{Kind: ProgramFailedToComplete, Msg: fmt.Sprint(err)}
}
