package sdk

import (
	"bytes"
	"testing"
)

func TestShortU16RoundTripsEveryValue(t *testing.T) {
	for v := 0; v <= 0xffff; v++ {
		enc := appendShortU16(nil, v)
		if len(enc) != shortU16Len(v) {
			t.Fatalf("%d: encoded %d bytes, shortU16Len says %d", v, len(enc), shortU16Len(v))
		}
		got, n := decodeShortU16(enc)
		if got != v || n != len(enc) {
			t.Fatalf("%d: decoded %d reading %d of %d bytes", v, got, n, len(enc))
		}
	}
}

// TestShortU16RejectsWhatSolanaRejects follows solana-short-vec's decoder:
// an alias (a longer encoding of a smaller value), a fourth byte, a value over
// 0xffff, or a truncated encoding is refused.
func TestShortU16RejectsWhatSolanaRejects(t *testing.T) {
	cases := []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"truncated after continuation", []byte{0x80}},
		{"truncated two-byte continuation", []byte{0xff, 0x80}},
		{"alias of 0 in two bytes", []byte{0x80, 0x00}},
		{"alias of 5 in two bytes", []byte{0x85, 0x00}},
		{"alias of 0x7f in three bytes", []byte{0xff, 0x80, 0x00}},
		{"value 0x10000", []byte{0x80, 0x80, 0x04}},
		{"third byte with continuation", []byte{0x80, 0x80, 0x80}},
		{"fourth byte", []byte{0xff, 0xff, 0xff, 0x01}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if v, n := decodeShortU16(c.in); n != 0 {
				t.Fatalf("accepted %x as %d (%d bytes)", c.in, v, n)
			}
		})
	}
	// The largest values still decode, and extra bytes after one are left alone.
	for _, c := range []struct {
		in   []byte
		want int
	}{{[]byte{0x7f, 0xaa}, 0x7f}, {[]byte{0x80, 0x01}, 0x80}, {[]byte{0xff, 0xff, 0x03}, 0xffff}} {
		if v, n := decodeShortU16(c.in); v != c.want || !bytes.Equal(appendShortU16(nil, v), c.in[:n]) {
			t.Fatalf("%x: got %d (%d bytes), want %d", c.in, v, n, c.want)
		}
	}
}
