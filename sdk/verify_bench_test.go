package sdk

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"testing"

	circled "github.com/cloudflare/circl/sign/ed25519"
	voi "github.com/oasisprotocol/curve25519-voi/primitives/ed25519"
)

// signedSet is n distinct signers each signing a transaction-sized message.
type signedSet struct {
	pubs []Pubkey
	msgs [][]byte
	sigs []Signature
}

func newSignedSet(tb testing.TB, n int) signedSet {
	tb.Helper()
	rng := seededReader(int64(n))
	s := signedSet{pubs: make([]Pubkey, n), msgs: make([][]byte, n), sigs: make([]Signature, n)}
	for i := 0; i < n; i++ {
		kp, err := NewKeypairFrom(rng)
		if err != nil {
			tb.Fatal(err)
		}
		msg := make([]byte, 200)
		rng.Read(msg)
		s.pubs[i], s.msgs[i], s.sigs[i] = kp.Pubkey(), msg, kp.Sign(msg)
	}
	return s
}

// BenchmarkVerify measures the signature rule's two paths, plus the
// alternatives it was chosen against, in signatures per second.
func BenchmarkVerify(b *testing.B) {
	const batch = 64
	set := newSignedSet(b, batch)
	report := func(b *testing.B, sigs int) {
		b.ReportMetric(float64(sigs)/b.Elapsed().Seconds(), "sigs/s")
	}
	b.Run("path=single", func(b *testing.B) {
		n := 0
		for b.Loop() {
			i := n % batch
			if !Verify(set.pubs[i], set.msgs[i], set.sigs[i]) {
				b.Fatal("valid signature rejected")
			}
			n++
		}
		report(b, n)
	})
	// runBatches verifies the set in batches with v until the benchmark ends.
	runBatches := func(b *testing.B, v *BatchVerifier) {
		verdicts := make([]bool, 0, batch)
		n := 0
		for b.Loop() {
			for i := 0; i < batch; i++ {
				v.Add(set.pubs[i], set.msgs[i], set.sigs[i])
			}
			var ok bool
			verdicts, ok = v.Verify(verdicts[:0])
			if !ok {
				b.Fatal("valid batch rejected")
			}
			n += batch
		}
		report(b, n)
	}
	b.Run(fmt.Sprintf("path=batch%d", batch), func(b *testing.B) { runBatches(b, NewBatchVerifier(batch)) })
	// The alternatives the rule's implementation was chosen against.
	b.Run("path=stdlib-single", func(b *testing.B) {
		n := 0
		for b.Loop() {
			i := n % batch
			if !ed25519.Verify(set.pubs[i][:], set.msgs[i], set.sigs[i][:]) {
				b.Fatal("valid signature rejected")
			}
			n++
		}
		report(b, n)
	})
	b.Run("path=circl-single", func(b *testing.B) {
		n := 0
		for b.Loop() {
			i := n % batch
			if !circled.Verify(set.pubs[i][:], set.msgs[i], set.sigs[i][:]) {
				b.Fatal("valid signature rejected")
			}
			n++
		}
		report(b, n)
	})
	// Signers who sign again (votes, busy payers): their keys are in the
	// cache, expanded.
	b.Run(fmt.Sprintf("path=batch%d-key-cache", batch), func(b *testing.B) {
		cache := NewKeyCache(4 * batch)
		for range 2 {
			for i := 0; i < batch; i++ {
				cache.expanded(set.pubs[i])
			}
		}
		runBatches(b, NewBatchVerifier(batch).WithKeyCache(cache))
	})
	b.Run(fmt.Sprintf("path=batch%d-expanded-keys", batch), func(b *testing.B) {
		n := 0
		for b.Loop() {
			v := voi.NewBatchVerifierWithCapacity(batch)
			for i := 0; i < batch; i++ {
				v.AddWithOptions(set.pubs[i][:], set.msgs[i], set.sigs[i][:], ruleOptions)
			}
			if ok, _ := v.Verify(rand.Reader); !ok {
				b.Fatal("valid batch rejected")
			}
			n += batch
		}
		report(b, n)
	})
}
