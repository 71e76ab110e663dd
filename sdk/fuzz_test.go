package sdk

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzParseTransaction: parsing never panics, every rejection wraps
// ErrMalformed, and whatever parses serializes back to exactly the input, both
// from the kept message bytes and from the parsed fields.
func FuzzParseTransaction(f *testing.F) {
	legacy, _ := sampleLegacy(f)
	f.Add(legacy)
	f.Add(sampleV0(f))
	f.Fuzz(func(t *testing.T, data []byte) {
		tx, err := ParseTransaction(data)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("rejection does not wrap ErrMalformed: %v", err)
			}
			return
		}
		out, err := tx.MarshalBinary()
		if err != nil || !bytes.Equal(out, data) {
			t.Fatalf("serialize(parse(x)) != x: %v", err)
		}
		fresh := Transaction{Signatures: tx.Signatures, Message: tx.Message}
		out, err = fresh.MarshalBinary()
		if err != nil || !bytes.Equal(out, data) {
			t.Fatalf("encoding the parsed fields != x: %v", err)
		}
		// Checking signatures of garbage must answer, not panic.
		_ = tx.VerifySignatures()
	})
}

// FuzzVerifyAgreement: for any key, message and signature, single
// verification, batch verification (the entry amid honest ones) and the
// independent reference evaluation of the rule give one verdict. The fuzzer
// starts from honest signatures and edge-case points, and flip/patch lets it
// reach the neighbourhood of valid signatures, where disagreements would live.
func FuzzVerifyAgreement(f *testing.F) {
	set := newSignedSet(f, 2)
	f.Add(set.pubs[0][:], set.msgs[0], set.sigs[0][:], uint16(0), byte(0))
	f.Add(set.pubs[1][:], set.msgs[1], set.sigs[1][:], uint16(40), byte(0x80))
	order8 := []byte{0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67, 0x0f,
		0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0xfa}
	f.Add(order8, []byte("m"), append(bytes.Clone(order8), make([]byte, 32)...), uint16(0), byte(0))
	honest := newSignedSet(f, 3)
	f.Fuzz(func(t *testing.T, pub, msg, sig []byte, at uint16, flip byte) {
		if len(pub) != PubkeySize || len(sig) != SignatureSize {
			return
		}
		sig = bytes.Clone(sig)
		sig[int(at)%SignatureSize] ^= flip
		p, s := Pubkey(pub), Signature(sig)
		single := Verify(p, msg, s)
		if ref := refVerify(pub, msg, sig); ref.accept() != single {
			t.Fatalf("Verify %v, reference %v (%+v)", single, ref.accept(), ref)
		}
		bv := NewBatchVerifier(4)
		bv.Add(honest.pubs[0], honest.msgs[0], honest.sigs[0])
		bv.Add(p, msg, s)
		bv.Add(honest.pubs[1], honest.msgs[1], honest.sigs[1])
		verdicts, all := bv.Verify(nil)
		if verdicts[1] != single || all != single || !verdicts[0] || !verdicts[2] {
			t.Fatalf("batch %v (all=%v), single %v", verdicts, all, single)
		}
	})
}

// FuzzShortU16: decoding never panics, and what decodes is the minimal
// encoding of its value.
func FuzzShortU16(f *testing.F) {
	f.Add([]byte{0x80, 0x01})
	f.Add([]byte{0xff, 0xff, 0x03})
	f.Add([]byte{0x80, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		v, n := decodeShortU16(data)
		if n == 0 {
			return
		}
		if v > 0xffff || !bytes.Equal(appendShortU16(nil, v), data[:n]) {
			t.Fatalf("%x decoded to %d from %d bytes", data, v, n)
		}
	})
}
