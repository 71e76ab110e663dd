package turbine

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/gnomon-chain/gnomon/internal/shred"
)

const benchSlotSize = 1 << 20 // a 1 MiB slot: 1,054 data shreds, 33 FEC sets

// BenchmarkShred measures shred+sign of a 1 MiB slot: cutting, Reed–Solomon
// coding, Merkle trees, one signature per set. MB/s is slot bytes.
func BenchmarkShred(b *testing.B) {
	data := randomBytes(rand.New(rand.NewPCG(1, 1)), benchSlotSize)
	s, err := NewShredder(testLeader, testVersion)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(benchSlotSize)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Shred(SlotHeader{Slot: 10, Parent: 9}, data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRecover measures deshredding a 1 MiB slot from half of each
// set's shreds through to its reassembled bytes: parse, one signature check
// per set, Merkle checks, Reed–Solomon recovery, re-verification of the
// rebuilt tree. drop=none is the same slot with nothing missing, for scale.
func BenchmarkRecover(b *testing.B) {
	data := randomBytes(rand.New(rand.NewPCG(1, 1)), benchSlotSize)
	shreds := shredSlot(b, testLeader, SlotHeader{Slot: 10, Parent: 9}, data)
	var dataOnly, codingOnly [][]byte
	for i, s := range shreds {
		if i%shred.SetSize < shred.DataPerSet {
			dataOnly = append(dataOnly, s)
		} else {
			codingOnly = append(codingOnly, s)
		}
	}
	cases := []struct {
		name string
		kept [][]byte
	}{
		{"drop=none", dataOnly},
		{"drop=random-half", keepHalf(rand.New(rand.NewPCG(2, 2)), shreds)},
		{"drop=all-data", codingOnly},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(benchSlotSize)
			b.ReportAllocs()
			for b.Loop() {
				d, err := NewDeshredder(10, testLeader.Pubkey(), testVersion)
				if err != nil {
					b.Fatal(err)
				}
				for _, s := range c.kept {
					if err := d.Insert(s); err != nil && !errors.Is(err, ErrDuplicateShred) {
						b.Fatal(err)
					}
				}
				if _, err := d.Batches(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
