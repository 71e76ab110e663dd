package sdk

import (
	"math/rand/v2"
)

// seededReader is a reproducible byte source for keys and messages in tests.
func seededReader(seed int64) *rand.ChaCha8 {
	var s [32]byte
	for i := 0; i < 8; i++ {
		s[i] = byte(uint64(seed) >> (8 * i))
	}
	return rand.NewChaCha8(s)
}
