package token

import (
	"testing"

	"github.com/gnomon-chain/gnomon/runtime/invoke"
	"github.com/gnomon-chain/gnomon/sdk"
)

// transferFixture is two funded accounts of one mint, each owned by a
// signing wallet, and the two compiled Transfers between them (a→b, b→a) so
// a loop can run forever without draining either.
func transferFixture(tb testing.TB) (*world, [2]*sdk.CompiledInstruction) {
	w := newWorld(tb)
	alice, bob := w.wallet("alice"), w.wallet("bob")
	mint := w.mint("mint", key("auth"), 6, nil)
	a := w.tokenAccount("a", mint, alice, 1<<40)
	b := w.tokenAccount("b", mint, bob, 1<<40)
	compile := func(src, dst, owner sdk.Pubkey) *sdk.CompiledInstruction {
		return &sdk.CompiledInstruction{ProgramIDIndex: uint8(w.find(ID)),
			Accounts: []uint8{uint8(w.find(src)), uint8(w.find(dst)), uint8(w.find(owner))},
			Data:     TransferData(1)}
	}
	return w, [2]*sdk.CompiledInstruction{compile(a, b, alice), compile(b, a, bob)}
}

// BenchmarkTransfer runs Transfer through the real executor, reusing one
// Transaction as a bank worker would.
func BenchmarkTransfer(b *testing.B) {
	w, ixs := transferFixture(b)
	tx := invoke.NewTransaction(w.env, w.accts, computeLimit)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tx.Reset(w.env, w.accts, computeLimit)
		if err := tx.ExecuteInstruction(0, ixs[i&1]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tx/s")
}

// TestTransferAllocatesNothingOfItsOwn compares Transfer with a builtin that
// does nothing but what every Token instruction must (log one line, charge
// units) over the same accounts: whatever the executor allocates is the
// same for both, so any difference is the Transfer path's own.
func TestTransferAllocatesNothingOfItsOwn(t *testing.T) {
	w, ixs := transferFixture(t)
	noopID := key("noop")
	w.env.Programs[noopID] = &invoke.Builtin{Name: "noop", LogsConsumed: true, Execute: func(c *invoke.Context) error {
		c.Log(instructionLogs[Transfer])
		return c.Consume(computeUnits[Transfer])
	}}
	w.put(noopID, sdk.Account{Lamports: 1, Owner: sdk.NativeLoaderID, Executable: true}, false, false)
	noop := *ixs[0]
	noop.ProgramIDIndex = uint8(w.find(noopID))

	tx := invoke.NewTransaction(w.env, w.accts, computeLimit)
	measure := func(ix *sdk.CompiledInstruction) float64 {
		return testing.AllocsPerRun(200, func() {
			tx.Reset(w.env, w.accts, computeLimit)
			if err := tx.ExecuteInstruction(0, ix); err != nil {
				t.Fatal(err)
			}
		})
	}
	base, transfer := measure(&noop), measure(ixs[0])
	if transfer > base {
		t.Fatalf("Transfer allocates %.1f per run, the executor alone %.1f", transfer, base)
	}
	if w.tokenState(key("a")).Amount == 1<<40 {
		t.Fatal("transfers did not run")
	}
}
