package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	solana "github.com/gagliardetto/solana-go"
	"github.com/gagliardetto/solana-go/rpc"
)

// TestRPCErrors checks the JSON-RPC error codes clients act on. kit turns
// each code into a SolanaError of the same number and web3.js reads the
// preflight logs from data, so the codes are asserted exactly, with the
// values Agave uses.
func TestRPCErrors(t *testing.T) {
	c := httpClient(t)
	payer := fundedKey(t, c, 1_000_000_000)
	to := newKey(t).PublicKey()

	t.Run("bad signature is -32003", func(t *testing.T) {
		tx := transferTx(t, latestBlockhash(t, c), payer, to, 1_000_000)
		tx.Signatures[0][0] ^= 0xff
		_, err := c.SendTransactionWithOpts(testCtx(t), tx, rpc.TransactionOpts{PreflightCommitment: confirmed})
		wantRPCErrorCode(t, "sendTransaction(corrupted signature)", err, -32003)
	})

	t.Run("preflight overdraft is -32002 with the simulation in data", func(t *testing.T) {
		tx := transferTx(t, latestBlockhash(t, c), payer, to, 10_000_000_000)
		r := rawCall(t, "sendTransaction", wireBase64(t, tx), map[string]any{"encoding": "base64", "preflightCommitment": "confirmed"})
		e := wantRawError(t, "sendTransaction(overdraft)", r, -32002)
		if !strings.HasPrefix(e.Message, "Transaction simulation failed") {
			t.Errorf("message %q; Agave's is \"Transaction simulation failed: <error>\"", e.Message)
		}
		// kit destructures data without a null check; web3.js prints
		// data.logs. Both need the simulation result here.
		var data struct {
			Err  json.RawMessage `json:"err"`
			Logs []string        `json:"logs"`
		}
		if err := json.Unmarshal(e.Data, &data); err != nil {
			t.Fatalf("error data %s: %v", e.Data, err)
		}
		if !sameJSON(t, data.Err, `{"InstructionError":[0,{"Custom":1}]}`) {
			t.Errorf(`data.err = %s, want {"InstructionError":[0,{"Custom":1}]}`, data.Err)
		}
		if len(data.Logs) == 0 {
			t.Errorf("data.logs is empty; web3.js shows these to the user: %s", e.Data)
		}
		// Preflight failed, so nothing was sent: the payer paid no fee.
		if b := balance(t, c, payer.PublicKey(), processed); b != 1_000_000_000 {
			t.Errorf("payer balance %d after a rejected preflight; want it untouched", b)
		}
	})

	t.Run("unknown blockhash fails preflight with BlockhashNotFound", func(t *testing.T) {
		tx := transferTx(t, solana.Hash(newKey(t).PublicKey()), payer, to, 1_000_000)
		r := rawCall(t, "sendTransaction", wireBase64(t, tx), map[string]any{"encoding": "base64", "preflightCommitment": "confirmed"})
		e := wantRawError(t, "sendTransaction(unknown blockhash)", r, -32002)
		var data struct {
			Err json.RawMessage `json:"err"`
		}
		if json.Unmarshal(e.Data, &data) != nil || !sameJSON(t, data.Err, `"BlockhashNotFound"`) {
			t.Errorf(`sendTransaction(unknown blockhash) data = %s; want err "BlockhashNotFound"`, e.Data)
		}
	})

	t.Run("minContextSlot ahead of the node is -32016", func(t *testing.T) {
		r := rawCall(t, "getBalance", payer.PublicKey().String(), map[string]any{"commitment": "confirmed", "minContextSlot": uint64(1) << 40})
		e := wantRawError(t, "getBalance(minContextSlot 2^40)", r, -32016)
		var data struct {
			ContextSlot *uint64 `json:"contextSlot"`
		}
		if json.Unmarshal(e.Data, &data) != nil || data.ContextSlot == nil {
			t.Errorf("-32016 data = %s; want {\"contextSlot\": <slot>}", e.Data)
		}
	})

	t.Run("getTokenAccountsByOwner with an unknown program is -32602", func(t *testing.T) {
		r := rawCall(t, "getTokenAccountsByOwner", payer.PublicKey().String(), map[string]any{"programId": solana.SystemProgramID.String()}, map[string]any{"encoding": "base64"})
		wantRawError(t, "getTokenAccountsByOwner(programId system)", r, -32602)
	})

	t.Run("getSignaturesForAddress limit is 1 to 1000", func(t *testing.T) {
		for _, limit := range []int{0, 1001} {
			r := rawCall(t, "getSignaturesForAddress", payer.PublicKey().String(), map[string]any{"limit": limit, "commitment": "confirmed"})
			wantRawError(t, fmt.Sprintf("getSignaturesForAddress(limit %d)", limit), r, -32602)
		}
		var ok []json.RawMessage
		wantRawResult(t, "getSignaturesForAddress(limit 1000)", rawCall(t, "getSignaturesForAddress", payer.PublicKey().String(), map[string]any{"limit": 1000, "commitment": "confirmed"}), &ok)
	})

	t.Run("GET /health is plain ok", func(t *testing.T) {
		resp, err := http.Get(rpcNode(t).rpcURL + "/health")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || string(b) != "ok" {
			t.Errorf("GET /health = %d %q, want 200 \"ok\"", resp.StatusCode, b)
		}
	})

	t.Run("unknown method is -32601", func(t *testing.T) {
		wantRawError(t, "getNoSuchThing", rawCall(t, "getNoSuchThing"), -32601)
	})

	t.Run("unparseable JSON is -32700", func(t *testing.T) {
		status, b := rawPost(t, []byte(`{"jsonrpc":"2.0","id":1,"method":`))
		var r struct {
			Error *rawError `json:"error"`
		}
		if status != http.StatusOK || json.Unmarshal(b, &r) != nil || r.Error == nil || r.Error.Code != -32700 {
			t.Errorf("truncated JSON: HTTP %d %s; want 200 with JSON-RPC error -32700", status, b)
		}
	})

	t.Run("getMultipleAccounts takes at most 100 keys", func(t *testing.T) {
		keys := make([]solana.PublicKey, 101)
		for i := range keys {
			keys[i] = newKey(t).PublicKey()
		}
		out, err := c.GetMultipleAccountsWithOpts(testCtx(t), keys[:100], &rpc.GetMultipleAccountsOpts{Commitment: confirmed})
		if err != nil {
			t.Fatalf("getMultipleAccounts(100 keys): %v", err)
		}
		if len(out.Value) != 100 {
			t.Errorf("getMultipleAccounts(100 unknown keys) returned %d values, want 100 nulls", len(out.Value))
		}
		_, err = c.GetMultipleAccountsWithOpts(testCtx(t), keys, &rpc.GetMultipleAccountsOpts{Commitment: confirmed})
		wantRPCErrorCode(t, "getMultipleAccounts(101 keys)", err, -32602)
	})

	t.Run("getSignatureStatuses takes at most 256 signatures", func(t *testing.T) {
		sigs := make([]solana.Signature, 257)
		for i := range sigs {
			sigs[i][0], sigs[i][1] = byte(i), byte(i>>8)
		}
		out, err := c.GetSignatureStatuses(testCtx(t), false, sigs[:256]...)
		if err != nil {
			t.Fatalf("getSignatureStatuses(256): %v", err)
		}
		if len(out.Value) != 256 {
			t.Errorf("getSignatureStatuses(256 unknown) returned %d statuses, want 256 nulls", len(out.Value))
		}
		for i, st := range out.Value {
			if st != nil {
				t.Fatalf("getSignatureStatuses: unknown signature %d has status %+v", i, st)
			}
		}
		_, err = c.GetSignatureStatuses(testCtx(t), false, sigs...)
		wantRPCErrorCode(t, "getSignatureStatuses(257)", err, -32602)
	})

	t.Run("getTransaction refuses processed", func(t *testing.T) {
		sig := airdrop(t, c, newKey(t).PublicKey(), 1_000_000_000)
		v0 := uint64(0)
		_, err := c.GetTransaction(testCtx(t), sig, &rpc.GetTransactionOpts{Commitment: processed, MaxSupportedTransactionVersion: &v0})
		wantRPCErrorCode(t, "getTransaction(commitment processed)", err, -32602)
	})

	t.Run("malformed transactions are -32602", func(t *testing.T) {
		for _, tc := range []struct{ name, tx string }{
			{"not base64", "this is not base64!"},
			{"base64 of garbage", "AAEC"},
			{"empty", ""},
		} {
			for _, method := range []string{"sendTransaction", "simulateTransaction"} {
				r := rawCall(t, method, tc.tx, map[string]any{"encoding": "base64"})
				wantRawError(t, method+"("+tc.name+")", r, -32602)
			}
		}
	})

	// Agave's HTTP server (jsonrpc-http-server with max_request_body_size
	// = MAX_REQUEST_BODY_SIZE, 50 KiB) answers a larger body with HTTP 413
	// Payload Too Large before any JSON-RPC handling; a body of exactly
	// 50 KiB is still served.
	t.Run("request bodies over 50 KiB get HTTP 413", func(t *testing.T) {
		const limit = 50 << 10
		body := func(size int) []byte {
			// JSON allows whitespace between tokens, so padding keeps the
			// request valid and the size exact.
			head := `{"jsonrpc":"2.0","id":1,"method":"getVersion","params":[]`
			b := []byte(head + strings.Repeat(" ", size-len(head)-1) + "}")
			if len(b) != size {
				t.Fatalf("padded body is %d bytes, want %d", len(b), size)
			}
			return b
		}
		status, b := rawPost(t, body(limit))
		if status != http.StatusOK || !bytes.Contains(b, []byte(`"solana-core"`)) {
			t.Errorf("a %d-byte getVersion request: HTTP %d %.200s; want it served", limit, status, b)
		}
		status, b = rawPost(t, body(limit+1))
		if status != http.StatusRequestEntityTooLarge {
			t.Errorf("a %d-byte request: HTTP %d %.200s; want 413 as from Agave", limit+1, status, b)
		}
	})
}

// TestRPCResendExecutesOnce sends one signed transfer three times, as a
// client retrying on a timeout does: it must execute exactly once.
func TestRPCResendExecutesOnce(t *testing.T) {
	c := httpClient(t)
	ctx := testCtx(t)
	const funds, amount = 1_000_000_000, 100_000_000
	payer := fundedKey(t, c, funds)
	to := newKey(t).PublicKey()
	tx := transferTx(t, latestBlockhash(t, c), payer, to, amount)
	sig := tx.Signatures[0]

	if got, err := c.SendTransactionWithOpts(ctx, tx, rpc.TransactionOpts{PreflightCommitment: confirmed}); err != nil || got != sig {
		t.Fatalf("sendTransaction = %s, %v", got, err)
	}
	waitStatus(t, c, sig, confirmed, confirmTimeout)

	// With preflight, a repeat may return the same signature or fail
	// preflight with AlreadyProcessed (RPC-SURFACE §2).
	r := rawCall(t, "sendTransaction", wireBase64(t, tx), map[string]any{"encoding": "base64", "preflightCommitment": "confirmed"})
	if r.Error != nil {
		e := wantRawError(t, "sendTransaction(repeat, preflight)", r, -32002)
		var data struct {
			Err json.RawMessage `json:"err"`
		}
		if json.Unmarshal(e.Data, &data) != nil || !sameJSON(t, data.Err, `"AlreadyProcessed"`) {
			t.Errorf(`sendTransaction(repeat, preflight) failed with %s; want data.err "AlreadyProcessed"`, r.Body)
		}
	} else if string(r.Result) != `"`+sig.String()+`"` {
		t.Errorf("sendTransaction(repeat, preflight) = %s, want %s", r.Result, sig)
	}
	// Without preflight the node takes it and must drop it as a duplicate.
	if got, err := c.SendTransactionWithOpts(ctx, tx, rpc.TransactionOpts{SkipPreflight: true, PreflightCommitment: processed}); err != nil || got != sig {
		t.Errorf("sendTransaction(repeat, skipPreflight) = %s, %v; want the signature", got, err)
	}

	// Give a duplicate every chance to land: wait until the confirmed
	// slot is 20 slots past the resends.
	start, err := c.GetSlot(ctx, processed)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(confirmTimeout)
	for {
		s, err := c.GetSlot(ctx, confirmed)
		if err != nil {
			t.Fatal(err)
		}
		if s >= start+20 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("confirmed slot stuck at %d, waiting for %d", s, start+20)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if b := balance(t, c, to, confirmed); b != amount {
		t.Errorf("recipient holds %d after one transfer of %d sent three times", b, amount)
	}
	if b := balance(t, c, payer.PublicKey(), confirmed); b != funds-amount-lamportsPerSignature {
		t.Errorf("payer holds %d; want %d - %d - fee %d, charged once", b, funds, amount, lamportsPerSignature)
	}
	sigs, err := c.GetSignaturesForAddressWithOpts(ctx, to, &rpc.GetSignaturesForAddressOpts{Commitment: confirmed})
	if err != nil {
		t.Fatalf("getSignaturesForAddress: %v", err)
	}
	if len(sigs) != 1 || sigs[0].Signature != sig {
		t.Errorf("getSignaturesForAddress(recipient) lists %d entries; want the transfer once", len(sigs))
	}
}
