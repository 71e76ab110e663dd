package runtime

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
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
	merged := 0 // entries that joined an earlier entry's run
	defer func() {
		if merged == 0 && !t.Failed() {
			t.Error("no run spans two entries: the run path is not exercised")
		}
	}()
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
			maxTxs := 1 + rng.IntN(16)
			if seed%4 >= 2 {
				// Small entries, so that full ones, not conflicts, split
				// some of them and runs span several.
				maxTxs = 1 + maxTxs%3
			}
			entries, runs, deferred := sched.Pack(pb, txs, maxTxs, 0)
			merged += len(entries) - len(runs)
			if replayRuns, err := new(blockLocks).splitRuns(pb, entries); err != nil || !slices.Equal(replayRuns, runs) {
				t.Fatalf("replay splits the block into runs %v (%v), the scheduler %v", replayRuns, err, runs)
			}
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
				serial = append(serial, process(t, sb, e...)...)
			}
			switch seed % 4 {
			case 3: // a replaying node: the whole block, checked, in runs
				r, err := exec.ExecuteEntries(pb, entries)
				if err != nil {
					t.Fatal(err)
				}
				parallel = r
			case 0: // entry by entry, locks checked again
				for _, e := range entries {
					r, err := exec.ExecuteEntry(pb, e)
					if err != nil {
						t.Fatal(err)
					}
					parallel = append(parallel, r...)
				}
			case 1: // the leader's path entry by entry, trusting the scheduler
				for _, e := range entries {
					r, err := exec.ExecuteScheduled(pb, e)
					if err != nil {
						t.Fatal(err)
					}
					parallel = append(parallel, r...)
				}
			case 2: // the leader's path: a run of entries as one batch
				for i := range runs {
					_, txs := RunTransactions(entries, runs, i, nil)
					if err := CheckEntryLocks(pb, txs); err != nil {
						t.Fatalf("run %d of %d (entries from %d): %v", i, len(runs), runs[i], err)
					}
					r, err := exec.ExecuteScheduled(pb, txs)
					if err != nil {
						t.Fatal(err)
					}
					parallel = append(parallel, r...)
				}
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
	entries, _, _ := NewScheduler(b.Config()).Pack(b, []*sdk.Transaction{cheap, rich}, 64, 0)
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
	entries, _, deferred := NewScheduler(&cfg).Pack(b, txs, 64, 0)
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
	entries, _, deferred := sched.Pack(b, txs, 64, 3)
	if len(entries) != 3 || len(deferred) != 7 {
		t.Fatalf("%d entries, %d deferred; want 3 and 7", len(entries), len(deferred))
	}
	used := sched.BlockComputeUsed()
	more, _, _ := sched.Pack(b, deferred, 64, 0)
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
	entries, _, _ := sched.Pack(b, txs, 64, 0)
	sched.Release(b, entries[2])
	sched.Release(b, entries[3])
	half := sched.BlockComputeUsed()
	sched.Release(b, entries[0])
	sched.Release(b, entries[1])
	if half == 0 || sched.BlockComputeUsed() != 0 {
		t.Fatalf("compute after releasing half %d, after all %d", half, sched.BlockComputeUsed())
	}
	// The payer's per-account budget is whole again: all four pack again.
	if again, _, deferred := sched.Pack(b, txs, 64, 0); len(again) != 4 || len(deferred) != 0 {
		t.Fatalf("%d entries, %d deferred", len(again), len(deferred))
	}
}

// TestPackRunsSplitOnlyAtConflicts: entries split because one was full join
// the same run; an entry holding a transaction that conflicts with an
// earlier entry of the run starts a new one.
func TestPackRunsSplitOnlyAtConflicts(t *testing.T) {
	keys := testKeypairs(5, 46)
	n := newTestNode(t, keys, nil)
	b := n.child(t, n.forks.Root(), 1)
	var txs []*sdk.Transaction
	// Payers in arrival order (equal prices keep it): k0, k1, k2, k3, k0, k0, k4.
	for i, payer := range []int{0, 1, 2, 3, 0, 0, 4} {
		to := sdk.Pubkey{0x72, byte(i)}
		txs = append(txs, wire(t, []sdk.Instruction{transfer(keys[payer].Pubkey(), to, lamportsPerSOL)}, b.LastBlockhash(), keys[payer]))
	}
	entries, runs, deferred := NewScheduler(b.Config()).Pack(b, txs, 2, 0)
	if len(deferred) != 0 {
		t.Fatalf("%d deferred", len(deferred))
	}
	// t0 t1 | t2 t3 (full entries, no conflict) | t4 t6 (t4 pays from k0
	// like t0) | t5 (k0 again, after t4).
	want := [][]*sdk.Transaction{{txs[0], txs[1]}, {txs[2], txs[3]}, {txs[4], txs[6]}, {txs[5]}}
	if !slices.EqualFunc(entries, want, slices.Equal) {
		t.Fatalf("entries %v, want %v", entries, want)
	}
	if !slices.Equal(runs, []int{0, 2, 3}) {
		t.Fatalf("runs %v, want [0 2 3]", runs)
	}
	run, flat := RunTransactions(entries, runs, 0, nil)
	if len(run) != 2 || !slices.Equal(flat, txs[:4]) {
		t.Fatalf("run 0: %d entries, transactions %v", len(run), flat)
	}
	if run, flat = RunTransactions(entries, runs, 2, flat[:0]); len(run) != 1 || !slices.Equal(flat, []*sdk.Transaction{txs[5]}) {
		t.Fatalf("last run: %d entries, transactions %v", len(run), flat)
	}
}

// TestReplayRunsSplitAtConflictsAndRejectBadEntries: a replayed block's
// entries run together until one conflicts with an earlier entry of the run
// (reading an account together is no conflict, reading and writing it is);
// two transactions of one entry that conflict make the block invalid, and
// nothing of it executes.
func TestReplayRunsSplitAtConflictsAndRejectBadEntries(t *testing.T) {
	keys := testKeypairs(4, 47)
	n := newTestNode(t, keys, nil)
	b := n.child(t, n.forks.Root(), 1)
	shared := sdk.Pubkey{0x73} // read, then written, then read
	tx := func(payer int, to sdk.Pubkey, reads bool) *sdk.Transaction {
		ixs := []sdk.Instruction{transfer(keys[payer].Pubkey(), to, lamportsPerSOL)}
		if reads {
			ixs = append(ixs, sdk.Instruction{ProgramID: memo.IDV1, Data: []byte("r"), Accounts: []sdk.AccountMeta{{Pubkey: shared}}})
		}
		return wire(t, ixs, b.LastBlockhash(), keys[payer])
	}
	to := func(i byte) sdk.Pubkey { return sdk.Pubkey{0x74, i} }
	block := [][]*sdk.Transaction{
		{tx(0, to(0), true)},
		{tx(1, to(1), true)},   // both read shared: same run
		{tx(2, shared, false)}, // writes what the run read
		{tx(3, to(3), true)},   // reads what the run wrote
		{tx(0, to(4), false)},  // k0 was written two runs ago: joins the run
	}
	runs, err := new(blockLocks).splitRuns(b, block)
	if err != nil || !slices.Equal(runs, []int{0, 2, 3}) {
		t.Fatalf("runs %v (%v), want [0 2 3]", runs, err)
	}

	exec := NewExecutor(2)
	defer exec.Close()
	for _, bad := range [][]*sdk.Transaction{
		{tx(2, to(5), false), tx(3, keys[2].Pubkey(), false)}, // both write k2
		{tx(2, to(6), true), tx(3, shared, false)},            // one reads shared, one writes it
		{tx(3, shared, false), tx(2, to(7), true)},            // one writes shared, one reads it
	} {
		_, err := exec.ExecuteEntries(b, [][]*sdk.Transaction{block[0], bad})
		if !errors.Is(err, ErrEntryConflict) || !strings.Contains(err.Error(), "entry 1 transaction 1") {
			t.Fatalf("conflicting entry: %v", err)
		}
		if b.TransactionCount() != 0 {
			t.Fatal("part of a rejected block executed")
		}
	}

	res, err := exec.ExecuteEntries(b, block)
	if err != nil || len(res) != len(block) {
		t.Fatalf("%d results: %v", len(res), err)
	}
	for i, r := range res {
		if !r.Committed {
			t.Fatalf("transaction %d not committed: %v", i, r.Err)
		}
	}
	if got := b.Balance(shared); got != lamportsPerSOL {
		t.Fatalf("shared account holds %d", got)
	}
}
