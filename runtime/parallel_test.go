package runtime

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gnomon-chain/gnomon/runtime/programs/computebudget"
	"github.com/gnomon-chain/gnomon/runtime/programs/memo"
	"github.com/gnomon-chain/gnomon/sdk"
)

// randomWorkload builds transactions over a few accounts, so they contend
// heavily: transfers that succeed, overdraw, or strand a new account below
// rent exemption; multi-instruction transactions that fail halfway; memos;
// priority fees; and exact duplicates of earlier transactions.
func randomWorkload(t testing.TB, rng *rand.Rand, keys []sdk.Keypair, blockhash sdk.Hash, n int) []*sdk.Transaction {
	var txs []*sdk.Transaction
	mint := testMint
	strangers := []sdk.Pubkey{{0xe1}, {0xe2}}
	for len(txs) < n {
		if len(txs) > 0 && rng.IntN(10) == 0 {
			txs = append(txs, txs[rng.IntN(len(txs))])
			continue
		}
		payerIdx := rng.IntN(len(keys))
		payer := keys[payerIdx]
		var ixs []sdk.Instruction
		if rng.IntN(3) == 0 {
			ixs = append(ixs, sdk.Instruction{ProgramID: computebudget.ID, Data: computebudget.SetComputeUnitPriceData(uint64(rng.IntN(5000)))})
		}
		for j := 0; j <= rng.IntN(3); j++ {
			to := keys[rng.IntN(len(keys))].Pubkey()
			if rng.IntN(8) == 0 {
				to = strangers[rng.IntN(len(strangers))]
			}
			amount := uint64(rng.IntN(3 * lamportsPerSOL))
			if rng.IntN(6) == 0 {
				amount = 200 * lamportsPerSOL // overdraws
			}
			if to == payer.Pubkey() {
				continue
			}
			ixs = append(ixs, transfer(payer.Pubkey(), to, amount))
		}
		// Token transfers between the token accounts of keys (from the
		// payer's own, or from another's, which fails: owner mismatch), some
		// overdrawing.
		for j := 0; j < rng.IntN(3); j++ {
			from := payerIdx
			if rng.IntN(5) == 0 {
				from = rng.IntN(len(keys))
			}
			amount := uint64(rng.IntN(400_000))
			ixs = append(ixs, tokenTransfer(tokenAccountKey(mint, from), tokenAccountKey(mint, rng.IntN(len(keys))), payer.Pubkey(), amount))
		}
		if rng.IntN(4) == 0 {
			ixs = append(ixs, sdk.Instruction{ProgramID: memo.ID, Data: []byte(fmt.Sprintf("m%d", len(txs))),
				Accounts: []sdk.AccountMeta{{Pubkey: payer.Pubkey(), IsSigner: true}}})
		}
		if len(ixs) == 0 {
			continue
		}
		// A nonce in the data keeps otherwise identical transactions distinct.
		ixs = append(ixs, sdk.Instruction{ProgramID: memo.IDV1, Data: []byte(fmt.Sprint(rng.Uint64()))})
		txs = append(txs, wire(t, ixs, blockhash, payer))
	}
	return txs
}

func sameResult(a, b TxResult) bool {
	errEq := (a.Err == nil && b.Err == nil) || (a.Err != nil && b.Err != nil && a.Err.Error() == b.Err.Error())
	return errEq && a.Committed == b.Committed && a.Fee == b.Fee && a.ComputeUnits == b.ComputeUnits &&
		slices.Equal(a.Logs, b.Logs) && slices.Equal(a.PostBalances, b.PostBalances) && slices.Equal(a.PreBalances, b.PreBalances)
}

var testMint = sdk.Pubkey{0x3b}

// TestParallelExecutionEqualsSerial is the runtime's contract: entries packed
// by the scheduler and executed in parallel give exactly the results, the
// accounts and the bank hash of executing the same transactions one at a
// time in the same order.
func TestParallelExecutionEqualsSerial(t *testing.T) {
	for seed := uint64(1); seed <= 30; seed++ {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 17))
			keys := testKeypairs(3+rng.IntN(5), seed)
			// Limits that do not bind: packing under limits is tested apart.
			roomy := func(c *Config) { c.BlockComputeLimit, c.AccountComputeLimit = 1<<40, 1<<40 }
			owners := make([]sdk.Pubkey, len(keys))
			for i, k := range keys {
				owners[i] = k.Pubkey()
			}
			tokens := tokenGenesis(testMint, keys[0].Pubkey(), owners, 1_000_000)
			par, ser := newTestNodeWith(t, keys, tokens, roomy), newTestNodeWith(t, keys, tokens, roomy)
			pb, sb := par.child(t, par.forks.Root(), 1), ser.child(t, ser.forks.Root(), 1)
			txs := randomWorkload(t, rng, keys, pb.LastBlockhash(), 40+rng.IntN(120))

			sched := NewScheduler(pb.Config())
			entries, deferred := sched.Pack(pb, txs, 1+rng.IntN(16), 0)
			if len(deferred) != 0 {
				t.Fatalf("%d deferred under default limits", len(deferred))
			}
			exec := NewExecutor(1 + rng.IntN(4))
			defer exec.Close()
			var parallel, serial []TxResult
			for _, e := range entries {
				if err := CheckEntryLocks(pb, e); err != nil {
					t.Fatalf("scheduler produced a conflicting entry: %v", err)
				}
				// Odd seeds take the leader's path, which trusts the
				// scheduler instead of checking locks again.
				run := exec.ExecuteEntry
				if seed%2 == 1 {
					run = exec.ExecuteScheduled
				}
				r, err := run(pb, e)
				if err != nil {
					t.Fatal(err)
				}
				parallel = append(parallel, r...)
				serial = append(serial, process(t, sb, e...)...)
			}
			failed, tokenOK := 0, 0
			for i := range parallel {
				if parallel[i].Err == nil && slices.Contains(parallel[i].Logs, "Program "+sdk.TokenProgramID.String()+" success") {
					tokenOK++
				}
				if !sameResult(parallel[i], serial[i]) {
					t.Fatalf("tx %d: parallel %+v\nserial %+v", i, parallel[i], serial[i])
				}
				if parallel[i].Err != nil {
					failed++
				}
			}
			if tokenOK == 0 {
				t.Fatal("no token transfer succeeded: the workload does not exercise Token")
			}
			if failed == 0 || failed == len(parallel) {
				t.Fatalf("%d of %d failed: the workload must mix outcomes", failed, len(parallel))
			}
			for _, k := range append(pb.WrittenKeys(), sb.WrittenKeys()...) {
				if AccountHash(k, pb.Account(k)) != AccountHash(k, sb.Account(k)) {
					t.Fatalf("account %s differs", k)
				}
			}
			if ph, sh := pb.Freeze(sdk.Hash{9}), sb.Freeze(sdk.Hash{9}); ph != sh {
				t.Fatal("bank hashes differ")
			}
		})
	}
}

// TestSchedulerKeepsPriorityOrderOfConflicts: of two transactions that
// conflict, the one paying the higher price executes first.
func TestSchedulerKeepsPriorityOrderOfConflicts(t *testing.T) {
	keys := testKeypairs(3, 8)
	n := newTestNode(t, keys, nil)
	b := n.child(t, n.forks.Root(), 1)
	bh := b.LastBlockhash()
	cheap := wire(t, []sdk.Instruction{transfer(keys[0].Pubkey(), keys[2].Pubkey(), 1)}, bh, keys[0])
	rich := wire(t, []sdk.Instruction{{ProgramID: computebudget.ID, Data: computebudget.SetComputeUnitPriceData(10)},
		transfer(keys[1].Pubkey(), keys[2].Pubkey(), 1)}, bh, keys[1])
	entries, _ := NewScheduler(b.Config()).Pack(b, []*sdk.Transaction{cheap, rich}, 64, 0)
	if len(entries) != 2 || entries[0][0] != rich || entries[1][0] != cheap {
		t.Fatalf("entries %v", entries)
	}
}

func TestSchedulerDefersPastComputeLimits(t *testing.T) {
	keys := testKeypairs(4, 9)
	n := newTestNode(t, keys, nil)
	b := n.child(t, n.forks.Root(), 1)
	cfg := *b.Config()
	cfg.AccountComputeLimit = 6_500 // a lone System instruction reserves 3,000
	cfg.BlockComputeLimit = 10_000
	var txs []*sdk.Transaction
	for i := 0; i < 4; i++ {
		txs = append(txs, wire(t, []sdk.Instruction{transfer(keys[i].Pubkey(), keys[0].Pubkey(), uint64(i+1))}, b.LastBlockhash(), keys[i]))
	}
	entries, deferred := NewScheduler(&cfg).Pack(b, txs, 64, 0)
	packed := 0
	for _, e := range entries {
		packed += len(e)
	}
	// Account 0 is written by all four: only two fit its limit.
	if packed != 2 || len(deferred) != 2 {
		t.Fatalf("packed %d, deferred %d", packed, len(deferred))
	}
}

// TestPackBoundsEntries: a leader can record only so many entries per PoH
// tick; Pack never returns more, and defers the rest uncharged.
func TestPackBoundsEntries(t *testing.T) {
	keys := testKeypairs(1, 44)
	n := newTestNode(t, keys, nil)
	b := n.child(t, n.forks.Root(), 1)
	// Every transfer writes the same payer: one per entry.
	var txs []*sdk.Transaction
	for i := 0; i < 10; i++ {
		txs = append(txs, wire(t, []sdk.Instruction{transfer(keys[0].Pubkey(), sdk.Pubkey{0x70, byte(i)}, lamportsPerSOL)}, b.LastBlockhash(), keys[0]))
	}
	sched := NewScheduler(b.Config())
	entries, deferred := sched.Pack(b, txs, 64, 3)
	if len(entries) != 3 || len(deferred) != 7 {
		t.Fatalf("%d entries, %d deferred; want 3 and 7", len(entries), len(deferred))
	}
	used := sched.BlockComputeUsed()
	more, _ := sched.Pack(b, deferred, 64, 0)
	if len(more) != 7 || sched.BlockComputeUsed() != 10*used/3 {
		t.Fatalf("deferred transactions were charged: %d entries, compute %d after %d", len(more), sched.BlockComputeUsed(), used)
	}
}

// TestReleaseUndoesPack: compute charged for packed transactions the leader
// did not execute is given back, so the block limit counts only its block.
func TestReleaseUndoesPack(t *testing.T) {
	keys := testKeypairs(1, 45)
	n := newTestNode(t, keys, nil)
	b := n.child(t, n.forks.Root(), 1)
	var txs []*sdk.Transaction
	for i := 0; i < 4; i++ {
		txs = append(txs, wire(t, []sdk.Instruction{transfer(keys[0].Pubkey(), sdk.Pubkey{0x71, byte(i)}, lamportsPerSOL)}, b.LastBlockhash(), keys[0]))
	}
	sched := NewScheduler(b.Config())
	entries, _ := sched.Pack(b, txs, 64, 0)
	sched.Release(b, entries[2])
	sched.Release(b, entries[3])
	half := sched.BlockComputeUsed()
	sched.Release(b, entries[0])
	sched.Release(b, entries[1])
	if half == 0 || sched.BlockComputeUsed() != 0 {
		t.Fatalf("compute after releasing half %d, after all %d", half, sched.BlockComputeUsed())
	}
	// The payer's per-account budget is whole again: all four pack again.
	if again, deferred := sched.Pack(b, txs, 64, 0); len(again) != 4 || len(deferred) != 0 {
		t.Fatalf("%d entries, %d deferred", len(again), len(deferred))
	}
}
