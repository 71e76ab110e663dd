package shred

import (
	"bytes"
	"errors"
	"testing"

	"github.com/gnomon-chain/gnomon/sdk"
)

func testKeypair(t testing.TB) sdk.Keypair {
	t.Helper()
	var seed [32]byte
	copy(seed[:], "shred test leader key seed......")
	return sdk.KeypairFromSeed(seed)
}

// testSet builds one signed FEC set by hand (no erasure coding: the parity
// bytes are arbitrary here, since this package does not check them).
func testSet(t testing.TB, slot uint64, fec uint32, payload []byte) [][]byte {
	t.Helper()
	set := make([][]byte, SetSize)
	c := Common{Slot: slot, Version: 7, FECSetIndex: fec}
	for i := range DataPerSet {
		b := make([]byte, DataSize)
		c.Index = fec + uint32(i)
		var f Flags = 5
		var n int
		if i == 0 {
			n = copy(b[DataHeaderSize:], payload)
			f |= FlagDataComplete
		} else {
			f |= FlagDataComplete // padding
		}
		if i == DataPerSet-1 {
			f |= FlagLastInSlot
		}
		PutData(b, c, DataHeader{ParentOffset: 1, Flags: f, Size: uint16(n)})
		set[i] = b
	}
	for j := range CodingPerSet {
		b := make([]byte, CodingSize)
		c.Index = fec + uint32(j)
		PutCoding(b, c, CodingHeader{NumData: DataPerSet, NumCoding: CodingPerSet, Position: uint16(j)})
		for k := range ErasureShard(b) {
			ErasureShard(b)[k] = byte(j + k)
		}
		set[DataPerSet+j] = b
	}
	var tree Tree
	for i, b := range set {
		tree.SetLeaf(i, Leaf(b))
	}
	msg := RootMessage(tree.Build())
	sig := testKeypair(t).Sign(msg[:])
	for i, b := range set {
		PutSignature(b, sig)
		tree.WriteProof(i, ProofBytes(b))
	}
	return set
}

func TestLayoutConstants(t *testing.T) {
	// The arithmetic doc.go explains; a change to one constant must be a
	// change to the format, made on purpose.
	checks := []struct {
		name      string
		got, want int
	}{
		{"CommonHeaderSize", CommonHeaderSize, 64 + 1 + 8 + 4 + 2 + 4},
		{"DataHeaderSize", DataHeaderSize, CommonHeaderSize + 2 + 1 + 2},
		{"CodingHeaderSize", CodingHeaderSize, CommonHeaderSize + 2 + 2 + 2},
		{"DataCapacity", DataCapacity, 995},
		{"ErasureShardSize", ErasureShardSize, 1019},
		{"CodingSize", CodingHeaderSize + ErasureShardSize + ProofSize, CodingSize},
		{"DataSize", DataHeaderSize + DataCapacity + ProofSize, DataSize},
		{"fits 1232 with a 4-byte repair nonce", MaxSize + 4, 1232},
		{"proof depth", 1 << ProofDepth, SetSize},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
		}
	}
}

func TestParseReadsWhatPutWrote(t *testing.T) {
	set := testSet(t, 100, 64, []byte("hello"))
	d, err := Parse(set[0])
	if err != nil {
		t.Fatal(err)
	}
	if d.Type() != TypeData || d.Slot() != 100 || d.Index() != 64 || d.Version() != 7 || d.FECSetIndex() != 64 ||
		d.ParentOffset() != 1 || d.Parent() != 99 || !d.DataComplete() || d.LastInSlot() || d.ReferenceTick() != 5 ||
		string(d.Payload()) != "hello" || d.LeafIndex() != 0 {
		t.Fatalf("data shred fields wrong: %+v", d.Key())
	}
	last, err := Parse(set[DataPerSet-1])
	if err != nil || !last.LastInSlot() || last.Index() != 95 || last.LeafIndex() != 31 || len(last.Payload()) != 0 {
		t.Fatalf("last data shred: %v", err)
	}
	c, err := Parse(set[DataPerSet+3])
	if err != nil {
		t.Fatal(err)
	}
	if c.Type() != TypeCoding || c.Index() != 67 || c.Position() != 3 || c.NumData() != 32 || c.NumCoding() != 32 ||
		c.LeafIndex() != 35 || len(c.Payload()) != ErasureShardSize || c.Flags() != 0 || c.Parent() != 0 {
		t.Fatalf("coding shred fields wrong: %+v", c.Key())
	}
	if &d.Payload()[0] != &set[0][DataHeaderSize] {
		t.Fatal("Payload copied instead of aliasing the input")
	}
}

func TestEveryShredOfASetVerifiesAgainstOneRoot(t *testing.T) {
	set := testSet(t, 9, 0, []byte("x"))
	leader := testKeypair(t).Pubkey()
	root := Node{}
	for i, b := range set {
		s, err := Parse(b)
		if err != nil {
			t.Fatalf("shred %d: %v", i, err)
		}
		if i == 0 {
			root = s.MerkleRoot()
		} else if s.MerkleRoot() != root {
			t.Fatalf("shred %d leads to another root", i)
		}
		if !s.VerifySignature(leader) {
			t.Fatalf("shred %d: signature does not verify", i)
		}
	}
}

func TestVerifySignatureRejectsChanges(t *testing.T) {
	leader := testKeypair(t).Pubkey()
	cases := map[string]func(b []byte){
		"payload byte": func(b []byte) { b[DataHeaderSize] ^= 1 },
		"slot":         func(b []byte) { b[offSlot] ^= 1 },
		"proof node":   func(b []byte) { b[len(b)-1] ^= 1 },
		"signature":    func(b []byte) { b[10] ^= 1 },
		"flags tick":   func(b []byte) { b[offFlags] ^= 2 },
	}
	for name, change := range cases {
		t.Run(name, func(t *testing.T) {
			b := bytes.Clone(testSet(t, 9, 0, []byte("x"))[0])
			change(b)
			s, err := Parse(b)
			if err != nil {
				t.Fatalf("change should still parse: %v", err)
			}
			if s.VerifySignature(leader) {
				t.Fatal("changed shred still verifies")
			}
		})
	}
	other := sdk.KeypairFromSeed([32]byte{1})
	s, _ := Parse(testSet(t, 9, 0, nil)[0])
	if s.VerifySignature(other.Pubkey()) {
		t.Fatal("verifies under another leader")
	}
}

func TestParseRejectsMalformed(t *testing.T) {
	data := func(change func(b []byte)) []byte {
		b := bytes.Clone(testSet(t, 100, 64, []byte("hello"))[0])
		change(b)
		return b
	}
	coding := func(change func(b []byte)) []byte {
		b := bytes.Clone(testSet(t, 100, 64, nil)[DataPerSet+3])
		change(b)
		return b
	}
	put16 := func(b []byte, off int, v uint16) { b[off], b[off+1] = byte(v), byte(v>>8) }
	put32 := func(b []byte, off int, v uint32) {
		b[off], b[off+1], b[off+2], b[off+3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
	}
	cases := map[string][]byte{
		"empty":                 nil,
		"64 bytes":              make([]byte, 64),
		"unknown type":          data(func(b []byte) { b[offVariant] = 0x36 }),
		"proof depth 5":         data(func(b []byte) { b[offVariant] = 0xA5 }),
		"data as coding length": append(data(func([]byte) {}), make([]byte, 25)...),
		"data truncated":        data(func([]byte) {})[:DataSize-1],
		"coding truncated":      coding(func([]byte) {})[:CodingSize-1],
		"coding with data type": coding(func(b []byte) { b[offVariant] = Variant(TypeData) }),
		"index too large": data(func(b []byte) {
			put32(b, offIndex, MaxDataShredsPerSlot+5)
			put32(b, offFECSetIndex, MaxDataShredsPerSlot)
		}),
		"fec not multiple of 32": data(func(b []byte) { put32(b, offFECSetIndex, 63) }),
		"index below fec":        data(func(b []byte) { put32(b, offIndex, 63) }),
		"index past set":         data(func(b []byte) { put32(b, offIndex, 96) }),
		"parent offset 0":        data(func(b []byte) { put16(b, offParentOffset, 0) }),
		"parent offset > slot":   data(func(b []byte) { put16(b, offParentOffset, 101) }),
		"size > capacity":        data(func(b []byte) { put16(b, offSize, DataCapacity+1) }),
		"nonzero after size":     data(func(b []byte) { b[DataHeaderSize+10] = 1 }),
		"last without complete":  data(func(b []byte) { b[offFlags] = byte(FlagLastInSlot) }),
		"last not end of set":    data(func(b []byte) { b[offFlags] = byte(FlagLastInSlot | FlagDataComplete) }),
		"empty not complete":     data(func(b []byte) { put16(b, offSize, 0); clear(b[DataHeaderSize : DataHeaderSize+5]); b[offFlags] = 0 }),
		"num_data 31":            coding(func(b []byte) { put16(b, offNumData, 31) }),
		"num_coding 33":          coding(func(b []byte) { put16(b, offNumCoding, 33) }),
		"position >= num_coding": coding(func(b []byte) { put16(b, offPosition, 32) }),
		"coding index mismatch":  coding(func(b []byte) { put32(b, offIndex, 66) }),
	}
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(b)
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Parse = %v, want ErrMalformed", err)
			}
		})
	}
	slot0 := bytes.Clone(testSet(t, 0, 0, nil)[0])
	put16(slot0, offParentOffset, 0)
	if _, err := Parse(slot0); err != nil {
		t.Fatalf("slot 0 with parent offset 0: %v", err)
	}
}

func TestMerkleDomainsAreSeparate(t *testing.T) {
	// A node's input can never be a leaf's input and the reverse: the
	// prefixes differ in their first byte.
	if LeafPrefix[0] == NodePrefix[0] || NodePrefix[0] == RootDomain[0] || LeafPrefix[0] == RootDomain[0] {
		t.Fatal("domain prefixes share a first byte")
	}
	var a, b Node
	b[0] = 1
	if Join(a, b) == Join(b, a) {
		t.Fatal("Join is symmetric: left and right are not bound")
	}
	if RootFromProof(a, 0, make([]byte, ProofSize-1)) != (Node{}) || RootFromProof(a, SetSize, make([]byte, ProofSize)) != (Node{}) {
		t.Fatal("bad proof length or index not refused")
	}
}

func TestTreeProofsLeadToRoot(t *testing.T) {
	var tree Tree
	for i := range SetSize {
		tree.SetLeaf(i, Node{byte(i), 1})
	}
	root := tree.Build()
	proof := make([]byte, ProofSize)
	for i := range SetSize {
		tree.WriteProof(i, proof)
		if RootFromProof(Node{byte(i), 1}, i, proof) != root {
			t.Fatalf("leaf %d: proof does not lead to the root", i)
		}
		if RootFromProof(Node{byte(i), 1}, i^1, proof) == root {
			t.Fatalf("leaf %d: proof valid at the sibling's position", i)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	set := testSet(b, 100, 64, bytes.Repeat([]byte{1}, DataCapacity))
	b.SetBytes(DataSize)
	for b.Loop() {
		if _, err := Parse(set[0]); err != nil {
			b.Fatal(err)
		}
	}
}
