package parsed

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/gnomon-chain/gnomon/sdk"
)

// Test keys; golden JSON names them K1..K9 and is rewritten to base58 before
// comparing, so the expected documents stay readable.
var (
	k1, k2, k3, k4, k5 = sdk.Pubkey{1}, sdk.Pubkey{2}, sdk.Pubkey{3}, sdk.Pubkey{4}, sdk.Pubkey{5}
	k6, k7, k8, k9     = sdk.Pubkey{6}, sdk.Pubkey{7}, sdk.Pubkey{8}, sdk.Pubkey{9}
	h1                 = sdk.Hash{0xa1}
	h2                 = sdk.Hash{0xa2}
)

var keyNames = strings.NewReplacer(
	"K1", k1.String(), "K2", k2.String(), "K3", k3.String(), "K4", k4.String(), "K5", k5.String(),
	"K6", k6.String(), "K7", k7.String(), "K8", k8.String(), "K9", k9.String(),
	"H1", h1.String(), "H2", h2.String(),
)

// marshal encodes v as the RPC server should: without HTML escaping, which
// serde_json does not do.
func marshal(t testing.TB, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatalf("marshal %#v: %v", v, err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// checkGolden compares v's JSON byte for byte with want, a hand-written
// document of Agave's output (keys sorted, as Agave's RPC writes them), after
// naming the test keys and dropping the layout whitespace.
func checkGolden(t *testing.T, v any, want string) {
	t.Helper()
	var compact bytes.Buffer
	if err := json.Compact(&compact, []byte(keyNames.Replace(want))); err != nil {
		t.Fatalf("golden JSON does not parse: %v\n%s", err, want)
	}
	if got := marshal(t, v); !bytes.Equal(got, compact.Bytes()) {
		t.Errorf("JSON mismatch\n got: %s\nwant: %s", got, compact.Bytes())
	}
}

func decimalsOf(known map[sdk.Pubkey]uint8) func(sdk.Pubkey) (uint8, bool) {
	return func(m sdk.Pubkey) (uint8, bool) {
		d, ok := known[m]
		return d, ok
	}
}
