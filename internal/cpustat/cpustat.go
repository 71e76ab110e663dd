// Package cpustat reads the machine's CPU time accounting from Linux's
// /proc/stat, so that a measurement can say how much of the machine the
// hypervisor took from it (steal). On a shared VM a benchmark that lost a
// fifth of a core to steal measures the neighbours, not the code.
//
// It owns parsing that file and nothing else: it never samples on its own
// or keeps state between calls, and on other systems it reports an error
// rather than a guess.
package cpustat

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Times is the machine's CPU time since boot, summed over all CPUs, in
// clock ticks.
type Times struct {
	// Total is every state: user, nice, system, idle, iowait, irq,
	// softirq and steal (guest time is already counted in user and nice).
	Total uint64
	// Steal is the time the hypervisor ran something else while this
	// machine's virtual CPUs wanted to run.
	Steal uint64
}

// Read returns the machine's CPU times now.
func Read() (Times, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return Times{}, fmt.Errorf("cpustat: %w", err)
	}
	return Parse(b)
}

// Parse reads the aggregate "cpu" line of /proc/stat content.
func Parse(b []byte) (Times, error) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 || f[0] != "cpu" {
			continue
		}
		// user nice system idle iowait irq softirq steal [guest guest_nice]
		if len(f) < 9 {
			return Times{}, errors.New("cpustat: cpu line has no steal field")
		}
		var t Times
		for i, s := range f[1:9] {
			v, err := strconv.ParseUint(s, 10, 64)
			if err != nil {
				return Times{}, fmt.Errorf("cpustat: cpu field %d: %w", i+1, err)
			}
			t.Total += v
			if i == 7 {
				t.Steal = v
			}
		}
		return t, nil
	}
	return Times{}, errors.New("cpustat: no aggregate cpu line")
}

// StealPercent is the share of the machine's CPU time stolen between a and
// b, 0–100 whatever the number of CPUs; ok is false when no time passed.
func StealPercent(a, b Times) (pct float64, ok bool) {
	if b.Total <= a.Total || b.Steal < a.Steal {
		return 0, false
	}
	return float64(b.Steal-a.Steal) / float64(b.Total-a.Total) * 100, true
}
