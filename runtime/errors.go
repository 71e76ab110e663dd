package runtime

import (
	"encoding/json"
	"strconv"

	"github.com/gnomon-chain/gnomon/runtime/invoke"
)

// TxErrorKind names a Solana TransactionError variant.
type TxErrorKind uint8

// The TransactionError variants Gnomon produces, with Solana's names.
const (
	AccountInUse TxErrorKind = iota + 1
	AccountLoadedTwice
	AccountNotFound
	ProgramAccountNotFound
	InsufficientFundsForFee
	InvalidAccountForFee
	AlreadyProcessed
	BlockhashNotFound
	InstructionError
	InvalidAccountIndex
	SignatureFailure
	InvalidProgramForExecution
	SanitizeFailure
	WouldExceedMaxBlockCostLimit
	UnsupportedVersion
	WouldExceedMaxAccountCostLimit
	TooManyAccountLocks
	AddressLookupTableNotFound
	InvalidAddressLookupTableOwner
	InvalidAddressLookupTableData
	InvalidAddressLookupTableIndex
	DuplicateInstruction
	InsufficientFundsForRent
	MaxLoadedAccountsDataSizeExceeded
	InvalidLoadedAccountsDataSizeLimit
)

var txErrorNames = map[TxErrorKind]string{
	AccountInUse: "AccountInUse", AccountLoadedTwice: "AccountLoadedTwice", AccountNotFound: "AccountNotFound",
	ProgramAccountNotFound: "ProgramAccountNotFound", InsufficientFundsForFee: "InsufficientFundsForFee",
	InvalidAccountForFee: "InvalidAccountForFee", AlreadyProcessed: "AlreadyProcessed",
	BlockhashNotFound: "BlockhashNotFound", InstructionError: "InstructionError",
	InvalidAccountIndex: "InvalidAccountIndex", SignatureFailure: "SignatureFailure",
	InvalidProgramForExecution: "InvalidProgramForExecution", SanitizeFailure: "SanitizeFailure",
	WouldExceedMaxBlockCostLimit: "WouldExceedMaxBlockCostLimit", UnsupportedVersion: "UnsupportedVersion",
	WouldExceedMaxAccountCostLimit: "WouldExceedMaxAccountCostLimit", TooManyAccountLocks: "TooManyAccountLocks",
	AddressLookupTableNotFound: "AddressLookupTableNotFound", InvalidAddressLookupTableOwner: "InvalidAddressLookupTableOwner",
	InvalidAddressLookupTableData: "InvalidAddressLookupTableData", InvalidAddressLookupTableIndex: "InvalidAddressLookupTableIndex",
	DuplicateInstruction: "DuplicateInstruction", InsufficientFundsForRent: "InsufficientFundsForRent",
	MaxLoadedAccountsDataSizeExceeded:  "MaxLoadedAccountsDataSizeExceeded",
	InvalidLoadedAccountsDataSizeLimit: "InvalidLoadedAccountsDataSizeLimit",
}

// TransactionError is why a transaction failed, in Solana's terms.
type TransactionError struct {
	Kind TxErrorKind
	// Index is the instruction (InstructionError, DuplicateInstruction) or
	// account (InsufficientFundsForRent) the error names.
	Index uint8
	// Instruction is the inner error of an InstructionError.
	Instruction *invoke.InstructionError
}

// TxErr returns a TransactionError without detail.
func TxErr(k TxErrorKind) *TransactionError { return &TransactionError{Kind: k} }

// Name is the variant's name.
func (e *TransactionError) Name() string { return txErrorNames[e.Kind] }

// Error renders the error as Solana's clients print it.
func (e *TransactionError) Error() string {
	switch e.Kind {
	case InstructionError:
		return "Error processing Instruction " + strconv.Itoa(int(e.Index)) + ": " + e.Instruction.Error()
	case InsufficientFundsForRent:
		return "Transaction results in an account (" + strconv.Itoa(int(e.Index)) + ") with insufficient funds for rent"
	case DuplicateInstruction:
		return "Transaction contains a duplicate instruction (" + strconv.Itoa(int(e.Index)) + ") that is not allowed"
	}
	return e.Name()
}

// Is compares kinds, and index and inner error where the kind has them.
func (e *TransactionError) Is(target error) bool {
	t, ok := target.(*TransactionError)
	if !ok || e == nil || t == nil || t.Kind != e.Kind {
		return false
	}
	switch e.Kind {
	case InstructionError:
		return t.Index == e.Index && (t.Instruction == nil || e.Instruction.Is(t.Instruction))
	case InsufficientFundsForRent, DuplicateInstruction:
		return t.Index == e.Index
	}
	return true
}

// MarshalJSON writes Solana's JSON form: "BlockhashNotFound",
// {"InstructionError":[0,{"Custom":1}]}, {"DuplicateInstruction":0},
// {"InsufficientFundsForRent":{"account_index":2}}.
func (e *TransactionError) MarshalJSON() ([]byte, error) {
	switch e.Kind {
	case InstructionError:
		inner, err := e.Instruction.MarshalJSON()
		if err != nil {
			return nil, err
		}
		return []byte(`{"InstructionError":[` + strconv.Itoa(int(e.Index)) + `,` + string(inner) + `]}`), nil
	case DuplicateInstruction:
		return []byte(`{"DuplicateInstruction":` + strconv.Itoa(int(e.Index)) + `}`), nil
	case InsufficientFundsForRent:
		return []byte(`{"InsufficientFundsForRent":{"account_index":` + strconv.Itoa(int(e.Index)) + `}}`), nil
	}
	return json.Marshal(e.Name())
}
