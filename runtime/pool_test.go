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
						if w != 0 && (job+i)%29 == 0 {
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
