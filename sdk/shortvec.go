package sdk

// Compact-u16 ("short_vec") is Solana's length prefix: seven bits per byte,
// low bits first, the high bit saying another byte follows, at most three
// bytes and at most 0xffff. Solana rejects every encoding that is not the
// shortest one for its value, so a transaction has exactly one byte form; we do
// the same, which is what makes parse∘serialize the identity.

// appendShortU16 appends the minimal encoding of v.
func appendShortU16(dst []byte, v int) []byte {
	for {
		b := byte(v & 0x7f)
		v >>= 7
		if v == 0 {
			return append(dst, b)
		}
		dst = append(dst, b|0x80)
	}
}

// shortU16Len is the encoded length of v.
func shortU16Len(v int) int {
	switch {
	case v < 1<<7:
		return 1
	case v < 1<<14:
		return 2
	default:
		return 3
	}
}

// decodeShortU16 reads a compact-u16 at the start of b and returns the value
// and the number of bytes read, or n == 0 if the encoding is truncated, longer
// than three bytes, larger than 0xffff, or not minimal.
func decodeShortU16(b []byte) (v int, n int) {
	for i := 0; i < 3; i++ {
		if i >= len(b) {
			return 0, 0
		}
		c := b[i]
		// A zero byte after the first only pads a shorter encoding.
		if c == 0 && i > 0 {
			return 0, 0
		}
		// The third byte holds bits 14 and 15 only.
		if i == 2 && c > 3 {
			return 0, 0
		}
		v |= int(c&0x7f) << (7 * i)
		if c&0x80 == 0 {
			return v, i + 1
		}
	}
	return 0, 0
}
