package e2e

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	solana "github.com/gagliardetto/solana-go"

	"github.com/gnomon-chain/gnomon/sdk"
)

// writeKeygenFile writes k the way solana-keygen does: a JSON array of the 64
// bytes (seed then public key). solana-go has no writer of its own (it only
// reads these files), so the array is marshalled here as []int.
func writeKeygenFile(t *testing.T, path string, k solana.PrivateKey) {
	t.Helper()
	ints := make([]int, len(k))
	for i, b := range k {
		ints[i] = int(b)
	}
	b, err := json.Marshal(ints)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestKeypairs(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	dir := t.TempDir()
	msg := []byte("gnomon and solana-go sign the same bytes")

	t.Run("sdk keypair file loads in solana-go", func(t *testing.T) {
		for i := range 5 {
			kp := seededKeypair(t, r)
			path := filepath.Join(dir, "sdk-"+string(rune('a'+i))+".json")
			if err := sdk.WriteKeypairFile(path, kp); err != nil {
				t.Fatal(err)
			}
			priv, err := solana.PrivateKeyFromSolanaKeygenFile(path)
			if err != nil {
				t.Fatalf("solana-go cannot read sdk's keypair file: %v", err)
			}
			if sdKey(priv.PublicKey()) != kp.Pubkey() {
				t.Fatalf("public key: solana-go %s, sdk %s", priv.PublicKey(), kp.Pubkey())
			}
			if !bytes.Equal(priv, kp.Bytes()) {
				t.Fatal("solana-go read different key bytes than sdk wrote")
			}
		}
	})

	t.Run("solana-go keypair file loads in sdk", func(t *testing.T) {
		for i := range 5 {
			priv, err := solana.NewRandomPrivateKey()
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "sg-"+string(rune('a'+i))+".json")
			writeKeygenFile(t, path, priv)
			kp, err := sdk.ReadKeypairFile(path)
			if err != nil {
				t.Fatalf("sdk cannot read a solana-keygen file: %v", err)
			}
			if kp.Pubkey() != sdKey(priv.PublicKey()) {
				t.Fatalf("public key: sdk %s, solana-go %s", kp.Pubkey(), priv.PublicKey())
			}
			if !bytes.Equal(kp.Bytes(), priv) {
				t.Fatal("sdk read different key bytes than solana-go has")
			}
		}
	})

	t.Run("sdk refuses a keygen file whose public key is not the seed's", func(t *testing.T) {
		a, b := seededKeypair(t, r), seededKeypair(t, r)
		pb := b.Pubkey()
		mixed := append(a.Bytes()[:32:32], pb[:]...)
		path := filepath.Join(dir, "mixed.json")
		writeKeygenFile(t, path, solana.PrivateKey(mixed))
		if _, err := sdk.ReadKeypairFile(path); err == nil {
			t.Error("sdk accepted a keypair whose public key is not its seed's")
		}
		// solana-go (v1.14.0) only checks that the stored public key is on the
		// curve, so it loads this file and reports b's key, whose signatures
		// would then not verify; sdk follows Solana's Keypair::try_from instead.
	})

	t.Run("signatures verify across libraries", func(t *testing.T) {
		for range 20 {
			kp := seededKeypair(t, r)
			priv := sgPrivate(kp)
			m := append(bytes.Clone(msg), randomBytes(r, r.IntN(64))...)

			sdSig := kp.Sign(m)
			sgSig, err := priv.Sign(m)
			if err != nil {
				t.Fatal(err)
			}
			// Ed25519 signing is deterministic, so the two must be identical.
			if [64]byte(sdSig) != [64]byte(sgSig) {
				t.Fatalf("signatures differ: sdk %s, solana-go %s", sdSig, sgSig)
			}
			if !sgKey(kp.Pubkey()).Verify(m, solana.Signature(sdSig)) {
				t.Error("solana-go rejects sdk's signature")
			}
			if !sdk.Verify(sdKey(priv.PublicKey()), m, sdk.Signature(sgSig)) {
				t.Error("sdk rejects solana-go's signature")
			}
			bv := sdk.NewBatchVerifier(1)
			bv.Add(kp.Pubkey(), m, sdk.Signature(sgSig))
			if _, all := bv.Verify(nil); !all {
				t.Error("sdk batch verifier rejects solana-go's signature")
			}
			// And both refuse the signature over other bytes.
			other := append(bytes.Clone(m), 0)
			if sgKey(kp.Pubkey()).Verify(other, solana.Signature(sdSig)) {
				t.Error("solana-go accepts a signature over different bytes")
			}
			if sdk.Verify(kp.Pubkey(), other, sdk.Signature(sgSig)) {
				t.Error("sdk accepts a signature over different bytes")
			}
		}
	})
}
