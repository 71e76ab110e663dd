package turbine

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/gnomon-chain/gnomon/internal/shred"
)

// FuzzDeshred feeds a Deshredder random bytes, mutations of a real slot's
// shreds and the real shreds themselves, in an order the fuzzer picks. It
// must never panic, every rejection must be of a stated class, and if the
// slot completes, it must be exactly the slot the leader shredded: nothing
// the fuzzer made up without the leader's key may get in.
//
// The script is read 4 bytes at a time: shred number (mod the slot's
// shreds), a 16-bit offset, and a byte to xor there (0: send it unchanged).
// The raw input is also offered once as a shred.
func FuzzDeshred(f *testing.F) {
	const slot = 21
	batches := [][]byte{bytes.Repeat([]byte("entries!"), 5000), []byte("second batch")}
	shreds := shredSlot(f, testLeader, SlotHeader{Slot: slot, Parent: 20, ReferenceTick: 1}, batches...)
	f.Add([]byte{})
	var all []byte
	for i := range shreds {
		all = append(all, byte(i), 0, 0, 0)
	}
	f.Add(all)
	f.Add(append(bytes.Clone(all[:4*40]), 3, 0, 90, 1, 70, 4, 0, 0x80))
	f.Add(bytes.Clone(shreds[0]))
	f.Add(bytes.Clone(shreds[shred.SetSize]))

	f.Fuzz(func(t *testing.T, script []byte) {
		d := newTestDeshredder(t, slot)
		insert := func(b []byte) {
			err := d.Insert(b)
			if err != nil && !errors.Is(err, shred.ErrMalformed) && !errors.Is(err, ErrWrongSlot) &&
				!errors.Is(err, ErrWrongVersion) && !errors.Is(err, ErrBadSignature) && !errors.Is(err, ErrBadProof) &&
				!errors.Is(err, ErrDuplicateShred) {
				t.Fatalf("Insert: unexpected error class: %v", err)
			}
		}
		insert(script)
		for len(script) >= 4 {
			b := bytes.Clone(shreds[int(script[0])%len(shreds)])
			if off := int(binary.LittleEndian.Uint16(script[1:3])); script[3] != 0 && off < len(b) {
				b[off] ^= script[3]
			}
			insert(b)
			script = script[4:]
		}
		if n := len(d.DuplicateProofs()); n != 0 {
			t.Fatalf("%d duplicate proofs from one honest leader", n)
		}
		st := d.Stats()
		if st.Accepted > uint64(len(shreds)) {
			t.Fatalf("accepted %d of %d shreds", st.Accepted, len(shreds))
		}
		if d.Complete() {
			got, err := d.Batches()
			if err != nil {
				t.Fatal(err)
			}
			if !equalBatches(got, batches) {
				t.Fatal("reassembled a slot the leader did not shred")
			}
		}
	})
}
