package sdk

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"testing"

	"filippo.io/edwards25519"
	voi "github.com/oasisprotocol/curve25519-voi/primitives/ed25519"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// checkAllPaths asserts that single verification, batch verification (alone
// and amid valid signatures) and the reference evaluation all give want.
func checkAllPaths(t *testing.T, pub, msg, sig []byte, want bool) {
	t.Helper()
	ref := refVerify(pub, msg, sig)
	if ref.accept() != want {
		t.Fatalf("reference rule gives %v, want %v (%+v)", ref.accept(), want, ref)
	}
	if len(pub) != PubkeySize || len(sig) != SignatureSize {
		if want {
			t.Fatal("a wrongly sized key or signature cannot be accepted")
		}
		return
	}
	p, s := Pubkey(pub), Signature(sig)
	if got := Verify(p, msg, s); got != want {
		t.Fatalf("Verify = %v, want %v (%+v)", got, want, ref)
	}
	// The same entry alone, and in the middle of honest signatures: a batch
	// must give exactly the single verdict whatever surrounds it.
	honest := newSignedSet(t, 5)
	bv := NewBatchVerifier(8)
	for i := 0; i < 2; i++ {
		bv.Add(honest.pubs[i], honest.msgs[i], honest.sigs[i])
	}
	bv.Add(p, msg, s)
	for i := 2; i < 5; i++ {
		bv.Add(honest.pubs[i], honest.msgs[i], honest.sigs[i])
	}
	verdicts, all := bv.Verify(nil)
	wantVerdicts := []bool{true, true, want, true, true, true}
	if !slices.Equal(verdicts, wantVerdicts) || all != want {
		t.Fatalf("batch verdicts %v (all=%v), want %v", verdicts, all, wantVerdicts)
	}
	bv.Add(p, msg, s)
	if verdicts, all := bv.Verify(nil); verdicts[0] != want || all != want {
		t.Fatalf("batch of one: %v %v, want %v", verdicts, all, want)
	}
	// Through a key cache that holds the key expanded (seen twice before),
	// amid honest signers whose keys it also holds.
	cache := NewKeyCache(64)
	for range 2 {
		cache.expanded(p)
		for i := range honest.pubs {
			cache.expanded(honest.pubs[i])
		}
	}
	cached := NewBatchVerifier(8).WithKeyCache(cache)
	for i := 0; i < 2; i++ {
		cached.Add(honest.pubs[i], honest.msgs[i], honest.sigs[i])
	}
	cached.Add(p, msg, s)
	for i := 2; i < 5; i++ {
		cached.Add(honest.pubs[i], honest.msgs[i], honest.sigs[i])
	}
	if verdicts, all := cached.Verify(nil); !slices.Equal(verdicts, wantVerdicts) || all != want {
		t.Fatalf("cached-key batch verdicts %v (all=%v), want %v", verdicts, all, wantVerdicts)
	}
	if hits, _ := cache.Stats(); hits < 5 {
		t.Fatalf("the cached batch found %d expanded keys: the cached path was not taken", hits)
	}
}

// TestSignatureRuleOnTamingVectors runs the twelve cases of "Taming the many
// EdDSAs" (Chalkias, Garillot, Nikolaenko 2020, Table 6), where Ed25519
// implementations disagree. Each row states the verdict the rule of DESIGN.md
// gives and why; the test also checks that the named property really holds of
// the vector, using the independent reference evaluation.
func TestSignatureRuleOnTamingVectors(t *testing.T) {
	type property func(refVerdict) bool
	cases := []struct {
		msg, pub, sig string
		accept        bool
		why           string
		holds         property
	}{
		{"8c93255d71dcab10e8f379c26200f3c7bd5f09d9bc3068d3ef4edeb4853022b6", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
			"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a0000000000000000000000000000000000000000000000000000000000000000",
			false, "S = 0 with small-order A and small-order R", func(v refVerdict) bool { return v.smallOrderA && v.smallOrderR }},
		{"9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
			"f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43a5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04",
			false, "small-order A (R is fine)", func(v refVerdict) bool { return v.smallOrderA && !v.smallOrderR }},
		{"aebf3f2601a0c8c5d39cc7d8911642f740b78168218da8471772b35f9d35b9ab", "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43",
			"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa8c4bd45aecaca5b24fb97bc10ac27ac8751a7dfe1baff8b953ec9f5833ca260e",
			false, "small-order R (A is fine)", func(v refVerdict) bool { return !v.smallOrderA && v.smallOrderR }},
		{"9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79", "cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d",
			"9046a64750444938de19f227bb80485e92b83fdb4b6506c160484c016cc1852f87909e14428a7a1d62e9f22f3d3ad7802db02eb2e688b6c52fcd6648a98bd009",
			true, "mixed-order A and R; both equations hold", func(v refVerdict) bool { return v.mixedOrderA && v.cofactored && v.cofactorless }},
		{"e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c", "cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d",
			"160a1cb0dc9c0258cd0a7d23e94d8fa878bcb1925f2c64246b2dee1796bed5125ec6bc982a269b723e0668e540911a9a6a58921d6925e434ab10aa7940551a09",
			true, "mixed-order A; only the cofactored equation holds (verify_strict rejects this one)", func(v refVerdict) bool { return v.mixedOrderA && v.cofactored && !v.cofactorless }},
		{"e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c", "cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d",
			"21122a84e0b5fca4052f5b1235c80a537878b38f3142356b2c2384ebad4668b7e40bc836dac0f71076f9abe3a53f9c03c1ceeeddb658d0030494ace586687405",
			true, "mixed-order A, prime-order R; only the cofactored equation holds", func(v refVerdict) bool { return v.mixedOrderA && !v.mixedOrderR && v.cofactored && !v.cofactorless }},
		{"85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40", "442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623",
			"e96f66be976d82e60150baecff9906684aebb1ef181f67a7189ac78ea23b6c0e547f7690a0e2ddcd04d87dbc3490dc19b3b3052f7ff0538cb68afb369ba3a514",
			false, "S ≥ L (malleated S)", func(v refVerdict) bool { return v.nonCanonicalS }},
		{"85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40", "442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623",
			"8ce5b96c8f26d0ab6c47958c9e68b937104cd36e13c33566acd2fe8d38aa19427e71f98a473474f2f13f06f97c20d58cc3f54b8bd0d272f42b695dd7e89a8c22",
			false, "S far above L", func(v refVerdict) bool { return v.nonCanonicalS }},
		{"9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41", "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43",
			"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff03be9678ac102edcd92b0210bb34d7428d12ffc5df5f37e359941266a4e35f0f",
			false, "non-canonical, small-order R", func(v refVerdict) bool { return v.nonCanonicalR && v.smallOrderR }},
		{"9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41", "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43",
			"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffca8c5b64cd208982aa38d4936621a4775aa233aa0505711d8fdcfdaa943d4908",
			false, "non-canonical, small-order R (equations hold with the reduced R)", func(v refVerdict) bool { return v.nonCanonicalR && v.smallOrderR && v.cofactored }},
		{"e96b7021eb39c1a163b6da4e3093dcd3f21387da4cc4572be588fafae23c155b", "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
			"a9d55260f765261eb9b84e106f665e00b867287a761990d7135963ee0a7d59dca5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04",
			false, "non-canonical, small-order A", func(v refVerdict) bool { return v.nonCanonicalA && v.smallOrderA }},
		{"39a591f5321bbe07fd5a23dc2f39d025d74526615746727ceefd6e82ae65c06f", "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
			"a9d55260f765261eb9b84e106f665e00b867287a761990d7135963ee0a7d59dca5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04",
			false, "non-canonical, small-order A; both equations hold", func(v refVerdict) bool { return v.nonCanonicalA && v.smallOrderA && v.cofactored && v.cofactorless }},
	}
	for i, c := range cases {
		t.Run(c.why, func(t *testing.T) {
			pub, msg, sig := mustHex(t, c.pub), mustHex(t, c.msg), mustHex(t, c.sig)
			if ref := refVerify(pub, msg, sig); !c.holds(ref) {
				t.Fatalf("case %d: the vector does not have the stated property: %+v", i, ref)
			}
			checkAllPaths(t, pub, msg, sig, c.accept)
		})
	}
}

// TestSignatureRuleOnWycheproof runs Project Wycheproof's Ed25519 vectors. The
// rule agrees with every verdict there: none of them is a small-order or
// mixed-order corner where implementations legitimately differ.
func TestSignatureRuleOnWycheproof(t *testing.T) {
	raw, err := os.ReadFile("testdata/wycheproof_eddsa_test.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		NumberOfTests int `json:"numberOfTests"`
		TestGroups    []struct {
			Key struct {
				Pk string `json:"pk"`
			} `json:"key"`
			Tests []struct {
				TcID    int      `json:"tcId"`
				Comment string   `json:"comment"`
				Msg     string   `json:"msg"`
				Sig     string   `json:"sig"`
				Result  string   `json:"result"`
				Flags   []string `json:"flags"`
			} `json:"tests"`
		} `json:"testGroups"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	ran := 0
	for _, g := range file.TestGroups {
		pub := mustHex(t, g.Key.Pk)
		for _, tc := range g.Tests {
			if tc.Result != "valid" && tc.Result != "invalid" {
				t.Fatalf("tc %d: unexpected result %q", tc.TcID, tc.Result)
			}
			t.Run(tc.Comment, func(t *testing.T) {
				checkAllPaths(t, pub, mustHex(t, tc.Msg), mustHex(t, tc.Sig), tc.Result == "valid")
			})
			ran++
		}
	}
	if ran != file.NumberOfTests || ran != 145 {
		t.Fatalf("ran %d vectors, file says %d", ran, file.NumberOfTests)
	}
}

// TestSignatureRuleOnCCTVEdgeCases runs the C2SP edge-case vectors, which
// enumerate every combination of small-order, mixed-order and non-canonical A
// and R. The rule's verdict follows from each vector's flags: small-order or
// non-canonical A or R is rejected; a low-order component (mixed order) or a
// low-order residue, which only the cofactored equation forgives, is accepted.
func TestSignatureRuleOnCCTVEdgeCases(t *testing.T) {
	raw, err := os.ReadFile("testdata/cctv_ed25519vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var vectors []struct {
		A, R, S, M string
		Flags      []string
	}
	if err := json.Unmarshal(raw, &vectors); err != nil {
		t.Fatal(err)
	}
	if len(vectors) != 768 {
		t.Fatalf("%d vectors, want 768", len(vectors))
	}
	accepted := 0
	for i, v := range vectors {
		rejectFlags := []string{"LowOrderA", "LowOrderR", "NonCanonicalA", "NonCanonicalR"}
		want := !slices.ContainsFunc(v.Flags, func(f string) bool { return slices.Contains(rejectFlags, f) })
		if want {
			accepted++
		}
		sig := append(mustHex(t, v.R), mustHex(t, v.S)...)
		t.Run(v.M, func(t *testing.T) {
			defer func() {
				if t.Failed() {
					t.Logf("vector %d flags %v", i, v.Flags)
				}
			}()
			checkAllPaths(t, mustHex(t, v.A), []byte(v.M), sig, want)
		})
	}
	// Guard against a data file that exercises only one side of the rule.
	if accepted == 0 || accepted == len(vectors) {
		t.Fatalf("%d of %d vectors accepted: the set no longer tests both verdicts", accepted, len(vectors))
	}
}

// TestHonestSignaturesPassEveryPath: whatever the rule forbids, a key made by
// an honest signer always verifies, singly and in batches of every size.
func TestHonestSignaturesPassEveryPath(t *testing.T) {
	set := newSignedSet(t, 70)
	for i := range set.pubs {
		if !Verify(set.pubs[i], set.msgs[i], set.sigs[i]) {
			t.Fatalf("honest signature %d rejected", i)
		}
	}
	bv := NewBatchVerifier(70)
	for _, n := range []int{1, 2, 63, 64, 65, 70} {
		for i := 0; i < n; i++ {
			bv.Add(set.pubs[i], set.msgs[i], set.sigs[i])
		}
		if bv.Len() != n {
			t.Fatalf("Len = %d, want %d", bv.Len(), n)
		}
		verdicts, all := bv.Verify(nil)
		if !all || len(verdicts) != n || slices.Contains(verdicts, false) {
			t.Fatalf("batch of %d: all=%v verdicts=%v", n, all, verdicts)
		}
	}
}

// TestBatchFindsEveryBadSignature: a failed batch falls back to checking each
// entry, so every bad entry is named and no good one is blamed.
func TestBatchFindsEveryBadSignature(t *testing.T) {
	set := newSignedSet(t, 64)
	bad := map[int]bool{0: true, 17: true, 18: true, 63: true}
	bv := NewBatchVerifier(64)
	for i := range set.pubs {
		sig := set.sigs[i]
		msg := set.msgs[i]
		switch {
		case bad[i] && i%2 == 0:
			sig[5] ^= 1 // a corrupted R
		case bad[i]:
			msg = append([]byte{1}, msg...) // a different message
		}
		bv.Add(set.pubs[i], msg, sig)
	}
	verdicts, all := bv.Verify(nil)
	if all {
		t.Fatal("a batch with bad signatures passed")
	}
	for i, ok := range verdicts {
		if ok == bad[i] {
			t.Errorf("entry %d: verdict %v, bad=%v", i, ok, bad[i])
		}
	}
	// The verifier is empty and reusable after Verify.
	if bv.Len() != 0 {
		t.Fatalf("Len after Verify = %d", bv.Len())
	}
	if v, all := bv.Verify(nil); !all || len(v) != 0 {
		t.Fatalf("empty batch: %v %v", v, all)
	}
}

// TestTorsionedHonestKeyFollowsTheRule builds the one case where the rule and
// Agave's cofactorless verify_strict part ways: a public key with a torsion
// component added, signed so the cofactored equation holds. The rule accepts
// it on every path (it is not small-order and is canonical).
func TestTorsionedHonestKeyFollowsTheRule(t *testing.T) {
	// A point of order 8 (the CCTV and Taming vectors use the same family).
	order8 := mustHex(t, "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a")
	T, err := new(edwards25519.Point).SetBytes(order8)
	if err != nil {
		t.Fatal(err)
	}
	if !isSmallOrder(T) {
		t.Fatal("T is not small-order")
	}
	rng := seededReader(99)
	for trial := 0; trial < 8; trial++ {
		var seed [64]byte
		rng.Read(seed[:])
		a, _ := new(edwards25519.Scalar).SetUniformBytes(seed[:])
		A := new(edwards25519.Point).Add(new(edwards25519.Point).ScalarBaseMult(a), T)
		pub := A.Bytes()
		rng.Read(seed[:])
		r, _ := new(edwards25519.Scalar).SetUniformBytes(seed[:])
		R := new(edwards25519.Point).ScalarBaseMult(r)
		msg := []byte("torsion")
		k := hramOf(R.Bytes(), pub, msg)
		S := new(edwards25519.Scalar).MultiplyAdd(k, a, r) // S = k·a + r
		sig := append(R.Bytes(), S.Bytes()...)
		ref := refVerify(pub, msg, sig)
		if !ref.mixedOrderA || !ref.cofactored {
			t.Fatalf("construction wrong: %+v", ref)
		}
		checkAllPaths(t, pub, msg, sig, true)
	}
}

// TestVerifyFromManyGoroutines: a sigverify stage runs Verify and one
// BatchVerifier per worker on every core at once; nothing in the rule may be
// shared mutable state. Run under -race by `make test`.
func TestVerifyFromManyGoroutines(t *testing.T) {
	set := newSignedSet(t, 16)
	errs := make(chan error, 4)
	for w := 0; w < 4; w++ {
		go func() {
			bv := NewBatchVerifier(16)
			for round := 0; round < 3; round++ {
				for i := range set.pubs {
					if !Verify(set.pubs[i], set.msgs[i], set.sigs[i]) {
						errs <- errors.New("single rejected an honest signature")
						return
					}
					bv.Add(set.pubs[i], set.msgs[i], set.sigs[i])
				}
				if _, all := bv.Verify(nil); !all {
					errs <- errors.New("batch rejected honest signatures")
					return
				}
			}
			errs <- nil
		}()
	}
	for w := 0; w < 4; w++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// TestKeyCacheAdmitsRepeatSignersAndStaysBounded: a key is expanded on its
// second sighting, never before, and the cache never holds more than its
// size however many distinct keys pass through it.
func TestKeyCacheAdmitsRepeatSignersAndStaysBounded(t *testing.T) {
	set := newSignedSet(t, 40)
	c := NewKeyCache(16)
	if c.expanded(set.pubs[0]) != nil {
		t.Fatal("a key seen once was expanded")
	}
	x := c.expanded(set.pubs[0])
	if x == nil || c.expanded(set.pubs[0]) != x {
		t.Fatal("a key seen twice is not cached")
	}
	for round := 0; round < 3; round++ {
		for i := range set.pubs {
			c.expanded(set.pubs[i])
		}
		c.mu.Lock()
		n := len(c.cur) + len(c.old)
		notes := len(c.seenOnce)
		c.mu.Unlock()
		if n > 16+1 || notes > 4*16 {
			t.Fatalf("round %d: %d expanded keys and %d notes in a cache of 16", round, n, notes)
		}
	}
	// Not a point on the curve: never cached (the plain path rejects it).
	var notAPoint Pubkey
	for y := byte(2); ; y++ {
		notAPoint[0] = y
		if _, err := voi.NewExpandedPublicKey(notAPoint[:]); err != nil {
			break
		}
	}
	for range 3 {
		if c.expanded(notAPoint) != nil {
			t.Fatal("an invalid key was expanded")
		}
	}
}

// TestKeyCacheFromManyGoroutines: the sigverify workers share one cache.
// Run under -race by `make test`.
func TestKeyCacheFromManyGoroutines(t *testing.T) {
	set := newSignedSet(t, 24)
	c := NewKeyCache(8) // smaller than the signer set: generations turn over
	errs := make(chan error, 4)
	for w := 0; w < 4; w++ {
		go func() {
			bv := NewBatchVerifier(24).WithKeyCache(c)
			for round := 0; round < 5; round++ {
				for i := range set.pubs {
					bv.Add(set.pubs[i], set.msgs[i], set.sigs[i])
				}
				if _, all := bv.Verify(nil); !all {
					errs <- errors.New("batch with a shared cache rejected honest signatures")
					return
				}
			}
			errs <- nil
		}()
	}
	for w := 0; w < 4; w++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if hits, misses := c.Stats(); hits == 0 || misses == 0 {
		t.Fatalf("hits %d misses %d: expected both", hits, misses)
	}
}
