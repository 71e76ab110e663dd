package runtime

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/gnomon-chain/gnomon/internal/cpustat"
	"github.com/gnomon-chain/gnomon/runtime/programs/computebudget"
	"github.com/gnomon-chain/gnomon/sdk"
)

// benchWorkload is pre-signed transactions already packed into entries, and
// the frozen bank they execute on (each round forks a fresh child of it, so
// the same signatures run again without being AlreadyProcessed).
type benchWorkload struct {
	node    *testNode
	parent  *Bank
	entries [][]*sdk.Transaction
	runs    [][]*sdk.Transaction // the entries' runs, each as one batch
	txs     int
}

func newBenchWorkload(b *testing.B, name string, n int) *benchWorkload {
	b.Helper()
	keys := testKeypairs(2*n, 42)
	var extra map[sdk.Pubkey]sdk.Account
	mint := sdk.Pubkey{0x3c}
	if name == "token-transfer" {
		owners := make([]sdk.Pubkey, 2*n)
		for i := range owners {
			owners[i] = keys[i].Pubkey()
		}
		extra = tokenGenesis(mint, keys[0].Pubkey(), owners, 1_000_000)
	}
	node := newTestNode(b, keys, extra)
	parent := node.forks.Root()
	bh := parent.LastBlockhash()
	limit := sdk.Instruction{ProgramID: computebudget.ID, Data: computebudget.SetComputeUnitLimitData(450)}
	var txs []*sdk.Transaction
	for i := 0; i < n; i++ {
		to := keys[n+i].Pubkey()
		if name == "hot-account" {
			to = keys[n].Pubkey()
		}
		ix := transfer(keys[i].Pubkey(), to, 1)
		if name == "token-transfer" {
			ix = tokenTransfer(tokenAccountKey(mint, i), tokenAccountKey(mint, n+i), keys[i].Pubkey(), 1)
			limit.Data = computebudget.SetComputeUnitLimitData(5000)
		}
		txs = append(txs, wire(b, []sdk.Instruction{limit, ix}, bh, keys[i]))
	}
	child, _ := NewBank(parent, 1, sdk.Pubkey{})
	cfg := *parent.Config()
	cfg.BlockComputeLimit, cfg.AccountComputeLimit = 1<<40, 1<<40
	entries, runs, _ := NewScheduler(&cfg).Pack(child, txs, 64, 0)
	w := &benchWorkload{node: node, parent: parent, entries: entries, txs: n}
	for i := range runs {
		_, flat := RunTransactions(entries, runs, i, nil)
		w.runs = append(w.runs, flat)
	}
	return w
}

// BenchmarkExecute measures a leader executing what its scheduler packed,
// as the leader does: each run of entries in one ExecuteScheduled call.
// Signatures were verified when the workload was built, and every round
// runs the same transactions on a fresh bank.
func BenchmarkExecute(b *testing.B) {
	benchmarkExecute(b, func(exec *Executor, bank *Bank, w *benchWorkload) error {
		for _, run := range w.runs {
			res, err := exec.ExecuteScheduled(bank, run)
			if err != nil {
				return err
			}
			if err := allSucceeded(res); err != nil {
				return err
			}
		}
		return nil
	})
}

// BenchmarkReplay executes the same entries as a block being replayed
// (ExecuteEntries), which checks every entry's locks first.
func BenchmarkReplay(b *testing.B) {
	benchmarkExecute(b, func(exec *Executor, bank *Bank, w *benchWorkload) error {
		res, err := exec.ExecuteEntries(bank, w.entries)
		if err != nil {
			return err
		}
		return allSucceeded(res)
	})
}

// allSucceeded fails a round in which any transaction was dropped or
// failed: a figure that counts failures as throughput is wrong.
func allSucceeded(res []TxResult) error {
	for i := range res {
		if !res[i].Committed || res[i].Err != nil {
			return fmt.Errorf("transaction %d of the run: committed %v, %v", i, res[i].Committed, res[i].Err)
		}
	}
	return nil
}

func benchmarkExecute(b *testing.B, round func(*Executor, *Bank, *benchWorkload) error) {
	for _, name := range []string{"transfer", "token-transfer", "hot-account"} {
		b.Run("workload="+name, func(b *testing.B) {
			w := newBenchWorkload(b, name, 4096)
			exec := NewExecutor(benchWorkers)
			defer exec.Close()
			slot := uint64(1)
			done := 0
			var cpu time.Duration
			var machine cpustat.Times // the machine's CPU time over the timed rounds
			b.ReportAllocs()
			b.ResetTimer()
			for done < b.N {
				b.StopTimer()
				bank, err := NewBank(w.parent, slot, sdk.Pubkey{})
				if err != nil {
					b.Fatal(err)
				}
				slot++
				cpuStart := processCPU()
				machineStart, machineErr := cpustat.Read()
				b.StartTimer()
				if err := round(exec, bank, w); err != nil {
					b.Fatal(err)
				}
				done += w.txs
				// Forget the round, as pruning a dead fork does, so every
				// round starts from the same store.
				b.StopTimer()
				cpu += processCPU() - cpuStart
				if machineEnd, err := cpustat.Read(); err == nil && machineErr == nil {
					machine.Steal += machineEnd.Steal - machineStart.Steal
					machine.Total += machineEnd.Total - machineStart.Total
				}
				for _, k := range bank.WrittenKeys() {
					bank.accounts.dropVersion(k, bank.slot)
				}
				for _, sig := range bank.committedSigs() {
					bank.status.forget(bank.slot, sig)
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(done)/b.Elapsed().Seconds(), "tx/s")
			// CPU time, unlike wall time, leaves out what the hypervisor
			// steals, so it compares changes on a noisy VM; with -cpu N it
			// counts every worker, spinning included.
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(done), "cpu-ns/tx")
			// What the hypervisor took from the whole machine meanwhile: a
			// run with a few percent of steal says little about -cpu 2.
			if pct, ok := cpustat.StealPercent(cpustat.Times{}, machine); ok {
				b.ReportMetric(pct, "steal-%")
			}
		})
	}
}

// benchWorkers is the executor size; 0 means GOMAXPROCS.
var benchWorkers = 0

// processCPU is the user and system time the process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
