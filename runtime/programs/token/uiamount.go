package token

import (
	"strconv"
	"strings"
)

// AmountToUIAmount formats a raw amount as spl-token's
// amount_to_ui_amount_string_trimmed does: the amount scaled down by
// decimals, then trailing zeros and a trailing '.' removed ("1.5", "1", "0",
// "0.000001").
func AmountToUIAmount(amount uint64, decimals uint8) string {
	s := strconv.FormatUint(amount, 10)
	if decimals == 0 {
		return s
	}
	d := int(decimals)
	if len(s) < d+1 {
		s = strings.Repeat("0", d+1-len(s)) + s
	}
	s = s[:len(s)-d] + "." + s[len(s)-d:]
	s = strings.TrimRight(s, "0")
	return strings.TrimRight(s, ".")
}

// UIAmountToAmount parses a UI amount as spl-token's
// try_ui_amount_into_amount does: at most one '.', no more significant
// fraction digits than decimals, not both parts empty, and the digits (with
// Rust's u64 parser: an optional leading '+', no '-', no spaces) fitting in a
// u64. ok is false where the program returns InvalidArgument.
func UIAmountToAmount(ui string, decimals uint8) (amount uint64, ok bool) {
	whole, frac, hasDot := strings.Cut(ui, ".")
	if hasDot && strings.Contains(frac, ".") {
		return 0, false
	}
	frac = strings.TrimRight(frac, "0")
	d := int(decimals)
	if (whole == "" && frac == "") || len(frac) > d {
		return 0, false
	}
	digits := whole + frac + strings.Repeat("0", d-len(frac))
	return parseRustU64(digits)
}

// parseRustU64 is Rust's u64::from_str.
func parseRustU64(s string) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	if s[0] == '+' {
		if len(s) == 1 {
			return 0, false
		}
		s = s[1:]
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if v > (^uint64(0)-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	return v, true
}
