package consensus

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestScenarios runs the scripts in testdata. One command a line, # starts a
// comment; slot 0 is the root from the start:
//
//	stake A 10            validator A has stake 10 (before any vote)
//	slot 5 3              slot 5 is a child of slot 3
//	chain 1 40            slots 1..40, each a child of the previous
//	vote A 5              A votes on 5; its tower must allow it
//	votes A 1 40          A votes on every slot from 1 to 40
//	refuse A 7            A's tower must refuse 7 (locked out)
//	setroot 3             fork choice prunes to the subtree of 3
//	expect best 5         fork choice's best slot
//	expect confirmed 4 5  confirmed on the fork of slot 5 (or "none")
//	expect finalized 3    finalized slot (or "none")
//	expect root A 3       A's tower root (or "none")
func TestScenarios(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txt")
	if len(files) < 3 {
		t.Fatalf("%d scenario scripts", len(files))
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) { runScenario(t, file) })
	}
}

type scenario struct {
	t      *testing.T
	fc     *ForkChoice
	stakes map[string]uint64
	towers map[string]*Tower
	agg    *Aggregator
}

func runScenario(t *testing.T, file string) {
	fh, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	sc := &scenario{t: t, fc: NewForkChoice(0), stakes: map[string]uint64{}, towers: map[string]*Tower{}}
	lines := bufio.NewScanner(fh)
	for n := 1; lines.Scan(); n++ {
		line, _, _ := strings.Cut(lines.Text(), "#")
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if err := sc.do(f); err != "" {
			t.Fatalf("%s:%d: %s: %s", file, n, line, err)
		}
	}
}

func num(s string) uint64 {
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		panic("scenario: bad number " + s)
	}
	return v
}

func opt(s string) (uint64, bool) {
	if s == "none" {
		return 0, false
	}
	return num(s), true
}

func (sc *scenario) aggregator() *Aggregator {
	if sc.agg == nil {
		var total uint64
		for _, s := range sc.stakes {
			total += s
		}
		sc.agg = NewAggregator(total)
	}
	return sc.agg
}

func (sc *scenario) vote(who string, slot uint64) string {
	tw := sc.towers[who]
	if tw == nil {
		return "unknown validator " + who
	}
	anc, err := sc.fc.Fork(slot)
	if err != nil {
		return err.Error()
	}
	if tw.IsLockedOut(slot, anc) {
		return "tower refused the vote"
	}
	tw.RecordVote(slot, hashOf(slot))
	if err := sc.fc.Vote(key(who), slot, sc.stakes[who]); err != nil {
		return err.Error()
	}
	sc.aggregator().ObserveTower(key(who), sc.stakes[who], tw)
	return ""
}

func (sc *scenario) do(f []string) string {
	switch {
	case f[0] == "stake" && len(f) == 3:
		sc.stakes[f[1]] = num(f[2])
		sc.towers[f[1]] = NewTower()
	case f[0] == "slot" && len(f) == 3:
		if err := sc.fc.AddSlot(num(f[1]), num(f[2])); err != nil {
			return err.Error()
		}
	case f[0] == "chain" && len(f) == 3:
		for s := num(f[1]); s <= num(f[2]); s++ {
			if err := sc.fc.AddSlot(s, s-1); err != nil {
				return err.Error()
			}
		}
	case f[0] == "vote" && len(f) == 3:
		return sc.vote(f[1], num(f[2]))
	case f[0] == "votes" && len(f) == 4:
		for s := num(f[2]); s <= num(f[3]); s++ {
			if err := sc.vote(f[1], s); err != "" {
				return "slot " + strconv.FormatUint(s, 10) + ": " + err
			}
		}
	case f[0] == "refuse" && len(f) == 3:
		anc, err := sc.fc.Fork(num(f[2]))
		if err != nil {
			return err.Error()
		}
		if tw := sc.towers[f[1]]; tw == nil || !tw.IsLockedOut(num(f[2]), anc) {
			return "tower allowed the vote"
		}
	case f[0] == "setroot" && len(f) == 2:
		if err := sc.fc.SetRoot(num(f[1])); err != nil {
			return err.Error()
		}
	case f[0] == "expect" && len(f) >= 3:
		return sc.expect(f[1:])
	default:
		return "unknown command"
	}
	return ""
}

func (sc *scenario) expect(f []string) string {
	var got uint64
	var ok bool
	want, wantOK := opt(f[len(f)-1])
	if f[0] == "confirmed" && len(f) == 3 {
		want, wantOK = opt(f[1])
	}
	switch {
	case f[0] == "best" && len(f) == 2:
		got, ok = sc.fc.BestSlot(), true
	case f[0] == "confirmed" && len(f) == 3:
		fork, err := sc.fc.Fork(num(f[2]))
		if err != nil {
			return err.Error()
		}
		got, ok = sc.aggregator().ConfirmedWith(fork, sc.fc)
	case f[0] == "finalized" && len(f) == 2:
		got, ok = sc.aggregator().Finalized()
	case f[0] == "root" && len(f) == 3:
		tw := sc.towers[f[1]]
		if tw == nil {
			return "unknown validator"
		}
		got, ok = tw.Root()
	default:
		return "unknown expectation"
	}
	if ok != wantOK || (ok && got != want) {
		if !ok {
			return "got none"
		}
		return "got " + strconv.FormatUint(got, 10)
	}
	return ""
}
