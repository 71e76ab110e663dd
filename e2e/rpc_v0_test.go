package e2e

import (
	"bytes"
	"encoding/json"
	"testing"

	solana "github.com/gagliardetto/solana-go"
	"github.com/gagliardetto/solana-go/programs/system"
	"github.com/gagliardetto/solana-go/rpc"
)

// TestRPCVersionedTransfer sends a v0 transaction (no lookup tables), the
// format kit produces, and reads it back: getFeeForMessage on 0x80-prefixed
// message bytes, -32015 without maxSupportedTransactionVersion, and version
// 0 with addressTableLookups and loadedAddresses present with it.
func TestRPCVersionedTransfer(t *testing.T) {
	c := httpClient(t)
	ctx := testCtx(t)
	const funds, amount = 1_000_000_000, 2_000_000
	payer := fundedKey(t, c, funds)
	to := newKey(t).PublicKey()

	tx := buildTx(t, latestBlockhash(t, c), payer.PublicKey(), nil, system.NewTransferInstruction(amount, payer.PublicKey(), to).Build())
	tx.Message.SetAddressTableLookups([]solana.MessageAddressTableLookup{})
	if _, err := tx.Sign(func(k solana.PublicKey) *solana.PrivateKey {
		if k == payer.PublicKey() {
			return &payer
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	msg, err := tx.Message.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if msg[0] != 0x80 {
		t.Fatalf("solana-go built message version byte %#x, want 0x80 (v0)", msg[0])
	}
	sig := tx.Signatures[0]

	fee, err := c.GetFeeForMessage(ctx, encodeB64(msg), confirmed)
	if err != nil {
		t.Fatalf("getFeeForMessage(v0 message): %v", err)
	}
	if fee.Value == nil || *fee.Value != lamportsPerSignature {
		t.Fatalf("getFeeForMessage(v0 message) = %v, want %d", fee.Value, lamportsPerSignature)
	}
	if got, err := c.SendTransactionWithOpts(ctx, tx, rpc.TransactionOpts{PreflightCommitment: confirmed}); err != nil || got != sig {
		t.Fatalf("sendTransaction(v0) = %s, %v", got, err)
	}
	if st := waitStatus(t, c, sig, confirmed, confirmTimeout); st.Err != nil {
		t.Fatalf("v0 transfer failed: %v", st.Err)
	}
	if b := balance(t, c, to, confirmed); b != amount {
		t.Errorf("recipient of a v0 transfer holds %d, want %d", b, amount)
	}

	// A client that does not say it understands v0 must not be handed one.
	r := rawCall(t, "getTransaction", sig.String(), map[string]any{"commitment": "confirmed", "encoding": "json"})
	wantRawError(t, "getTransaction(v0 transaction, no maxSupportedTransactionVersion)", r, -32015)

	var got struct {
		Version     json.RawMessage `json:"version"`
		Transaction struct {
			Message struct {
				AddressTableLookups json.RawMessage `json:"addressTableLookups"`
			} `json:"message"`
		} `json:"transaction"`
		Meta struct {
			Err             json.RawMessage `json:"err"`
			Fee             uint64          `json:"fee"`
			LoadedAddresses json.RawMessage `json:"loadedAddresses"`
		} `json:"meta"`
	}
	wantRawResult(t, "getTransaction(v0)", rawCall(t, "getTransaction", sig.String(),
		map[string]any{"commitment": "confirmed", "encoding": "json", "maxSupportedTransactionVersion": 0}), &got)
	if string(got.Version) != "0" {
		t.Errorf("getTransaction(v0).version = %s, want 0", got.Version)
	}
	// web3.js builds a MessageV0 from addressTableLookups, so it must be
	// there even when empty.
	if string(got.Transaction.Message.AddressTableLookups) != "[]" {
		t.Errorf("getTransaction(v0) addressTableLookups = %s, want []", got.Transaction.Message.AddressTableLookups)
	}
	if string(got.Meta.Err) != "null" || got.Meta.Fee != lamportsPerSignature || !sameJSON(t, got.Meta.LoadedAddresses, `{"writable":[],"readonly":[]}`) {
		t.Errorf("getTransaction(v0) meta err %s fee %d loadedAddresses %s", got.Meta.Err, got.Meta.Fee, got.Meta.LoadedAddresses)
	}

	v0 := uint64(0)
	b64, err := c.GetTransaction(ctx, sig, &rpc.GetTransactionOpts{Encoding: solana.EncodingBase64, Commitment: confirmed, MaxSupportedTransactionVersion: &v0})
	if err != nil {
		t.Fatalf("getTransaction(v0, base64): %v", err)
	}
	wire, _ := tx.MarshalBinary()
	if b64.Transaction == nil || !bytes.Equal(b64.Transaction.GetBinary(), wire) || b64.Version != 0 {
		t.Errorf("getTransaction(v0, base64) does not return the v0 wire bytes that were sent (version %d)", b64.Version)
	}
}
