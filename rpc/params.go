package rpc

import (
	"bytes"
	"encoding/json"

	"github.com/gnomon-chain/gnomon/sdk"
)

// params are a call's positional parameters. A missing or null params
// member is an empty list.
type params []json.RawMessage

// paramsField is the request's params member. It splits the list while the
// request is decoded, so the body is validated once: a second
// json.Unmarshal of the list would scan it all again.
type paramsField struct {
	list     params
	notAList bool
}

func (f *paramsField) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		return nil
	case len(b) == 0 || b[0] != '[':
		f.notAList = true
		return nil
	}
	// b is valid JSON (encoding/json checked the whole body first): split
	// the top-level elements by tracking depth outside strings.
	depth, start, inString, escaped := 0, -1, false, false
	for i := 1; i < len(b)-1; i++ {
		c := b[i]
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '"':
			inString = true
		case '[', '{':
			depth++
		case ']', '}':
			depth--
		case ',':
			if depth == 0 {
				f.list = append(f.list, bytes.TrimSpace(b[start:i]))
				start = -1
				continue
			}
		}
		if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		f.list = append(f.list, bytes.TrimSpace(b[start:len(b)-1]))
	}
	return nil
}

func (f *paramsField) params() (params, *Error) {
	if f.notAList {
		return nil, invalidParams("Invalid params: invalid type: map, expected a sequence")
	}
	return f.list, nil
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
	// Most strings are base58 or base64 with nothing to unescape.
	if raw := p[i]; len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' && bytes.IndexByte(raw[1:len(raw)-1], '\\') < 0 &&
		bytes.IndexByte(raw[1:len(raw)-1], '"') < 0 {
		return string(raw[1 : len(raw)-1]), nil
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
