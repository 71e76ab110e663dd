package shred

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzParseShred checks that Parse never panics, that everything it refuses
// is ErrMalformed, and that everything it accepts reads within bounds and
// keeps the rules it promises.
func FuzzParseShred(f *testing.F) {
	set := testSet(f, 100, 64, []byte("fuzz seed payload"))
	f.Add(set[0])
	f.Add(set[DataPerSet-1])
	f.Add(set[DataPerSet])
	f.Add(set[SetSize-1])
	f.Add(set[0][:DataSize-1])
	f.Add(append(bytes.Clone(set[0]), 0))
	f.Add([]byte{})
	f.Add(make([]byte, CodingSize))
	leader := testKeypair(f).Pubkey()
	f.Fuzz(func(t *testing.T, b []byte) {
		orig := bytes.Clone(b)
		s, err := Parse(b)
		if !bytes.Equal(orig, b) {
			t.Fatal("Parse changed its input")
		}
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v is not ErrMalformed", err)
			}
			return
		}
		if len(b) != DataSize && len(b) != CodingSize {
			t.Fatalf("accepted %d bytes", len(b))
		}
		if s.Index() >= MaxDataShredsPerSlot || s.FECSetIndex()%DataPerSet != 0 {
			t.Fatalf("accepted index %d fec %d", s.Index(), s.FECSetIndex())
		}
		if li := s.LeafIndex(); li < 0 || li >= SetSize || (li < DataPerSet) != s.IsData() {
			t.Fatalf("leaf index %d for %s", li, s.Type())
		}
		if s.IsData() {
			if s.Parent() > s.Slot() || (s.Slot() > 0 && s.Parent() == s.Slot()) {
				t.Fatalf("parent %d of slot %d", s.Parent(), s.Slot())
			}
			if s.LastInSlot() && !s.DataComplete() {
				t.Fatal("LAST_IN_SLOT without DATA_COMPLETE")
			}
		}
		_ = s.Payload()
		_ = s.ErasureShard()
		_ = s.MerkleRoot()
		if s.VerifySignature(leader) && !bytes.Equal(b, set[s.LeafIndex()]) && s.Slot() == 100 && s.FECSetIndex() == 64 {
			t.Fatal("a shred the leader did not sign verifies")
		}
	})
}
