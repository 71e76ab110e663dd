package parsed

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"github.com/gnomon-chain/gnomon/runtime/programs/token"
	"github.com/gnomon-chain/gnomon/sdk"
)

// TokenAmount is Solana's UiTokenAmount, as getTokenAccountBalance,
// getTokenSupply, token accounts and pre/postTokenBalances show it:
// {"amount":"...","decimals":n,"uiAmount":number|null,"uiAmountString":"..."}.
type TokenAmount struct {
	Amount   string `json:"amount"`
	Decimals uint8  `json:"decimals"`
	// UIAmount is nil where Agave's is None: 10^decimals overflows a u64.
	UIAmount       *float64 `json:"uiAmount"`
	UIAmountString string   `json:"uiAmountString"`
}

// NewTokenAmount is Agave's token_amount_to_ui_amount for a mint without
// interest-bearing or scaled-amount extensions (Token-2022 only).
func NewTokenAmount(amount uint64, decimals uint8) TokenAmount {
	t := TokenAmount{
		Amount:         strconv.FormatUint(amount, 10),
		Decimals:       decimals,
		UIAmountString: token.AmountToUIAmount(amount, decimals),
	}
	// Agave divides by 10usize.checked_pow(decimals) as f64; the power
	// overflows from 10^20 on, and every power up to 10^19 is exact in f64.
	if decimals <= 19 {
		ui := float64(amount) / math.Pow10(int(decimals))
		t.UIAmount = &ui
	}
	return t
}

// MarshalJSON writes uiAmount as serde_json writes an f64, so that the bytes
// match Agave's ("1.0" where encoding/json would write "1").
func (t TokenAmount) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 96)
	b = append(b, `{"amount":`...)
	b = strconv.AppendQuote(b, t.Amount)
	b = append(b, `,"decimals":`...)
	b = strconv.AppendUint(b, uint64(t.Decimals), 10)
	b = append(b, `,"uiAmount":`...)
	if t.UIAmount == nil {
		b = append(b, "null"...)
	} else {
		b = appendRustFloat(b, *t.UIAmount)
	}
	b = append(b, `,"uiAmountString":`...)
	s, err := json.Marshal(t.UIAmountString)
	if err != nil {
		return nil, err
	}
	return append(append(b, s...), '}'), nil
}

// rustFloat is an f64 that marshals as serde_json writes one.
type rustFloat float64

func (f rustFloat) MarshalJSON() ([]byte, error) { return appendRustFloat(nil, float64(f)), nil }

// appendRustFloat formats f as serde_json does (through ryu): the shortest
// digits that round-trip, in plain notation with at least one fractional
// digit when the decimal exponent is small ("1.0", "0.001234",
// "12340000000.0"), otherwise as "1.234e33" or "1e-7". serde_json writes a
// NaN or an infinity as null.
func appendRustFloat(dst []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(dst, "null"...)
	}
	if f == 0 {
		if math.Signbit(f) {
			return append(dst, "-0.0"...)
		}
		return append(dst, "0.0"...)
	}
	if f < 0 {
		dst = append(dst, '-')
		f = -f
	}
	// 'e' with precision -1 gives the same shortest digits as ryu:
	// d.ddde±x, so the value is 0.dddd × 10^kk with kk = x+1.
	e := strconv.FormatFloat(f, 'e', -1, 64)
	mant, exp, _ := strings.Cut(e, "e")
	digits := strings.Replace(mant, ".", "", 1)
	x, _ := strconv.Atoi(exp)
	n, kk := len(digits), x+1
	switch {
	case kk >= n && kk <= 16: // 1234e7 -> 12340000000.0
		dst = append(dst, digits...)
		dst = append(dst, strings.Repeat("0", kk-n)...)
		return append(dst, ".0"...)
	case kk > 0 && kk <= 16: // 1234e-2 -> 12.34
		dst = append(dst, digits[:kk]...)
		dst = append(dst, '.')
		return append(dst, digits[kk:]...)
	case kk > -5 && kk <= 0: // 1234e-6 -> 0.001234
		dst = append(dst, "0."...)
		dst = append(dst, strings.Repeat("0", -kk)...)
		return append(dst, digits...)
	case n == 1: // 1e30
		dst = append(dst, digits...)
	default: // 1234e30 -> 1.234e33
		dst = append(dst, digits[0], '.')
		dst = append(dst, digits[1:]...)
	}
	dst = append(dst, 'e')
	return strconv.AppendInt(dst, int64(kk-1), 10)
}

// TokenBalance is one entry of a transaction's preTokenBalances or
// postTokenBalances, as Agave's RPC shows it.
type TokenBalance struct {
	AccountIndex  uint8       `json:"accountIndex"`
	Mint          string      `json:"mint"`
	Owner         string      `json:"owner"`
	ProgramID     string      `json:"programId"`
	UITokenAmount TokenAmount `json:"uiTokenAmount"`
}

// TokenBalanceOf is the token balance Agave records for the transaction's
// account at accountIndex, owned by owner with data; ok is false where Agave
// records none: the account is not an initialized token account, or its
// mint's decimals are unknown. The caller skips the transaction's program
// accounts, as Agave does.
func TokenBalanceOf(accountIndex uint8, owner sdk.Pubkey, data []byte, mintDecimals func(mint sdk.Pubkey) (uint8, bool)) (TokenBalance, bool) {
	if owner != sdk.TokenProgramID || len(data) != token.AccountSize || mintDecimals == nil {
		return TokenBalance{}, false
	}
	a, err := token.DecodeAccount(data)
	if err != nil || !a.IsInitialized() {
		return TokenBalance{}, false
	}
	decimals, ok := mintDecimals(a.Mint)
	if !ok {
		return TokenBalance{}, false
	}
	return TokenBalance{
		AccountIndex:  accountIndex,
		Mint:          a.Mint.String(),
		Owner:         a.Owner.String(),
		ProgramID:     owner.String(),
		UITokenAmount: NewTokenAmount(a.Amount, decimals),
	}, true
}
