package cpustat

import (
	"math"
	"runtime"
	"testing"
)

func TestParseSumsTheStatesAndTakesSteal(t *testing.T) {
	stat := []byte("cpu  100 5 50 800 10 1 2 32 7 0\ncpu0 50 2 25 400 5 0 1 16 0 0\nintr 12345\n")
	got, err := Parse(stat)
	if err != nil {
		t.Fatal(err)
	}
	// Guest time (7) is already inside user; it must not count twice.
	if want := (Times{Total: 100 + 5 + 50 + 800 + 10 + 1 + 2 + 32, Steal: 32}); got != want {
		t.Errorf("Parse = %+v, want %+v", got, want)
	}
}

func TestParseRejectsWhatIsNotProcStat(t *testing.T) {
	for name, in := range map[string]string{
		"empty":        "",
		"no cpu line":  "cpu0 1 2 3 4 5 6 7 8\n",
		"no steal":     "cpu 1 2 3 4 5 6 7\n",
		"not a number": "cpu 1 2 3 4 5 6 7 x\n",
	} {
		if _, err := Parse([]byte(in)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestStealPercentIsTheShareOfTheInterval(t *testing.T) {
	a := Times{Total: 1000, Steal: 10}
	b := Times{Total: 1400, Steal: 70}
	if p, ok := StealPercent(a, b); !ok || math.Abs(p-15) > 1e-9 {
		t.Errorf("StealPercent = %v, %v, want 15, true", p, ok)
	}
	if _, ok := StealPercent(b, b); ok {
		t.Errorf("no time passed, yet a percentage")
	}
}

func TestReadOnLinux(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc/stat is Linux's")
	}
	a, err := Read()
	if err != nil {
		t.Fatal(err)
	}
	if a.Total == 0 || a.Steal > a.Total {
		t.Errorf("Read = %+v", a)
	}
}
