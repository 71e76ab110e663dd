package genesis

import (
	"bytes"
	"reflect"
	"testing"
)

// FuzzDecode checks that Decode never panics and that whatever it accepts
// is canonical: it encodes back to the same bytes.
func FuzzDecode(f *testing.F) {
	g := twoValidatorGenesis(false)
	f.Add(g.Encode())
	d := DevGenesis(key(1), key(2), key(3), testTime)
	f.Add(d.Encode())
	f.Add([]byte{})
	f.Add([]byte("GNMG\x01\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		lean, leanErr := DecodeWithoutAccounts(b)
		g, err := Decode(b)
		if err != nil {
			return
		}
		if !bytes.Equal(g.Encode(), b) {
			t.Fatal("accepted bytes that do not re-encode to themselves")
		}
		// What Decode accepts, the accounts-free decode accepts with the
		// same parameters.
		if leanErr != nil {
			t.Fatalf("DecodeWithoutAccounts refused what Decode accepted: %v", leanErr)
		}
		g.Accounts = nil
		if !reflect.DeepEqual(lean, g) {
			t.Fatalf("parameters differ:\n%+v\n%+v", lean, g)
		}
	})
}
