package runtime

import (
	"runtime"
	"sync"

	"github.com/gnomon-chain/gnomon/sdk"
)

// commit stores a result's writes and records its signature. It runs on the
// bank's owning goroutine, after every transaction it commits has executed.
func (b *Bank) commit(tx *sdk.Transaction, r *TxResult) {
	if !r.Committed {
		return
	}
	for _, w := range r.writes {
		b.storeVersion(w.key, w.acct)
	}
	r.writes = nil
	b.status.add(b.slot, tx.Signatures[0])
	b.sigs = append(b.sigs, tx.Signatures[0])
	b.signatureCount.Add(uint64(len(tx.Signatures)))
	b.transactionCount.Add(1)
	base := b.cfg.LamportsPerSignature * uint64(len(tx.Signatures))
	if base > r.Fee {
		base = r.Fee
	}
	b.feesBase.Add(base)
	b.feesPriority.Add(r.Fee - base)
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
		b.commit(tx, &out[i])
	}
	return out, nil
}

// Executor runs the transactions of an entry on a fixed number of workers.
// It holds only scratch memory, one per worker, so one Executor serves every
// bank; it is used by one goroutine at a time.
type Executor struct {
	workers int
	scratch []scratch
}

// NewExecutor returns an executor with workers goroutines per entry
// (GOMAXPROCS if workers <= 0).
func NewExecutor(workers int) *Executor {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	return &Executor{workers: workers, scratch: make([]scratch, workers)}
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
	if err := CheckEntryLocks(b, txs); err != nil {
		return nil, err
	}
	out := make([]TxResult, len(txs))
	workers := min(e.workers, (len(txs)+minPerWorker-1)/minPerWorker)
	if workers <= 1 {
		for i, tx := range txs {
			out[i] = b.execute(tx, &e.scratch[0])
		}
	} else {
		var wg sync.WaitGroup
		per := (len(txs) + workers - 1) / workers
		for w := 0; w < workers; w++ {
			lo, hi := w*per, min((w+1)*per, len(txs))
			if lo >= hi {
				break
			}
			wg.Add(1)
			go func(s *scratch) {
				defer wg.Done()
				for i := lo; i < hi; i++ {
					out[i] = b.execute(txs[i], s)
				}
			}(&e.scratch[w])
		}
		wg.Wait()
	}
	for i, tx := range txs {
		b.commit(tx, &out[i])
	}
	return out, nil
}
