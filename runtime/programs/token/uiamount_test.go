package token

import "testing"

func TestAmountToUIAmountTrimsLikeSPLToken(t *testing.T) {
	for _, c := range []struct {
		amount   uint64
		decimals uint8
		want     string
	}{
		{0, 0, "0"}, {1, 0, "1"}, {10, 0, "10"}, {0, 2, "0"}, {1, 1, "0.1"}, {10, 1, "1"},
		{100, 2, "1"}, {123, 2, "1.23"}, {1_500_000, 6, "1.5"}, {1, 9, "0.000000001"},
		{1_000_000_000, 9, "1"}, {^uint64(0), 0, "18446744073709551615"},
		{^uint64(0), 19, "1.8446744073709551615"}, {^uint64(0), 20, "0.18446744073709551615"},
		{5, 30, "0.000000000000000000000000000005"},
	} {
		if got := AmountToUIAmount(c.amount, c.decimals); got != c.want {
			t.Errorf("AmountToUIAmount(%d, %d) = %q, want %q", c.amount, c.decimals, got, c.want)
		}
	}
}

func TestUIAmountToAmountAcceptsWhatSPLTokenAccepts(t *testing.T) {
	for _, c := range []struct {
		ui       string
		decimals uint8
		want     uint64
		ok       bool
	}{
		{"1", 0, 1, true}, {"1.0", 0, 1, true}, {"1.5", 1, 15, true}, {"1.", 2, 100, true},
		{".5", 1, 5, true}, {"0.000000001", 9, 1, true}, {"2.25", 6, 2_250_000, true},
		{"+1", 0, 1, true}, {"001", 0, 1, true}, {"1.50000", 1, 15, true},
		{"18446744073709551615", 0, ^uint64(0), true},
		{"18446744073709551616", 0, 0, false}, {"1.8446744073709551616", 19, 0, false},
		{"", 2, 0, false}, {".", 2, 0, false}, {"0.1", 0, 0, false}, {"1.23", 1, 0, false},
		{"1.2.3", 5, 0, false}, {"-1", 0, 0, false}, {"+", 0, 0, false}, {" 1", 0, 0, false},
		{"1e3", 0, 0, false}, {"1,5", 1, 0, false}, {"1.+5", 2, 0, false}, {"1", 20, 0, false},
	} {
		got, ok := UIAmountToAmount(c.ui, c.decimals)
		if ok != c.ok || got != c.want {
			t.Errorf("UIAmountToAmount(%q, %d) = %d, %v; want %d, %v", c.ui, c.decimals, got, ok, c.want, c.ok)
		}
	}
}

func TestUIAmountRoundTrips(t *testing.T) {
	amounts := []uint64{0, 1, 9, 10, 99, 100, 123456789, 1 << 40, ^uint64(0)}
	for _, a := range amounts {
		for d := uint8(0); d <= 19; d++ {
			s := AmountToUIAmount(a, d)
			back, ok := UIAmountToAmount(s, d)
			if !ok || back != a {
				t.Fatalf("%d at %d decimals -> %q -> %d %v", a, d, s, back, ok)
			}
		}
	}
}
