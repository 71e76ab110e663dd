package poh

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// wantBadAt checks err names entry idx as the first bad one.
func wantBadAt(t *testing.T, err error, idx int) {
	t.Helper()
	if !errors.Is(err, ErrInvalidEntry) {
		t.Fatalf("got %v, want ErrInvalidEntry", err)
	}
	var ie *InvalidEntryError
	if !errors.As(err, &ie) || ie.Index != idx {
		t.Fatalf("got %v, want entry %d named", err, idx)
	}
}

func TestVerifyAcceptsARecordedChain(t *testing.T) {
	start, entries := testChain(t, 40, 12)
	for _, w := range []int{1, 2, 3, 4, 64} {
		if err := Verify(start, entries, w); err != nil {
			t.Fatalf("workers %d: %v", w, err)
		}
	}
	if err := Verify(start, nil, 4); err != nil {
		t.Fatalf("no entries: %v", err)
	}
}

func TestVerifyRejectsAWrongStartHash(t *testing.T) {
	start, entries := testChain(t, 40, 6)
	start[31] ^= 1
	wantBadAt(t, Verify(start, entries, 4), 0)
}

// tamper is one way a forged block can differ from the recorded one.
type tamper struct {
	name string
	edit func(es []Entry, i int)
}

var tampers = []tamper{
	{"hash", func(es []Entry, i int) { es[i].Hash[5] ^= 0x40 }},
	{"num_hashes+1", func(es []Entry, i int) { es[i].NumHashes++ }},
	{"num_hashes-1", func(es []Entry, i int) { es[i].NumHashes-- }},
	{"num_hashes=0", func(es []Entry, i int) { es[i].NumHashes = 0 }},
	{"transaction swapped", func(es []Entry, i int) {
		es[i].Transactions = slices.Clone(es[i].Transactions)
		es[i].Transactions[0] = es[len(es)-1].Transactions[0]
	}},
	{"transaction dropped", func(es []Entry, i int) {
		es[i].Transactions = es[i].Transactions[1:]
	}},
	{"transaction added", func(es []Entry, i int) {
		es[i].Transactions = append(slices.Clone(es[i].Transactions), es[len(es)-1].Transactions[0])
	}},
}

// TestVerifyRejectsTamperedEntries tampers with one entry at a time, at
// every position, and checks every worker count names that entry.
func TestVerifyRejectsTamperedEntries(t *testing.T) {
	start, entries := testChain(t, 40, 9)
	// A foreign transaction batch at the end to swap in from.
	entries = append(entries, Entry{NumHashes: 1, Transactions: testTxs(t, 200, 2)})
	entries[len(entries)-1].Hash = NextHash(entries[len(entries)-2].Hash, 1, entries[len(entries)-1].Transactions)
	if err := Verify(start, entries, 1); err != nil {
		t.Fatal(err)
	}
	for _, tm := range tampers {
		for i := range len(entries) - 1 {
			if strings.HasPrefix(tm.name, "transaction") && entries[i].IsTick() {
				continue
			}
			if tm.name == "transaction dropped" && len(entries[i].Transactions) < 2 {
				continue
			}
			for _, w := range []int{1, 4} {
				es := slices.Clone(entries)
				tm.edit(es, i)
				t.Run(fmt.Sprintf("%s/entry=%d/workers=%d", tm.name, i, w), func(t *testing.T) {
					wantBadAt(t, Verify(start, es, w), i)
				})
			}
		}
	}
}

func TestVerifyRejectsReorderedEntries(t *testing.T) {
	start, entries := testChain(t, 40, 8)
	for i := 0; i+1 < len(entries); i += 3 {
		es := slices.Clone(entries)
		es[i], es[i+1] = es[i+1], es[i]
		for _, w := range []int{1, 4} {
			wantBadAt(t, Verify(start, es, w), i)
		}
	}
}

// TestVerifyWorkersAgree: parallel verification gives the serial verdict, and
// names the same first bad entry, when several entries are bad.
func TestVerifyWorkersAgree(t *testing.T) {
	start, entries := testChain(t, 30, 40)
	for trial := range 50 {
		es := slices.Clone(entries)
		// Break up to three entries chosen by the trial number.
		for k := range trial % 4 {
			es[(trial*7+k*13)%len(es)].Hash[0] ^= 1
		}
		serial := Verify(start, es, 1)
		for _, w := range []int{2, 3, 4, 8} {
			par := Verify(start, es, w)
			if (serial == nil) != (par == nil) || (serial != nil && serial.Error() != par.Error()) {
				t.Fatalf("trial %d: workers 1 says %v, workers %d says %v", trial, serial, w, par)
			}
		}
	}
}

func TestSplitByWorkCoversEveryEntryOnce(t *testing.T) {
	entries := make([]Entry, 37)
	for i := range entries {
		entries[i].NumHashes = uint64(1 + (i*i)%11)
	}
	entries[5].NumHashes = ^uint64(0) // forged: must not wrap the sum
	for parts := 1; parts <= 40; parts++ {
		b := splitByWork(entries, parts)
		if b[0] != 0 || b[len(b)-1] != len(entries) || len(b)-1 > parts {
			t.Fatalf("parts %d: bounds %v", parts, b)
		}
		for k := 1; k < len(b); k++ {
			if b[k] <= b[k-1] {
				t.Fatalf("parts %d: empty or backwards range in %v", parts, b)
			}
		}
	}
}

func TestVerifyTicksChecksTheTickShape(t *testing.T) {
	_, entries := testChain(t, 40, 8)
	if err := VerifyTicks(entries, 40, 8); err != nil {
		t.Fatal(err)
	}
	if err := VerifyTicks(entries, 0, 0); err != nil {
		t.Fatalf("low power: %v", err)
	}
	if err := VerifyTicks(entries, 41, 8); !errors.Is(err, ErrInvalidEntry) {
		t.Fatalf("wrong hashes per tick: %v", err)
	}
	if err := VerifyTicks(entries, 40, 9); !errors.Is(err, ErrInvalidEntry) {
		t.Fatalf("too few ticks: %v", err)
	}
	if err := VerifyTicks(entries, 40, 7); !errors.Is(err, ErrInvalidEntry) {
		t.Fatalf("too many ticks: %v", err)
	}
	// A record at the end, after the last tick, is not a complete block.
	last := Entry{NumHashes: 1, Transactions: testTxs(t, 1, 1)}
	if err := VerifyTicks(append(slices.Clone(entries), last), 40, 8); !errors.Is(err, ErrInvalidEntry) {
		t.Fatalf("block not ending with a tick: %v", err)
	}
	// An entry claiming more hashes than a tick holds is refused before any
	// hashing: the guard against a forged num_hashes near 2^64.
	es := slices.Clone(entries)
	es[0].NumHashes = ^uint64(0)
	wantBadAt(t, VerifyTicks(es, 40, 8), 0)
}
