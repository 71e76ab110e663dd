package runtime

import (
	"runtime"
	"sync/atomic"

	"github.com/gnomon-chain/gnomon/sdk"
)

// commit stores a result's writes and records its signature. Workers
// commit concurrently: the transactions of an entry write disjoint accounts,
// and the keys and signatures go to the caller's lists, handed to the bank
// in one call per worker (noteCommitted).
func (b *Bank) commit(tx *sdk.Transaction, r *TxResult, keys *[]sdk.Pubkey, sigs *[]sdk.Signature) {
	if !r.Committed {
		return
	}
	// The writes' array becomes the stored accounts: no copy, and nothing
	// changes it after this.
	for i := range r.writes {
		b.accounts.store(b.slot, r.writes[i].key, &r.writes[i].acct)
		*keys = append(*keys, r.writes[i].key)
	}
	r.writes = nil
	// The status cache already holds the signature: execute claimed it.
	*sigs = append(*sigs, tx.Signatures[0])
}

// txCounts is one worker's running counts of what it committed.
type txCounts struct{ sigs, txs, baseFees, priorityFees uint64 }

func (c *txCounts) add(cfg *Config, tx *sdk.Transaction, r *TxResult) {
	if !r.Committed {
		return
	}
	n := uint64(len(tx.Signatures))
	c.sigs += n
	c.txs++
	bf := min(cfg.LamportsPerSignature*n, r.Fee)
	c.baseFees += bf
	c.priorityFees += r.Fee - bf
}

// addCounts adds a worker's counts to the bank: once per worker and entry
// rather than per transaction, to keep the shared counters' cache line from
// bouncing between cores.
func (b *Bank) addCounts(c *txCounts) {
	b.signatureCount.Add(c.sigs)
	b.transactionCount.Add(c.txs)
	b.feesBase.Add(c.baseFees)
	b.feesPriority.Add(c.priorityFees)
}

// ProcessTransactions executes and commits txs one at a time, in order: the
// reference semantics that parallel execution must reproduce. Transactions
// must be sanitized and signature-verified.
func (b *Bank) ProcessTransactions(txs []*sdk.Transaction) ([]TxResult, error) {
	if b.IsFrozen() {
		return nil, ErrFrozen
	}
	var s scratch
	out := make([]TxResult, len(txs))
	for i, tx := range txs {
		out[i] = b.execute(tx, &s)
		b.commit(tx, &out[i], &s.committedKeys, &s.committedSigs)
		var c txCounts
		c.add(b.cfg, tx, &out[i])
		b.addCounts(&c)
		b.noteCommitted(s.committedKeys, s.committedSigs)
		s.committedKeys, s.committedSigs = s.committedKeys[:0], s.committedSigs[:0]
	}
	return out, nil
}

// Executor runs an entry, or a run of entries, on a fixed number of workers.
// It holds only scratch memory, one per worker, so one Executor serves every
// bank; it is used by one goroutine at a time.
type Executor struct {
	workers int
	scratch []scratch
	// blockLocks and runTxs are ExecuteEntries' memory, reused.
	blockLocks blockLocks
	runTxs     []*sdk.Transaction
	pool       *workerPool // nil with one worker
	// out holds the last call's results: callers copy what they keep, so
	// results cost no allocation (a run of 4,096 holds about 1.2 MB).
	out []TxResult
	// bounds is the last entry's chunk boundaries, reused.
	bounds []int
}

// NewExecutor returns an executor with workers goroutines (GOMAXPROCS if
// workers <= 0); it owns workers-1 of them until Close.
func NewExecutor(workers int) *Executor {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	e := &Executor{workers: workers, scratch: make([]scratch, workers)}
	if workers > 1 {
		e.pool = newWorkerPool(workers - 1)
	}
	return e
}

// Close stops the executor's worker goroutines.
func (e *Executor) Close() {
	if e.pool != nil {
		e.pool.close()
		e.pool = nil
	}
}

// minPerWorker keeps tiny entries on one goroutine: starting one costs about
// as much as executing a transfer.
const minPerWorker = 8

// Workers claim chunks of an entry from a shared counter rather than a fixed
// share each, so a worker slowed by its neighbour (or by the hypervisor) does
// not leave the other waiting. Chunks shrink as the entry runs out, guided
// self-scheduling: each is 1/(2·workers) of what is left, and never under
// minClaim. Large chunks first keep the counter's cache line off the
// per-transaction path; small ones last mean the workers finish within a
// transaction or two of each other (with fixed chunks of eight transfers,
// the last worker ran up to 30 µs alone per 64-transaction entry, while the
// other waited).
const minClaim = 2

// claimBounds returns the chunks' boundaries for n transactions on workers:
// chunk i is [b[i], b[i+1]). It reuses buf.
func claimBounds(buf []int, n, workers int) []int {
	b := append(buf[:0], 0)
	for left := n; left > 0; {
		c := min(left, max(minClaim, (left+2*workers-1)/(2*workers)))
		left -= c
		b = append(b, n-left)
	}
	return b
}

// ExecuteEntry executes one entry's transactions in parallel and commits
// them. The transactions of an entry must not conflict (no account written by
// one and read or written by another); an entry that conflicts is invalid and
// nothing of it is executed. The results equal ProcessTransactions on the
// same transactions. The returned slice is the executor's and is reused by
// its next call: copy the results to keep them (a TxResult's own slices are
// never reused).
func (e *Executor) ExecuteEntry(b *Bank, txs []*sdk.Transaction) ([]TxResult, error) {
	return e.ExecuteEntries(b, [][]*sdk.Transaction{txs})
}

// ExecuteEntries executes a block's entries in order and commits them, as
// replay does: it first checks every entry for conflicts, so a block
// holding a conflicting entry is rejected before any of it executes, then
// executes each run of consecutive entries that do not conflict with each
// other as one batch (as Agave's replay batches them), with the results of
// executing the entries one at a time. The results are in the block's
// order; the slice is reused as ExecuteEntry's is.
func (e *Executor) ExecuteEntries(b *Bank, entries [][]*sdk.Transaction) ([]TxResult, error) {
	if b.IsFrozen() {
		return nil, ErrFrozen
	}
	runs, err := e.blockLocks.splitRuns(b, entries)
	if err != nil {
		return nil, err
	}
	n := 0
	for _, en := range entries {
		n += len(en)
	}
	out := e.results(n)
	txs := e.runTxs[:0]
	off := 0
	for i := range runs {
		_, txs = RunTransactions(entries, runs, i, txs[:0])
		e.execute(b, txs, out[off:off+len(txs)])
		off += len(txs)
	}
	clear(txs)
	e.runTxs = txs[:0]
	return out, nil
}

// ExecuteScheduled is ExecuteEntry for an entry that a Scheduler packed for
// this same bank: Pack places transactions by the same lock rules the check
// applies, so the leader does not pay for checking its own entries again
// (about a tenth of a transfer's cost, all of it serial). An entry from
// anywhere else (a block being replayed) must go through ExecuteEntry.
func (e *Executor) ExecuteScheduled(b *Bank, txs []*sdk.Transaction) ([]TxResult, error) {
	if b.IsFrozen() {
		return nil, ErrFrozen
	}
	out := e.results(len(txs))
	e.execute(b, txs, out)
	return out, nil
}

// results returns the executor's result buffer sized for n transactions.
func (e *Executor) results(n int) []TxResult {
	if cap(e.out) < n {
		e.out = make([]TxResult, n)
	}
	return e.out[:n]
}

// execute runs a conflict-free batch on the workers, writing out[i] for
// txs[i].
func (e *Executor) execute(b *Bank, txs []*sdk.Transaction, out []TxResult) {
	workers := min(e.workers, (len(txs)+minPerWorker-1)/minPerWorker)
	// Each worker claims the next chunk until none are left, so one worker
	// alone, or any subset of the pool, does them all.
	bounds := claimBounds(e.bounds, len(txs), workers)
	e.bounds = bounds
	var next atomic.Int64
	work := func(w int) {
		if w >= workers {
			return
		}
		s := &e.scratch[w]
		var c txCounts
		for {
			k := int(next.Add(1)) - 1
			if k >= len(bounds)-1 {
				break
			}
			lo, hi := bounds[k], bounds[k+1]
			for i := lo; i < hi; i++ {
				out[i] = b.execute(txs[i], s)
				b.commit(txs[i], &out[i], &s.committedKeys, &s.committedSigs)
				c.add(b.cfg, txs[i], &out[i])
			}
		}
		b.addCounts(&c)
		b.noteCommitted(s.committedKeys, s.committedSigs)
		s.committedKeys, s.committedSigs = s.committedKeys[:0], s.committedSigs[:0]
	}
	if workers <= 1 || e.pool == nil {
		work(0)
	} else {
		e.pool.run(work)
	}
}
