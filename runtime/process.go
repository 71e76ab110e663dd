package runtime

import (
	"runtime"

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

// tally adds committed results' counts and fees to the bank, once per
// worker rather than per transaction, to keep the shared counters' cache
// line from bouncing between cores.
func (b *Bank) tally(txs []*sdk.Transaction, results []TxResult) {
	var nSigs, nTx, base, priority uint64
	for i := range results {
		r := &results[i]
		if !r.Committed {
			continue
		}
		n := uint64(len(txs[i].Signatures))
		nSigs += n
		nTx++
		bf := min(b.cfg.LamportsPerSignature*n, r.Fee)
		base += bf
		priority += r.Fee - bf
	}
	b.signatureCount.Add(nSigs)
	b.transactionCount.Add(nTx)
	b.feesBase.Add(base)
	b.feesPriority.Add(priority)
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
		b.tally(txs[i:i+1], out[i:i+1])
		b.noteCommitted(s.committedKeys, s.committedSigs)
		s.committedKeys, s.committedSigs = s.committedKeys[:0], s.committedSigs[:0]
	}
	return out, nil
}

// Executor runs the transactions of an entry on a fixed number of workers.
// It holds only scratch memory, one per worker, so one Executor serves every
// bank; it is used by one goroutine at a time.
type Executor struct {
	workers int
	scratch []scratch
	locks   lockSet
	pool    *workerPool // nil with one worker
}

// NewExecutor returns an executor with workers goroutines (GOMAXPROCS if
// workers <= 0); it owns workers-1 of them until Close.
func NewExecutor(workers int) *Executor {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	e := &Executor{workers: workers, scratch: make([]scratch, workers), locks: newLockSet()}
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

// ExecuteEntry executes one entry's transactions in parallel and commits
// them. The transactions of an entry must not conflict (no account written by
// one and read or written by another); an entry that conflicts is invalid and
// nothing of it is executed. The results equal ProcessTransactions on the
// same transactions.
func (e *Executor) ExecuteEntry(b *Bank, txs []*sdk.Transaction) ([]TxResult, error) {
	if b.IsFrozen() {
		return nil, ErrFrozen
	}
	if err := e.locks.check(b, txs); err != nil {
		return nil, err
	}
	out := make([]TxResult, len(txs))
	workers := min(e.workers, (len(txs)+minPerWorker-1)/minPerWorker)
	run := func(s *scratch, lo, hi int) {
		for i := lo; i < hi; i++ {
			out[i] = b.execute(txs[i], s)
			b.commit(txs[i], &out[i], &s.committedKeys, &s.committedSigs)
		}
		b.tally(txs[lo:hi], out[lo:hi])
		b.noteCommitted(s.committedKeys, s.committedSigs)
		s.committedKeys, s.committedSigs = s.committedKeys[:0], s.committedSigs[:0]
	}
	if workers <= 1 || e.pool == nil {
		run(&e.scratch[0], 0, len(txs))
	} else {
		// Every pool worker runs; those past the entry's chunk count idle.
		per := (len(txs) + workers - 1) / workers
		e.pool.run(func(w int) {
			if w < workers {
				run(&e.scratch[w], min(w*per, len(txs)), min((w+1)*per, len(txs)))
			}
		})
	}
	return out, nil
}
