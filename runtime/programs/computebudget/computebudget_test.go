package computebudget

import (
	"testing"

	"github.com/gnomon-chain/gnomon/sdk"
)

func msgWith(datas ...[]byte) *sdk.Message {
	m := &sdk.Message{AccountKeys: []sdk.Pubkey{{1}, ID, sdk.SystemProgramID}}
	for _, d := range datas {
		pid := uint8(1)
		if d == nil {
			pid = 2 // a non-budget instruction
		}
		m.Instructions = append(m.Instructions, sdk.CompiledInstruction{ProgramIDIndex: pid, Data: d})
	}
	return m
}

func TestParseDefaultsAndLimits(t *testing.T) {
	b, f := Parse(msgWith(nil, nil, SetComputeUnitPriceData(1_000)), nil)
	if f != nil || b.ComputeUnitLimit != 400_000 || b.ComputeUnitPrice != 1_000 {
		t.Fatalf("%+v %+v", b, f)
	}
	if b.PriorityFee() != 400 {
		t.Fatalf("priority fee %d, want 400", b.PriorityFee())
	}
	b, _ = Parse(msgWith(SetComputeUnitLimitData(2_000_000)), nil)
	if b.ComputeUnitLimit != MaxComputeUnitLimit {
		t.Fatalf("limit not capped: %d", b.ComputeUnitLimit)
	}
	b, _ = Parse(msgWith(SetComputeUnitLimitData(300), SetComputeUnitPriceData(1)), nil)
	if b.PriorityFee() != 1 { // ceil(300 × 1 / 1e6)
		t.Fatalf("fee not rounded up: %d", b.PriorityFee())
	}
	b, _ = Parse(msgWith(SetComputeUnitLimitData(1_400_000), SetComputeUnitPriceData(^uint64(0))), nil)
	if b.PriorityFee() != ^uint64(0) {
		t.Fatal("overflowing fee did not saturate")
	}
}

func TestParseFailures(t *testing.T) {
	cases := []struct {
		name string
		m    *sdk.Message
		want Failure
	}{
		{"duplicate limit", msgWith(SetComputeUnitLimitData(1), nil, SetComputeUnitLimitData(2)), Failure{Index: 2, Duplicate: true}},
		{"duplicate price", msgWith(SetComputeUnitPriceData(1), SetComputeUnitPriceData(1)), Failure{Index: 1, Duplicate: true}},
		{"short data", msgWith(nil, []byte{TagSetComputeUnitPrice, 1}), Failure{Index: 1}},
		{"deprecated tag 0", msgWith([]byte{0, 0, 0, 0, 0}), Failure{Index: 0}},
		{"empty data", msgWith([]byte{}), Failure{Index: 0}},
		{"heap not a multiple of 1 KiB", msgWith(RequestHeapFrameData(40_000)), Failure{Index: 0}},
		{"heap too large", msgWith(RequestHeapFrameData(512 * 1024)), Failure{Index: 0}},
		{"zero loaded-data limit", msgWith(SetLoadedAccountsDataSizeLimitData(0)), Failure{Index: -1, InvalidLoadedDataLimit: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, f := Parse(c.m, nil)
			if f == nil || *f != c.want {
				t.Fatalf("got %+v, want %+v", f, c.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte{TagSetComputeUnitLimit, 1, 2, 3, 4}, []byte{TagSetComputeUnitPrice, 1, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, a, b []byte) {
		budget, fail := Parse(msgWith(a, b), nil)
		if fail == nil && budget.ComputeUnitLimit > MaxComputeUnitLimit {
			t.Fatalf("limit %d", budget.ComputeUnitLimit)
		}
	})
}

func TestDefaultLimitReservesLessForNativeBuiltins(t *testing.T) {
	native := func(k sdk.Pubkey) bool { return k == sdk.SystemProgramID }
	b, _ := Parse(msgWith(nil, nil, SetComputeUnitPriceData(1)), native)
	if b.ComputeUnitLimit != 2*DefaultBuiltinComputeUnits {
		t.Fatalf("two System instructions reserve %d", b.ComputeUnitLimit)
	}
}
