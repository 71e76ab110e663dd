package rpc

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/gnomon-chain/gnomon/sdk"
)

// params are a call's positional parameters. A missing or null params
// member is an empty list.
type params []json.RawMessage

func parseParams(raw json.RawMessage) (params, *Error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	if raw[0] != '[' {
		return nil, invalidParams("Invalid params: invalid type: map, expected a sequence")
	}
	var p params
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, invalidParams("Invalid params: %v", err)
	}
	return p, nil
}

// has reports whether parameter i is given and not null.
func (p params) has(i int) bool {
	return i < len(p) && !bytes.Equal(bytes.TrimSpace(p[i]), []byte("null"))
}

// need fails unless at least n parameters are given.
func (p params) need(n int) *Error {
	if len(p) < n {
		return invalidParams("Invalid params: invalid length %d, expected at least %d", len(p), n)
	}
	return nil
}

// decode unmarshals parameter i into v; a missing or null one leaves v.
func (p params) decode(i int, v any) *Error {
	if !p.has(i) {
		return nil
	}
	if err := json.Unmarshal(p[i], v); err != nil {
		return invalidParams("Invalid params: %v", err)
	}
	return nil
}

func (p params) str(i int) (string, *Error) {
	if !p.has(i) {
		return "", invalidParams("Invalid params: missing parameter %d", i)
	}
	var s string
	if err := json.Unmarshal(p[i], &s); err != nil {
		return "", invalidParams("Invalid params: %v", err)
	}
	return s, nil
}

func (p params) u64(i int) (uint64, *Error) {
	if !p.has(i) {
		return 0, invalidParams("Invalid params: missing parameter %d", i)
	}
	var n uint64
	if err := json.Unmarshal(p[i], &n); err != nil {
		return 0, invalidParams("Invalid params: %v", err)
	}
	return n, nil
}

func (p params) pubkey(i int) (sdk.Pubkey, *Error) {
	s, err := p.str(i)
	if err != nil {
		return sdk.Pubkey{}, err
	}
	return parsePubkey(s)
}

func parsePubkey(s string) (sdk.Pubkey, *Error) {
	k, err := sdk.ParsePubkey(s)
	if err != nil {
		return sdk.Pubkey{}, invalidParams("Invalid param: Invalid")
	}
	return k, nil
}

func parseSignature(s string) (sdk.Signature, *Error) {
	sig, err := sdk.ParseSignature(s)
	if err != nil {
		return sdk.Signature{}, invalidParams("Invalid param: Invalid")
	}
	return sig, nil
}

// commitmentConfig is the part of every config object that picks a bank.
type commitmentConfig struct {
	Commitment     *string `json:"commitment"`
	MinContextSlot *uint64 `json:"minContextSlot"`
}

// level returns the requested commitment; Solana's default is finalized.
func (c commitmentConfig) level() (commitment, *Error) {
	if c.Commitment == nil {
		return finalized, nil
	}
	return parseCommitment(*c.Commitment)
}

func parseCommitment(s string) (commitment, *Error) {
	switch s {
	case "processed", "recent":
		return processed, nil
	case "confirmed", "single", "singleGossip":
		return confirmed, nil
	case "finalized", "max", "root":
		return finalized, nil
	}
	return 0, invalidParams("Invalid params: unknown variant `%s`, expected one of `processed`, `confirmed`, `finalized`", s)
}

// encodingConfig names how account data is returned.
type dataSlice struct {
	Offset uint64 `json:"offset"`
	Length uint64 `json:"length"`
}

// accountConfig is getAccountInfo's and friends' config.
type accountConfig struct {
	commitmentConfig
	Encoding  *string    `json:"encoding"`
	DataSlice *dataSlice `json:"dataSlice"`
}

// accountEncoding is how account data is rendered.
type accountEncoding uint8

const (
	encBinary accountEncoding = iota // a bare base58 string (Solana's legacy default)
	encBase58
	encBase64
	encBase64Zstd
	encJSONParsed
	encJSON // accepted as jsonParsed's fallback: base64
)

func parseAccountEncoding(s *string, def accountEncoding) (accountEncoding, *Error) {
	if s == nil {
		return def, nil
	}
	switch *s {
	case "binary":
		return encBinary, nil
	case "base58":
		return encBase58, nil
	case "base64":
		return encBase64, nil
	case "base64+zstd":
		return encBase64Zstd, nil
	case "jsonParsed":
		return encJSONParsed, nil
	case "json":
		return encJSON, nil
	}
	return 0, invalidParams("Invalid params: unknown variant `%s`, expected one of `binary`, `base58`, `base64`, `jsonParsed`, `base64+zstd`", *s)
}

func (e accountEncoding) String() string {
	switch e {
	case encBase58:
		return "base58"
	case encBase64Zstd:
		return "base64+zstd"
	case encJSONParsed:
		return "jsonParsed"
	case encBinary:
		return "binary"
	}
	return "base64"
}

// context wraps a value with the slot it was read at.
type rpcContext struct {
	Slot       uint64 `json:"slot"`
	APIVersion string `json:"apiVersion"`
}

type withContext struct {
	Context rpcContext `json:"context"`
	Value   any        `json:"value"`
}

func inContext(slot uint64, v any) withContext {
	return withContext{Context: rpcContext{Slot: slot, APIVersion: Version}, Value: v}
}

func errorf(code int, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}
