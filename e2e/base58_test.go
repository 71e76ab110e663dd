package e2e

import (
	"math/big"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	solana "github.com/gagliardetto/solana-go"

	"github.com/gnomon-chain/gnomon/sdk"
)

const base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// refBase58 is a deliberately naive reference encoder (big-integer division,
// one '1' per leading zero byte). Both libraries happen to use the same
// base58 package underneath, so this third opinion keeps the comparison from
// being one library checked against itself.
func refBase58(b []byte) string {
	zeros := 0
	for zeros < len(b) && b[zeros] == 0 {
		zeros++
	}
	n := new(big.Int).SetBytes(b)
	base, mod := big.NewInt(58), new(big.Int)
	var out []byte
	for n.Sign() > 0 {
		n.DivMod(n, base, mod)
		out = append(out, base58Alphabet[mod.Int64()])
	}
	out = append(out, strings.Repeat("1", zeros)...)
	slices.Reverse(out)
	return string(out)
}

// randomWithLeadingZeros fills b randomly and then zeroes a prefix of random
// length (possibly all of it), so every count of leading '1's comes up.
func randomWithLeadingZeros(r *rand.Rand, b []byte, i int) {
	fillRandom(r, b)
	zeros := 0
	switch {
	case i < len(b)+1:
		zeros = i // every prefix length once, including all zeros
	case r.IntN(2) == 0:
		zeros = r.IntN(len(b) + 1)
	}
	clear(b[:zeros])
}

func TestBase58(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 58))

	t.Run("pubkeys", func(t *testing.T) {
		for i := range 300 {
			var p sdk.Pubkey
			randomWithLeadingZeros(r, p[:], i)
			s := p.String()
			if sg := sgKey(p).String(); s != sg {
				t.Fatalf("%x: sdk %q, solana-go %q", p, s, sg)
			}
			if ref := refBase58(p[:]); s != ref {
				t.Fatalf("%x: sdk %q, reference %q", p, s, ref)
			}
			back, err := sdk.ParsePubkey(s)
			if err != nil || back != p {
				t.Fatalf("sdk.ParsePubkey(%q) = %x, %v", s, back, err)
			}
			sgBack, err := solana.PublicKeyFromBase58(s)
			if err != nil || sdKey(sgBack) != p {
				t.Fatalf("solana.PublicKeyFromBase58(%q) = %x, %v", s, sgBack, err)
			}
		}
		if got := (sdk.Pubkey{}).String(); got != "11111111111111111111111111111111" || got != solana.SystemProgramID.String() {
			t.Errorf("zero key: sdk %q, solana-go system program %q", got, solana.SystemProgramID)
		}
	})

	t.Run("hashes", func(t *testing.T) {
		for i := range 300 {
			var h sdk.Hash
			randomWithLeadingZeros(r, h[:], i)
			s := h.String()
			if sg := solana.Hash(h).String(); s != sg {
				t.Fatalf("%x: sdk %q, solana-go %q", h, s, sg)
			}
			if ref := refBase58(h[:]); s != ref {
				t.Fatalf("%x: sdk %q, reference %q", h, s, ref)
			}
			back, err := sdk.ParseHash(s)
			if err != nil || back != h {
				t.Fatalf("sdk.ParseHash(%q) = %x, %v", s, back, err)
			}
			sgBack, err := solana.HashFromBase58(s)
			if err != nil || sdk.Hash(sgBack) != h {
				t.Fatalf("solana.HashFromBase58(%q) = %x, %v", s, sgBack, err)
			}
		}
	})

	t.Run("signatures", func(t *testing.T) {
		for i := range 300 {
			var sig sdk.Signature
			randomWithLeadingZeros(r, sig[:], i)
			s := sig.String()
			if sg := solana.Signature(sig).String(); s != sg {
				t.Fatalf("%x: sdk %q, solana-go %q", sig, s, sg)
			}
			if ref := refBase58(sig[:]); s != ref {
				t.Fatalf("%x: sdk %q, reference %q", sig, s, ref)
			}
			back, err := sdk.ParseSignature(s)
			if err != nil || back != sig {
				t.Fatalf("sdk.ParseSignature(%q) = %x, %v", s, back, err)
			}
			sgBack, err := solana.SignatureFromBase58(s)
			if err != nil || sdk.Signature(sgBack) != sig {
				t.Fatalf("solana.SignatureFromBase58(%q) = %x, %v", s, sgBack, err)
			}
		}
	})

	t.Run("malformed text rejected by both", func(t *testing.T) {
		short := refBase58(randomBytes(r, 31))
		long := refBase58(append([]byte{1}, randomBytes(r, 32)...))
		valid := randomPubkey(r).String()
		for name, s := range map[string]string{
			"empty":            "",
			"31 bytes":         short,
			"33 bytes":         long,
			"33 bytes of zero": strings.Repeat("1", 33),
			"character 0":      "0" + valid[1:],
			"character O":      "O" + valid[1:],
			"character I":      "I" + valid[1:],
			"character l":      "l" + valid[1:],
			"space":            valid[:10] + " " + valid[11:],
		} {
			_, sdErr := sdk.ParsePubkey(s)
			_, sgErr := solana.PublicKeyFromBase58(s)
			if sdErr == nil || sgErr == nil {
				t.Errorf("%s (%q): sdk error %v, solana-go error %v; both must refuse", name, s, sdErr, sgErr)
			}
		}
	})
}
