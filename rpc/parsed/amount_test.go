package parsed

import (
	"math"
	"testing"
)

// The expected strings are what serde_json (through ryu) writes for each f64.
func TestRustFloatMatchesSerdeJSON(t *testing.T) {
	for _, c := range []struct {
		f    float64
		want string
	}{
		{0, "0.0"}, {math.Copysign(0, -1), "-0.0"}, {1, "1.0"}, {10, "10.0"}, {2, "2.0"}, {-1.5, "-1.5"},
		{0.42, "0.42"}, {1e-9, "1e-9"}, {1e-6, "1e-6"}, {1e-5, "0.00001"}, {0.001234, "0.001234"},
		{1234567.89, "1234567.89"}, {1e15, "1000000000000000.0"}, {1234e12, "1234000000000000.0"},
		{1e16, "1e16"}, {1.5e16, "1.5e16"}, {1.2345678901234568e17, "1.2345678901234568e17"},
		{18446744073709551615, "1.8446744073709552e19"}, {1.23e-7, "1.23e-7"}, {5e-324, "5e-324"},
		{math.MaxFloat64, "1.7976931348623157e308"},
		{math.NaN(), "null"}, {math.Inf(1), "null"}, {math.Inf(-1), "null"},
	} {
		if got := string(appendRustFloat(nil, c.f)); got != c.want {
			t.Errorf("appendRustFloat(%v) = %s, want %s", c.f, got, c.want)
		}
	}
}

// Cases from Agave's test_ui_token_amount_real_string, with uiAmount written
// as serde_json writes it.
func TestNewTokenAmount(t *testing.T) {
	for _, c := range []struct {
		amount   uint64
		decimals uint8
		want     string
	}{
		{1, 0, `{"amount":"1","decimals":0,"uiAmount":1.0,"uiAmountString":"1"}`},
		{10, 0, `{"amount":"10","decimals":0,"uiAmount":10.0,"uiAmountString":"10"}`},
		{1, 9, `{"amount":"1","decimals":9,"uiAmount":1e-9,"uiAmountString":"0.000000001"}`},
		{1_000_000_000, 9, `{"amount":"1000000000","decimals":9,"uiAmount":1.0,"uiAmountString":"1"}`},
		{1_234_567_890, 3, `{"amount":"1234567890","decimals":3,"uiAmount":1234567.89,"uiAmountString":"1234567.89"}`},
		{1_234_567_890, 25, `{"amount":"1234567890","decimals":25,"uiAmount":null,"uiAmountString":"0.000000000000000123456789"}`},
		{0, 6, `{"amount":"0","decimals":6,"uiAmount":0.0,"uiAmountString":"0"}`},
		{math.MaxUint64, 19, `{"amount":"18446744073709551615","decimals":19,"uiAmount":1.8446744073709551,"uiAmountString":"1.8446744073709551615"}`},
		{1, 20, `{"amount":"1","decimals":20,"uiAmount":null,"uiAmountString":"0.00000000000000000001"}`},
	} {
		checkGolden(t, NewTokenAmount(c.amount, c.decimals), c.want)
	}
}
