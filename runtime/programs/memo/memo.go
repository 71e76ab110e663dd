// Package memo is the SPL Memo program, v2 (MemoSq4gq...) and v1
// (Memo1UhkJ...): it checks that instruction data is UTF-8 and, for v2, that
// every account passed signed, and logs the memo as Solana's program does.
// It changes no account.
package memo

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gnomon-chain/gnomon/runtime/invoke"
	"github.com/gnomon-chain/gnomon/sdk"
)

// IDs of the two versions.
var (
	ID   = sdk.MemoProgramID
	IDV1 = sdk.MemoV1ProgramID
)

// Compute cost: a base plus a per-byte charge for validating and logging,
// in the range the on-chain program consumes.
const (
	baseUnits    = 500
	unitsPerByte = 10
)

// Builtin is Memo v2; BuiltinV1 is v1, which does not check signers.
var (
	Builtin   = &invoke.Builtin{Name: "spl_memo", Execute: execute(true), LogsConsumed: true}
	BuiltinV1 = &invoke.Builtin{Name: "spl_memo_v1", Execute: execute(false), LogsConsumed: true}
)

func execute(checkSigners bool) func(c *invoke.Context) error {
	return func(c *invoke.Context) error {
		if err := c.Consume(baseUnits + unitsPerByte*uint64(len(c.Data()))); err != nil {
			return err
		}
		if checkSigners {
			missing := false
			for i := 0; i < c.NumAccounts(); i++ {
				a, _ := c.Account(i)
				if a.IsSigner() {
					c.Log("Signed by " + a.Key().String())
				} else {
					missing = true
				}
			}
			if missing {
				return invoke.Err(invoke.MissingRequiredSignature)
			}
		}
		data := c.Data()
		if !utf8.Valid(data) {
			c.Log("Invalid UTF-8, from byte " + strconv.Itoa(validPrefix(data)))
			return invoke.Err(invoke.InvalidInstructionData)
		}
		if checkSigners {
			c.Log("Memo (len " + strconv.Itoa(len(data)) + "): " + RustDebugString(string(data)))
		}
		return nil
	}
}

func validPrefix(b []byte) int {
	n := 0
	for n < len(b) {
		r, size := utf8.DecodeRune(b[n:])
		if r == utf8.RuneError && size <= 1 {
			return n
		}
		n += size
	}
	return n
}

// RustDebugString quotes s as Rust's {:?} formats a str, which is what the
// on-chain program logs: double quotes, backslash escapes for quote,
// backslash, \t \r \n \0, and \u{hex} for other non-printable characters.
func RustDebugString(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		case '\n':
			b.WriteString(`\n`)
		case 0:
			b.WriteString(`\0`)
		default:
			if unicode.IsPrint(r) || r == ' ' {
				b.WriteRune(r)
			} else {
				b.WriteString(`\u{` + strconv.FormatInt(int64(r), 16) + `}`)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
