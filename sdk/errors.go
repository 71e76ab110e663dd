package sdk

import "errors"

// Error classes. Every error that ParseTransaction returns satisfies
// errors.Is(err, ErrMalformed); the finer classes below say why, so that callers
// can count rejections by reason and RPC can answer with Solana's error names.
var (
	// ErrMalformed is the class of every input that is not a valid transaction.
	ErrMalformed = errors.New("sdk: malformed")

	// ErrTooLarge: the serialized transaction is longer than MaxTransactionSize.
	ErrTooLarge = classOf(ErrMalformed, "sdk: transaction too large")

	// ErrShortVec: a compact-u16 length is truncated, overflows 16 bits, or is
	// not minimally encoded.
	ErrShortVec = classOf(ErrMalformed, "sdk: bad compact-u16")

	// ErrUnsupportedVersion: a versioned message whose version is not 0.
	ErrUnsupportedVersion = classOf(ErrMalformed, "sdk: unsupported message version")

	// ErrSanitizeFailure: the message decodes but breaks a sanitize rule (header
	// counts, indexes out of bounds, signature count). Solana reports it as
	// SanitizeFailure.
	ErrSanitizeFailure = classOf(ErrMalformed, "sdk: sanitize failure")

	// ErrAccountLoadedTwice: a message names the same account key twice. Solana
	// reports it as AccountLoadedTwice.
	ErrAccountLoadedTwice = classOf(ErrMalformed, "sdk: account loaded twice")

	// ErrSignatureFailure: a signature does not verify under the signature rule.
	ErrSignatureFailure = errors.New("sdk: signature failure")
)

// classedError is an error that is also a member of a broader class, so
// errors.Is matches both the error itself and its class.
type classedError struct {
	msg   string
	class error
}

func classOf(class error, msg string) error { return &classedError{msg: msg, class: class} }

func (e *classedError) Error() string        { return e.msg }
func (e *classedError) Is(target error) bool { return target == e.class }
