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
// Why it spins: waking a parked goroutine's thread took about 90 µs per
// entry on this project's machines (measured with a 64-transaction entry on
// two workers), as much as a worker's whole share of the entry. So between
// jobs a worker polls for the next one for spinFor before it parks; while
// entries keep coming (replay, a busy leader) nobody sleeps, and an idle node
// costs nothing once the workers have parked.
type workerPool struct {
	helpers int
	gen     atomic.Uint64
	fn      func(worker int) // published by gen
	pending atomic.Int32
	stop    atomic.Bool
	parked  []atomic.Bool
	wake    []chan struct{}
	wg      sync.WaitGroup
}

const spinFor = 200 * time.Microsecond

// newWorkerPool starts helpers goroutines; the caller of run is worker 0.
func newWorkerPool(helpers int) *workerPool {
	p := &workerPool{helpers: helpers, parked: make([]atomic.Bool, helpers), wake: make([]chan struct{}, helpers)}
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
		p.fn(i + 1)
		p.pending.Add(-1)
	}
}

// run calls fn(0) on the calling goroutine and fn(1..helpers) on the pool,
// and returns when all have returned.
func (p *workerPool) run(fn func(worker int)) {
	p.fn = fn
	p.pending.Store(int32(p.helpers))
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
	for n := 0; p.pending.Load() > 0; n++ {
		if n%1024 == 1023 {
			runtime.Gosched()
		}
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
