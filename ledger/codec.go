package ledger

import (
	"errors"
	"fmt"
	"math"

	"github.com/umbracle/fastrlp"
)

// ErrCorrupt marks a stored value that does not decode. Decoding never
// panics: every length and index is checked against the input first.
var ErrCorrupt = errors.New("ledger: corrupt record")

var (
	arenas  fastrlp.ArenaPool
	parsers fastrlp.ParserPool
)

// encoder wraps a pooled arena. It only ever uses NewCopyBytes and NewUint:
// fastrlp's arena reuses each value's byte slice on the next use, so a value
// made with NewBytes (which aliases the caller's slice) would later be
// overwritten in place, corrupting the caller's memory.
type encoder struct{ a *fastrlp.Arena }

func newEncoder() encoder { return encoder{a: arenas.Get()} }

func (e encoder) release() { arenas.Put(e.a) }

func (e encoder) list() *fastrlp.Value          { return e.a.NewArray() }
func (e encoder) uint(u uint64) *fastrlp.Value  { return e.a.NewUint(u) }
func (e encoder) bytes(b []byte) *fastrlp.Value { return e.a.NewCopyBytes(b) }

func (e encoder) bool(b bool) *fastrlp.Value {
	if b {
		return e.a.NewUint(1)
	}
	return e.a.NewUint(0)
}

// fields reads a decoded RLP list field by field, remembering the first
// error so that decoders read straight through and check once at the end.
type fields struct {
	elems []*fastrlp.Value
	err   error
}

func listOf(v *fastrlp.Value, want int) fields {
	if v == nil || v.Type() != fastrlp.TypeArray {
		return fields{err: fmt.Errorf("%w: not a list", ErrCorrupt)}
	}
	elems, _ := v.GetElems()
	if len(elems) < want {
		return fields{err: fmt.Errorf("%w: %d fields, want %d", ErrCorrupt, len(elems), want)}
	}
	return fields{elems: elems}
}

// parseList parses a whole buffer that must be exactly one RLP list of at
// least want fields. The returned values alias the parser, which the caller
// puts back when done.
func parseList(p *fastrlp.Parser, b []byte, want int) fields {
	if !nestingWithinMax(b) {
		return fields{err: fmt.Errorf("%w: lists nested deeper than %d", ErrCorrupt, maxNesting)}
	}
	v, err := p.Parse(b)
	if err != nil {
		return fields{err: fmt.Errorf("%w: %v", ErrCorrupt, err)}
	}
	if len(p.Raw(v)) != len(b) {
		return fields{err: fmt.Errorf("%w: trailing bytes", ErrCorrupt)}
	}
	return listOf(v, want)
}

// maxNesting bounds list nesting in a stored value; the ledger's own values
// nest a few levels at most. fastrlp parses nested lists recursively, and
// 2.7 KB of nested list headers took it 0.4 s per decode (found by
// FuzzDecodeStored, whose worker then counted as hung).
const maxNesting = 16

// nestingWithinMax reports whether b's RLP lists nest at most maxNesting
// deep. It walks the headers without recursion or allocation, and stops at
// the first malformed one, leaving that for the parser to reject.
func nestingWithinMax(b []byte) bool {
	var stack [maxNesting]int // where each open list ends
	ends := stack[:0]
	for i := 0; i < len(b); {
		for len(ends) > 0 && i >= ends[len(ends)-1] {
			ends = ends[:len(ends)-1]
		}
		h := b[i]
		hdr, n, list := 1, 0, false
		switch {
		case h < 0x80: // a single byte is its own value
		case h < 0xb8:
			n = int(h - 0x80)
		case h < 0xc0, h >= 0xf8:
			w := int(h - 0xb7)
			if h >= 0xf8 {
				w = int(h - 0xf7)
			}
			if w > 4 || i+1+w > len(b) {
				return true
			}
			for _, c := range b[i+1 : i+1+w] {
				n = n<<8 | int(c)
			}
			hdr, list = 1+w, h >= 0xf8
		default:
			n, list = int(h-0xc0), true
		}
		if !list {
			i += hdr + n
			continue
		}
		if len(ends) == maxNesting {
			return false
		}
		ends = append(ends, i+hdr+n)
		i += hdr
	}
	return true
}

func (f *fields) fail(i int, what string, err error) {
	if f.err == nil {
		f.err = fmt.Errorf("%w: field %d (%s): %v", ErrCorrupt, i, what, err)
	}
}

func (f *fields) u64(i int) uint64 {
	if f.err != nil {
		return 0
	}
	u, err := f.elems[i].GetUint64()
	if err != nil {
		f.fail(i, "uint", err)
	}
	return u
}

func (f *fields) u32(i int) uint32 {
	u := f.u64(i)
	if u > math.MaxUint32 {
		f.fail(i, "uint32", errors.New("out of range"))
		return 0
	}
	return uint32(u)
}

func (f *fields) u8(i int) uint8 {
	u := f.u64(i)
	if u > math.MaxUint8 {
		f.fail(i, "uint8", errors.New("out of range"))
		return 0
	}
	return uint8(u)
}

func (f *fields) flag(i int) bool {
	u := f.u64(i)
	if u > 1 {
		f.fail(i, "bool", errors.New("not 0 or 1"))
	}
	return u == 1
}

// raw returns field i's bytes, aliasing the parser's buffer.
func (f *fields) raw(i int) []byte {
	if f.err != nil {
		return nil
	}
	b, err := f.elems[i].Bytes()
	if err != nil {
		f.fail(i, "bytes", err)
	}
	return b
}

// bytes returns a copy of field i's bytes; empty decodes as nil.
func (f *fields) bytes(i int) []byte {
	b := f.raw(i)
	if len(b) == 0 {
		return nil
	}
	return append([]byte(nil), b...)
}

// fixed copies field i into dst, which it must fill exactly.
func (f *fields) fixed(i int, dst []byte) {
	b := f.raw(i)
	if f.err == nil && len(b) != len(dst) {
		f.fail(i, "fixed bytes", fmt.Errorf("length %d, want %d", len(b), len(dst)))
		return
	}
	copy(dst, b)
}

func (f *fields) list(i int, want int) fields {
	if f.err != nil {
		return fields{err: f.err}
	}
	l := listOf(f.elems[i], want)
	if l.err != nil {
		f.fail(i, "list", l.err)
	}
	return l
}

func (f *fields) len() int { return len(f.elems) }
