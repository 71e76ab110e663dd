package runtime

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// workerPool runs a function on several long-lived goroutines at once, for
// the chunks of one entry.
//
// Why helpers spin: waking a parked goroutine's thread took about 90 µs per
// entry on this project's machines (measured with a 64-transaction entry on
// two workers), as much as a worker's whole share of the entry. So between
// jobs a helper polls for the next one for spinFor before it parks; while
// entries keep coming (replay, a busy leader) nobody sleeps, and an idle node
// costs nothing once the helpers have parked.
//
// Why the caller never waits for a helper that has not started: on a busy
// node (sigverify, QUIC and the ledger all runnable) a helper can sit in the
// scheduler's queue for milliseconds. The job's fn takes its work from a
// shared counter, so the caller does all of it when no helper shows up; a
// helper must claim its turn (started) before running fn, and the caller
// cancels every turn not yet claimed once its own fn returns. It then waits
// only for helpers already running. (Measured before this: in a 3 s execution
// trace of the node at full load, the leader loop spent 1.16 s runnable but
// not running inside run, having yielded while waiting for a helper.)
//
// Why the caller spins for up to callerSpinFor before it parks: a started
// helper is at most one chunk from done, tens of microseconds, and parking
// costs the next entry its helper. The helper that wakes a parked caller
// puts it on its own processor's queue, so at its next yield the helper
// gives that processor to the caller and waits for another thread to wake
// up and take it, while the caller starts the next entry alone. Measured
// with two workers on transfers: when the caller polled only 4,096 times
// (a few microseconds), it parked in 20-28% of entries, and the helper
// joined 28% of entries 10-100 µs late; spinning up to 100 µs, it parked
// in 1-3%.
type workerPool struct {
	helpers int
	gen     atomic.Uint64
	fn      func(worker int) // published by gen
	// turn[i] is helper i's claim on the current job: 0 open, 1 taken by the
	// helper, 2 cancelled by the caller.
	turn    []atomic.Uint32
	pending atomic.Int32 // helpers that took their turn and have not finished
	// callerParked is set while run waits on done; the helper that brings
	// pending to zero then sends a token. Tokens are hints: run re-checks
	// pending after each.
	callerParked atomic.Bool
	done         chan struct{}
	stop         atomic.Bool
	parked       []atomic.Bool
	wake         []chan struct{}
	wg           sync.WaitGroup
}

const (
	spinFor = 200 * time.Microsecond
	// callerSpinFor is how long run polls for started helpers before it
	// parks: long enough for a helper's last chunk of ordinary
	// transactions, short enough that a helper the hypervisor or the Go
	// scheduler has stopped costs little.
	callerSpinFor = 100 * time.Microsecond
)

const (
	turnOpen uint32 = iota
	turnTaken
	turnCancelled
)

// newWorkerPool starts helpers goroutines; the caller of run is worker 0.
func newWorkerPool(helpers int) *workerPool {
	p := &workerPool{helpers: helpers, turn: make([]atomic.Uint32, helpers), done: make(chan struct{}, 1),
		parked: make([]atomic.Bool, helpers), wake: make([]chan struct{}, helpers)}
	for i := range p.turn {
		p.turn[i].Store(turnCancelled) // no job yet
	}
	for i := range p.wake {
		p.wake[i] = make(chan struct{}, 1)
		p.wg.Add(1)
		go p.loop(i)
	}
	return p
}

func (p *workerPool) loop(i int) {
	defer p.wg.Done()
	var seen uint64
	for {
		deadline := time.Now().Add(spinFor)
		for n := 0; p.gen.Load() == seen; n++ {
			if p.stop.Load() {
				return
			}
			if n%1024 != 1023 {
				continue // poll: an atomic load, no scheduler lock
			}
			if time.Now().After(deadline) {
				// Park; run wakes us if it sees parked set, and we re-check
				// gen after setting it, so no job is missed.
				p.parked[i].Store(true)
				if p.gen.Load() == seen && !p.stop.Load() {
					<-p.wake[i]
				}
				p.parked[i].Store(false)
				deadline = time.Now().Add(spinFor)
				continue
			}
			// Yield now and then, so a pool larger than GOMAXPROCS still
			// lets the caller run.
			runtime.Gosched()
		}
		seen = p.gen.Load()
		if !p.turn[i].CompareAndSwap(turnOpen, turnTaken) {
			continue // the caller finished without us
		}
		p.fn(i + 1)
		if p.pending.Add(-1) == 0 && p.callerParked.Load() {
			select {
			case p.done <- struct{}{}:
			default: // a token is already there; run re-checks pending
			}
		}
	}
}

// run calls fn(0) on the calling goroutine and fn(w) on each helper that
// starts before fn(0) returns, and returns when all of those have returned.
// fn must share out its work so that any subset of workers completes it.
func (p *workerPool) run(fn func(worker int)) {
	p.fn = fn
	p.pending.Store(0)
	for i := range p.turn {
		p.turn[i].Store(turnOpen)
	}
	p.gen.Add(1)
	for i := range p.parked {
		if p.parked[i].Load() {
			select {
			case p.wake[i] <- struct{}{}:
			default:
			}
		}
	}
	fn(0)
	// Cancel the turns no helper has taken; count the ones taken.
	for i := range p.turn {
		if !p.turn[i].CompareAndSwap(turnOpen, turnCancelled) {
			p.pending.Add(1)
		}
	}
	// Each helper that took its turn decrements pending once when done;
	// the increments above may come after some of those decrements, so
	// pending can dip below zero on the way and reaches zero exactly when
	// every taken turn has finished.
	if p.pending.Load() != 0 {
		deadline := time.Now().Add(callerSpinFor)
		for n := 1; p.pending.Load() != 0; n++ {
			// A clock read costs dozens of polls; read it now and then.
			if n%256 == 0 && time.Now().After(deadline) {
				break
			}
		}
	}
	if p.pending.Load() != 0 {
		p.callerParked.Store(true)
		for p.pending.Load() != 0 {
			<-p.done
		}
		p.callerParked.Store(false)
	}
}

// close stops the helpers and waits for them.
func (p *workerPool) close() {
	p.stop.Store(true)
	for i := range p.wake {
		select {
		case p.wake[i] <- struct{}{}:
		default:
		}
	}
	p.wg.Wait()
}
