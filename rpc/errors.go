package rpc

import "fmt"

// JSON-RPC error codes: the standard ones and Agave's server errors, which
// kit turns into SolanaError codes of the same number.
const (
	codeParseError     = -32700
	codeInvalidRequest = -32600
	codeMethodNotFound = -32601
	codeInvalidParams  = -32602
	codeInternal       = -32603

	codeBlockCleanedUp           = -32001
	codeSendTxPreflightFailure   = -32002
	codeTxSignatureVerification  = -32003
	codeBlockNotAvailable        = -32004
	codeNodeUnhealthy            = -32005
	codeSlotSkipped              = -32007
	codeBlockStatusNotAvailable  = -32014
	codeUnsupportedTxVersion     = -32015
	codeMinContextSlotNotReached = -32016
)

// Error is a JSON-RPC error object.
type Error struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    any    `json:"data,omitempty"`
}

func (e *Error) Error() string { return fmt.Sprintf("rpc error %d: %s", e.Code, e.Message) }

func invalidParams(format string, args ...any) *Error {
	return &Error{Code: codeInvalidParams, Message: fmt.Sprintf(format, args...)}
}

func invalidRequest(format string, args ...any) *Error {
	return &Error{Code: codeInvalidRequest, Message: fmt.Sprintf(format, args...)}
}

func internalError(err error) *Error {
	return &Error{Code: codeInternal, Message: "Internal error: " + err.Error()}
}

func minContextSlotError(slot uint64) *Error {
	return &Error{Code: codeMinContextSlotNotReached, Message: "Minimum context slot has not been reached",
		Data: map[string]uint64{"contextSlot": slot}}
}

func blockNotAvailable(slot uint64) *Error {
	return &Error{Code: codeBlockNotAvailable, Message: fmt.Sprintf("Block not available for slot %d", slot)}
}

func slotSkipped(slot uint64) *Error {
	return &Error{Code: codeSlotSkipped,
		Message: fmt.Sprintf("Slot %d was skipped, or missing due to ledger jump to recent snapshot", slot)}
}

func blockCleanedUp(slot, first uint64) *Error {
	return &Error{Code: codeBlockCleanedUp,
		Message: fmt.Sprintf("Block %d cleaned up, does not exist on node. First available block: %d", slot, first)}
}

func unsupportedVersion() *Error {
	return &Error{Code: codeUnsupportedTxVersion, Message: "Transaction version (0) is not supported by the requesting client. " +
		"Please try the request again with the following configuration parameter: \"maxSupportedTransactionVersion\": 0"}
}
