package runtime

import (
	"sort"

	"github.com/gnomon-chain/gnomon/runtime/programs/computebudget"
	"github.com/gnomon-chain/gnomon/sdk"
)

// Scheduler packs a leader's transactions into entries. It is a pure core:
// it reads the bank only to resolve lookups, and keeps the block's compute
// accounting between calls, so a leader calls Pack repeatedly while its slot
// lasts and starts a new Scheduler for the next slot.
//
// Order: higher compute unit price first, arrival order among equals. A
// transaction goes into the earliest entry after every entry holding a
// conflicting lock, so conflicting transactions execute in priority order
// and each entry is conflict-free. A transaction that would exceed the block
// limit, or push a writable account past its limit, is deferred to a later
// block.
type Scheduler struct {
	blockLimit, accountLimit uint64
	used                     uint64
	perAccount               map[sdk.Pubkey]uint64
}

// NewScheduler starts a block under cfg's compute limits.
func NewScheduler(cfg *Config) *Scheduler {
	return &Scheduler{blockLimit: cfg.BlockComputeLimit, accountLimit: cfg.AccountComputeLimit,
		perAccount: make(map[sdk.Pubkey]uint64)}
}

// Release gives back the compute Pack charged for txs, which the caller
// packed but then did not execute (its slot's time ran out first), so the
// block's limits count only what it holds.
func (s *Scheduler) Release(b *Bank, txs []*sdk.Transaction) {
	var w, r []sdk.Pubkey
	for _, tx := range txs {
		cost := uint64(0)
		if budget, fail := computebudget.Parse(&tx.Message, b.cfg.isNativeBuiltin); fail == nil {
			cost = budget.ComputeUnitLimit
		}
		w, r = b.txLocks(tx, w[:0], r[:0])
		for _, k := range w {
			s.perAccount[k] -= min(cost, s.perAccount[k])
		}
		s.used -= min(cost, s.used)
	}
}

// BlockComputeUsed is the compute packed so far.
func (s *Scheduler) BlockComputeUsed() uint64 { return s.used }

// Pack returns txs as entries of at most maxEntryTxs transactions and at
// most maxEntries entries (0: no bound), and those deferred by the compute
// limits or the entry bound (a deferred transaction is charged nothing).
//
// runs groups the entries into runs: consecutive entries no two of whose
// transactions conflict, which may therefore execute as one batch
// (RunTransactions) with the results of executing them entry by entry.
// runs[i] is the first entry of run i; a run ends where the next begins.
// Entries split where one is full, not only where transactions conflict;
// one barrier between the workers per run instead of per entry gave the
// leader 11% more transfers on two cores (bench/RESULTS.md).
func (s *Scheduler) Pack(b *Bank, txs []*sdk.Transaction, maxEntryTxs, maxEntries int) (entries [][]*sdk.Transaction, runs []int, deferred []*sdk.Transaction) {
	type item struct {
		tx    *sdk.Transaction
		price uint64
		cost  uint64
	}
	items := make([]item, 0, len(txs))
	for _, tx := range txs {
		budget, fail := computebudget.Parse(&tx.Message, b.cfg.isNativeBuiltin)
		it := item{tx: tx}
		if fail == nil {
			it.price, it.cost = budget.ComputeUnitPrice, budget.ComputeUnitLimit
		}
		items = append(items, it)
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].price > items[j].price })

	lastWrite := make(map[sdk.Pubkey]int)
	lastRead := make(map[sdk.Pubkey]int)
	// after[e] is the last entry before e holding a transaction that
	// conflicts with one in e; -1 if none.
	var after []int
	var w, r []sdk.Pubkey
	for _, it := range items {
		w, r = b.txLocks(it.tx, w[:0], r[:0])
		if s.used+it.cost > s.blockLimit {
			deferred = append(deferred, it.tx)
			continue
		}
		over := false
		for _, k := range w {
			if s.perAccount[k]+it.cost > s.accountLimit {
				over = true
				break
			}
		}
		if over {
			deferred = append(deferred, it.tx)
			continue
		}
		at := 0
		for _, k := range w {
			if e, ok := lastWrite[k]; ok && e+1 > at {
				at = e + 1
			}
			if e, ok := lastRead[k]; ok && e+1 > at {
				at = e + 1
			}
		}
		for _, k := range r {
			if e, ok := lastWrite[k]; ok && e+1 > at {
				at = e + 1
			}
		}
		conflictsWith := at - 1
		for at < len(entries) && len(entries[at]) >= maxEntryTxs {
			at++
		}
		// Past the entries the caller can record now (PoH records a
		// bounded number of entries per tick): wait for the next pack,
		// charged nothing.
		if maxEntries > 0 && at >= maxEntries {
			deferred = append(deferred, it.tx)
			continue
		}
		if at == len(entries) {
			entries = append(entries, make([]*sdk.Transaction, 0, maxEntryTxs))
			after = append(after, -1)
		}
		entries[at] = append(entries[at], it.tx)
		after[at] = max(after[at], conflictsWith)
		for _, k := range w {
			lastWrite[k] = max(lastWrite[k], at)
			s.perAccount[k] += it.cost
		}
		for _, k := range r {
			if e, ok := lastRead[k]; !ok || at > e {
				lastRead[k] = at
			}
		}
		s.used += it.cost
	}
	// A transaction is placed after every entry it conflicts with, so
	// after[e] names every conflict of e with an earlier entry.
	for e := range entries {
		if e == 0 || after[e] >= runs[len(runs)-1] {
			runs = append(runs, e)
		}
	}
	return entries, runs, deferred
}

// RunTransactions returns run i of a Pack (entries[runs[i]:end]) and its
// transactions in order, appended to buf.
func RunTransactions(entries [][]*sdk.Transaction, runs []int, i int, buf []*sdk.Transaction) ([][]*sdk.Transaction, []*sdk.Transaction) {
	end := len(entries)
	if i+1 < len(runs) {
		end = runs[i+1]
	}
	run := entries[runs[i]:end]
	for _, e := range run {
		buf = append(buf, e...)
	}
	return run, buf
}
