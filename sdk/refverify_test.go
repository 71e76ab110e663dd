package sdk

import (
	"crypto/sha512"

	"filippo.io/edwards25519"
)

// refVerdict is an independent evaluation of the signature rule, written
// directly from DESIGN.md on filippo.io/edwards25519 (the curve library under
// Go's crypto/ed25519), so the tests check the curve25519-voi configuration in
// verify.go against the rule itself rather than against its own output.
type refVerdict struct {
	nonCanonicalS, badA, badR    bool // S ≥ L; A or R not a point
	nonCanonicalA, nonCanonicalR bool
	smallOrderA, smallOrderR     bool
	mixedOrderA, mixedOrderR     bool // a torsion component, not small-order
	cofactored, cofactorless     bool // the two verification equations
}

func (v refVerdict) accept() bool {
	return !v.nonCanonicalS && !v.badA && !v.badR && !v.nonCanonicalA && !v.nonCanonicalR &&
		!v.smallOrderA && !v.smallOrderR && v.cofactored
}

func isSmallOrder(p *edwards25519.Point) bool {
	return new(edwards25519.Point).MultByCofactor(p).Equal(edwards25519.NewIdentityPoint()) == 1
}

func refVerify(pub, msg, sig []byte) refVerdict {
	var v refVerdict
	if len(pub) != 32 || len(sig) != 64 {
		v.badA = true
		return v
	}
	S, err := new(edwards25519.Scalar).SetCanonicalBytes(sig[32:])
	v.nonCanonicalS = err != nil
	A, errA := new(edwards25519.Point).SetBytes(pub)
	R, errR := new(edwards25519.Point).SetBytes(sig[:32])
	v.badA, v.badR = errA != nil, errR != nil
	if v.badA || v.badR {
		return v
	}
	// SetBytes accepts non-canonical y and a set sign bit on x = 0; an encoding
	// is canonical exactly when re-encoding the point gives it back.
	v.nonCanonicalA = string(A.Bytes()) != string(pub)
	v.nonCanonicalR = string(R.Bytes()) != string(sig[:32])
	v.smallOrderA, v.smallOrderR = isSmallOrder(A), isSmallOrder(R)
	v.mixedOrderA = !v.smallOrderA && hasTorsion(A)
	v.mixedOrderR = !v.smallOrderR && hasTorsion(R)
	if v.nonCanonicalS {
		return v
	}
	k := hramOf(sig[:32], pub, msg)
	// P = [S]B - [k]A
	negA := new(edwards25519.Point).Negate(A)
	P := new(edwards25519.Point).VarTimeDoubleScalarBaseMult(k, negA, S)
	v.cofactorless = P.Equal(R) == 1
	diff := new(edwards25519.Point).Subtract(P, R)
	v.cofactored = isSmallOrder(diff)
	return v
}

// hramOf is k = SHA-512(R ‖ A ‖ M) mod L.
func hramOf(R, A, msg []byte) *edwards25519.Scalar {
	h := sha512.New()
	h.Write(R)
	h.Write(A)
	h.Write(msg)
	k, _ := new(edwards25519.Scalar).SetUniformBytes(h.Sum(nil))
	return k
}

// hasTorsion reports whether [L]P is not the identity, i.e. P is outside the
// prime-order subgroup. Scalars are reduced mod L, so [L]P is [L-1]P + P.
func hasTorsion(p *edwards25519.Point) bool {
	minusOne := new(edwards25519.Scalar).Negate(scalarOne())
	lp := new(edwards25519.Point).ScalarMult(minusOne, p)
	lp.Add(lp, p)
	return lp.Equal(edwards25519.NewIdentityPoint()) != 1
}

func scalarOne() *edwards25519.Scalar {
	var b [32]byte
	b[0] = 1
	s, _ := new(edwards25519.Scalar).SetCanonicalBytes(b[:])
	return s
}
