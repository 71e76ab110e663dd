package runtime

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// TestWorkerPoolDoesEveryItemOnceAndWaitsForStartedHelpers drives the pool
// as the executor does: fn takes items from a shared counter, so any subset
// of workers finishes the job. Every item must be done exactly once per job,
// and run must not return while a helper is still inside fn (the next job
// would reuse its memory). Helpers are made slow at random, and the test runs
// with fewer processors than workers too, where helpers often never start.
func TestWorkerPoolDoesEveryItemOnceAndWaitsForStartedHelpers(t *testing.T) {
	for _, procs := range []int{1, 2, 4} {
		prev := runtime.GOMAXPROCS(procs)
		for _, helpers := range []int{1, 3} {
			p := newWorkerPool(helpers)
			const items = 64
			var done [items]atomic.Int32
			var inside atomic.Int32
			for job := 0; job < 300; job++ {
				var next atomic.Int64
				p.run(func(w int) {
					inside.Add(1)
					defer inside.Add(-1)
					for {
						i := int(next.Add(1)) - 1
						if i >= items {
							return
						}
						done[i].Add(1)
						switch {
						case w == 0:
						case (job+i)%97 == 0:
							// Longer than the caller spins: it must park
							// and still be woken.
							time.Sleep(3 * callerSpinFor)
						case (job+i)%29 == 0:
							time.Sleep(50 * time.Microsecond)
						}
					}
				})
				if n := inside.Load(); n != 0 {
					t.Fatalf("procs %d helpers %d job %d: run returned with %d workers inside fn", procs, helpers, job, n)
				}
				for i := range done {
					if got := done[i].Swap(0); got != 1 {
						t.Fatalf("procs %d helpers %d job %d: item %d done %d times", procs, helpers, job, i, got)
					}
				}
			}
			p.close()
		}
		runtime.GOMAXPROCS(prev)
	}
}

// TestClaimBoundsCoverTheEntryLargestFirst checks the chunks workers claim:
// together exactly the entry's transactions in order, never larger than the
// one before, never under minClaim except a last remainder, and for a full
// entry on two workers, a tail short enough that the workers finish close
// together.
func TestClaimBoundsCoverTheEntryLargestFirst(t *testing.T) {
	var buf []int
	for _, workers := range []int{1, 2, 3, 8} {
		for n := 0; n <= 300; n++ {
			b := claimBounds(buf, n, workers)
			buf = b
			if b[0] != 0 || b[len(b)-1] != n {
				t.Fatalf("n %d workers %d: bounds %v do not span [0,%d)", n, workers, b, n)
			}
			for i := 1; i < len(b); i++ {
				size := b[i] - b[i-1]
				if size <= 0 {
					t.Fatalf("n %d workers %d: empty or backwards chunk in %v", n, workers, b)
				}
				if i > 1 && size > b[i-1]-b[i-2] {
					t.Fatalf("n %d workers %d: chunk %d larger than the one before: %v", n, workers, i-1, b)
				}
				if size < minClaim && i != len(b)-1 {
					t.Fatalf("n %d workers %d: chunk %d under %d before the end: %v", n, workers, i-1, minClaim, b)
				}
			}
		}
	}
	b := claimBounds(nil, 64, 2)
	if first, last := b[1]-b[0], b[len(b)-1]-b[len(b)-2]; first != 16 || last > minClaim {
		t.Fatalf("64 on two workers: first chunk %d, last %d (%v); want 16 first and at most %d last", first, last, b, minClaim)
	}
}
