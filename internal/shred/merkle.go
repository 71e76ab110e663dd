package shred

import "github.com/zeebo/blake3"

// Node is a Merkle tree node of an FEC set, a leaf and the root included:
// the first 20 bytes of a blake3 hash. doc.go says why 20.
type Node [ProofNodeSize]byte

// Domain-separation prefixes: a leaf hash, a node hash and the signed root
// message each start with their own, so no input of one kind parses as
// another.
const (
	LeafPrefix = "\x00GNOMON_SHRED_LEAF"
	NodePrefix = "\x01GNOMON_SHRED_NODE"
	RootDomain = "\x02GNOMON_SHRED_ROOT"
)

// Leaf returns the Merkle leaf of the shred in b, which must be exactly
// DataSize or CodingSize long: the hash of LeafPrefix and the bytes between
// the signature and the proof. It reads only those bytes, so it can be
// computed before the signature and proof are written.
func Leaf(b []byte) Node {
	// One stack buffer rather than a streaming hasher keeps Leaf free of
	// allocations; the copy costs far less than the hash.
	var buf [len(LeafPrefix) + CodingSize - SignatureSize - ProofSize]byte
	n := copy(buf[:], LeafPrefix)
	n += copy(buf[n:], b[SignatureSize:len(b)-ProofSize])
	return truncate(blake3.Sum256(buf[:n]))
}

// Join returns the parent of left and right.
func Join(left, right Node) Node {
	var buf [len(NodePrefix) + 2*ProofNodeSize]byte
	n := copy(buf[:], NodePrefix)
	n += copy(buf[n:], left[:])
	copy(buf[n:], right[:])
	return truncate(blake3.Sum256(buf[:]))
}

func truncate(h [32]byte) Node { return Node(h[:ProofNodeSize]) }

// RootFromProof returns the root reached from leaf at position index (0..63)
// through proof, ProofDepth sibling nodes from the leaf level up. A proof of
// the wrong length gives the zero Node, which no honest root equals.
func RootFromProof(leaf Node, index int, proof []byte) Node {
	if len(proof) != ProofSize || index < 0 || index >= SetSize {
		return Node{}
	}
	cur := leaf
	for i := 0; i < ProofDepth; i++ {
		sib := Node(proof[i*ProofNodeSize : (i+1)*ProofNodeSize])
		if index&1 == 0 {
			cur = Join(cur, sib)
		} else {
			cur = Join(sib, cur)
		}
		index >>= 1
	}
	return cur
}

// RootMessage returns the bytes the leader signs for a set with this root.
func RootMessage(root Node) [len(RootDomain) + ProofNodeSize]byte {
	var m [len(RootDomain) + ProofNodeSize]byte
	n := copy(m[:], RootDomain)
	copy(m[n:], root[:])
	return m
}

// Tree is the Merkle tree of one FEC set, kept flat: the 64 leaves, then
// each level above, the root last. The zero Tree is ready to use and can be
// reused for the next set.
type Tree struct {
	nodes [2*SetSize - 1]Node
}

// SetLeaf sets leaf i (0..63).
func (t *Tree) SetLeaf(i int, leaf Node) { t.nodes[i] = leaf }

// Build computes every level above the leaves and returns the root.
func (t *Tree) Build() Node {
	lo, width := 0, SetSize
	for width > 1 {
		up := lo + width
		for i := 0; i < width; i += 2 {
			t.nodes[up+i/2] = Join(t.nodes[lo+i], t.nodes[lo+i+1])
		}
		lo, width = up, width/2
	}
	return t.nodes[lo]
}

// Root returns the root computed by the last Build.
func (t *Tree) Root() Node { return t.nodes[len(t.nodes)-1] }

// WriteProof writes leaf i's proof into dst, which must be ProofSize long.
func (t *Tree) WriteProof(i int, dst []byte) {
	lo, width := 0, SetSize
	for level := 0; level < ProofDepth; level++ {
		copy(dst[level*ProofNodeSize:], t.nodes[lo+(i^1)][:])
		lo, width, i = lo+width, width/2, i/2
	}
}
