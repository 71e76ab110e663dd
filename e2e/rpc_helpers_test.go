package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	solana "github.com/gagliardetto/solana-go"
	"github.com/gagliardetto/solana-go/programs/system"
	"github.com/gagliardetto/solana-go/rpc"
	"github.com/gagliardetto/solana-go/rpc/jsonrpc"
	"github.com/gagliardetto/solana-go/rpc/ws"
)

const (
	// lamportsPerSignature is Solana's default fee per signature, which
	// the dev genesis keeps and clients hard-code.
	lamportsPerSignature = 5000
	// confirmTimeout bounds the wait for a sent transaction to reach
	// confirmed; with 100 ms slots on one node that takes a few slots.
	confirmTimeout = 15 * time.Second
	// finalizeTimeout bounds the wait for finalized (rooted).
	finalizeTimeout = 30 * time.Second
)

var (
	confirmed = rpc.CommitmentConfirmed
	finalized = rpc.CommitmentFinalized
	processed = rpc.CommitmentProcessed
)

// testCtx is a context for one test's RPC calls, cancelled with the test.
func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func httpClient(t *testing.T) *rpc.Client {
	t.Helper()
	c := rpc.New(rpcNode(t).rpcURL)
	t.Cleanup(func() { c.Close() })
	return c
}

func wsClient(t *testing.T) *ws.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := ws.Connect(ctx, rpcNode(t).wsURL)
	if err != nil {
		t.Fatalf("ws connect: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

// newKey returns a fresh keypair, so every test works on accounts nobody
// else touches and its balance checks are exact.
func newKey(t *testing.T) solana.PrivateKey {
	t.Helper()
	k, err := solana.NewRandomPrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// rpcError returns the JSON-RPC error inside err, as solana-go reports it.
func rpcError(err error) *jsonrpc.RPCError {
	var e *jsonrpc.RPCError
	if errors.As(err, &e) {
		return e
	}
	return nil
}

func wantRPCErrorCode(t *testing.T, what string, err error, code int) *jsonrpc.RPCError {
	t.Helper()
	e := rpcError(err)
	if e == nil {
		t.Fatalf("%s: want JSON-RPC error %d, got %v", what, code, err)
	}
	if e.Code != code {
		t.Fatalf("%s: want JSON-RPC error %d, got %d %q (data %v)", what, code, e.Code, e.Message, e.Data)
	}
	return e
}

// commitmentRank orders the confirmation statuses processed < confirmed <
// finalized; unknown strings rank 0.
func commitmentRank(s string) int {
	switch s {
	case string(processed):
		return 1
	case string(confirmed):
		return 2
	case string(finalized):
		return 3
	}
	return 0
}

// waitStatus polls getSignatureStatuses, as web3.js and kit do, until the
// signature's confirmationStatus reaches want, and returns that status.
func waitStatus(t *testing.T, c *rpc.Client, sig solana.Signature, want rpc.CommitmentType, timeout time.Duration) *rpc.SignatureStatusesResult {
	t.Helper()
	ctx := testCtx(t)
	deadline := time.Now().Add(timeout)
	var last *rpc.SignatureStatusesResult
	for {
		out, err := c.GetSignatureStatuses(ctx, false, sig)
		if err != nil {
			t.Fatalf("getSignatureStatuses %s: %v", sig, err)
		}
		if len(out.Value) != 1 {
			t.Fatalf("getSignatureStatuses with 1 signature returned %d statuses", len(out.Value))
		}
		if st := out.Value[0]; st != nil {
			last = st
			if st.ConfirmationStatus == "" {
				// web3.js reads a missing status as "already there"
				// and stops waiting too early (RPC-SURFACE §2).
				t.Fatalf("getSignatureStatuses %s: confirmationStatus missing: %+v", sig, st)
			}
			if commitmentRank(string(st.ConfirmationStatus)) >= commitmentRank(string(want)) {
				return st
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("signature %s not %s within %v; last status %+v", sig, want, timeout, last)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// airdrop funds a new account through requestAirdrop and waits until the
// airdrop is confirmed.
func airdrop(t *testing.T, c *rpc.Client, to solana.PublicKey, lamports uint64) solana.Signature {
	t.Helper()
	sig, err := c.RequestAirdrop(testCtx(t), to, lamports, confirmed)
	if err != nil {
		t.Fatalf("requestAirdrop: %v", err)
	}
	st := waitStatus(t, c, sig, confirmed, confirmTimeout)
	if st.Err != nil {
		t.Fatalf("airdrop %s failed: %v", sig, st.Err)
	}
	return sig
}

// fundedKey returns a new keypair holding lamports at confirmed.
func fundedKey(t *testing.T, c *rpc.Client, lamports uint64) solana.PrivateKey {
	t.Helper()
	k := newKey(t)
	airdrop(t, c, k.PublicKey(), lamports)
	return k
}

// latestBlockhash fetches a blockhash at finalized, which is what web3.js
// signs every legacy transaction with.
func latestBlockhash(t *testing.T, c *rpc.Client) solana.Hash {
	t.Helper()
	out, err := c.GetLatestBlockhash(testCtx(t), finalized)
	if err != nil {
		t.Fatalf("getLatestBlockhash: %v", err)
	}
	return out.Value.Blockhash
}

// buildTx compiles instructions into a legacy transaction paid by payer
// and signs it with every key in signers.
func buildTx(t *testing.T, bh solana.Hash, payer solana.PublicKey, signers []solana.PrivateKey, ixs ...solana.Instruction) *solana.Transaction {
	t.Helper()
	tx, err := solana.NewTransaction(ixs, bh, solana.TransactionPayer(payer))
	if err != nil {
		t.Fatal(err)
	}
	if len(signers) > 0 {
		_, err = tx.Sign(func(k solana.PublicKey) *solana.PrivateKey {
			for i := range signers {
				if signers[i].PublicKey() == k {
					return &signers[i]
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return tx
}

// transferTx is a signed system transfer, the most common transaction.
func transferTx(t *testing.T, bh solana.Hash, from solana.PrivateKey, to solana.PublicKey, lamports uint64) *solana.Transaction {
	t.Helper()
	ix := system.NewTransferInstruction(lamports, from.PublicKey(), to).Build()
	return buildTx(t, bh, from.PublicKey(), []solana.PrivateKey{from}, ix)
}

// unsignedTx is tx's message with all-zero signatures in place of real
// ones, which is how both JS clients serialise a transaction for
// simulation before it is signed.
func unsignedTx(t *testing.T, bh solana.Hash, payer solana.PublicKey, ixs ...solana.Instruction) *solana.Transaction {
	t.Helper()
	tx := buildTx(t, bh, payer, nil, ixs...)
	tx.Signatures = make([]solana.Signature, tx.Message.Header.NumRequiredSignatures)
	return tx
}

func wireBase64(t *testing.T, tx *solana.Transaction) string {
	t.Helper()
	b, err := tx.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return encodeB64(b)
}

func messageBase64(t *testing.T, tx *solana.Transaction) string {
	t.Helper()
	b, err := tx.Message.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return encodeB64(b)
}

func balance(t *testing.T, c *rpc.Client, k solana.PublicKey, commitment rpc.CommitmentType) uint64 {
	t.Helper()
	out, err := c.GetBalance(testCtx(t), k, commitment)
	if err != nil {
		t.Fatalf("getBalance %s: %v", k, err)
	}
	return out.Value
}

// sameJSON reports whether two values marshal to the same JSON after a
// round trip through interface{}, so that key order and number types do
// not matter.
func sameJSON(t *testing.T, got any, want string) bool {
	t.Helper()
	g, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	return canonicalJSON(t, g) == canonicalJSON(t, []byte(want))
}

func canonicalJSON(t *testing.T, b []byte) string {
	t.Helper()
	var v any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		t.Fatalf("not JSON: %s: %v", b, err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func decodeJSON(r io.Reader, v any) error {
	d := json.NewDecoder(r)
	d.UseNumber()
	return d.Decode(v)
}

// ---- raw JSON-RPC over HTTP, for what solana-go's typed client cannot
// express or hides: exact error objects, HTTP status codes, ids, and
// fields solana-go's structs leave out.

type rawReply struct {
	HTTPStatus int
	Body       []byte
	JSONRPC    string          `json:"jsonrpc"`
	ID         json.RawMessage `json:"id"`
	Result     json.RawMessage `json:"result"`
	Error      *rawError       `json:"error"`
}

type rawError struct {
	Code    int             `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data"`
}

// rawPost sends body to the node's JSON-RPC endpoint with the headers kit
// sends and returns the HTTP status and body.
func rawPost(t *testing.T, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(testCtx(t), http.MethodPost, rpcNode(t).rpcURL, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %d bytes: %v", len(body), err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// rawCall sends one JSON-RPC request with a string id, as kit does, and
// decodes the reply, checking the envelope every client relies on.
func rawCall(t *testing.T, method string, params ...any) rawReply {
	t.Helper()
	if params == nil {
		params = []any{}
	}
	body, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": "7", "method": method, "params": params})
	if err != nil {
		t.Fatal(err)
	}
	status, b := rawPost(t, body)
	r := rawReply{HTTPStatus: status, Body: b}
	if status != http.StatusOK {
		t.Fatalf("%s: HTTP %d (JSON-RPC errors must come with 200): %s", method, status, b)
	}
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("%s: reply is not JSON-RPC: %v: %s", method, err, b)
	}
	if r.JSONRPC != "2.0" || string(r.ID) != `"7"` {
		t.Fatalf(`%s: reply must carry "jsonrpc":"2.0" and echo the id "7" unchanged: %s`, method, b)
	}
	if (r.Error == nil) == (r.Result == nil) {
		t.Fatalf("%s: reply must carry exactly one of result and error: %s", method, b)
	}
	return r
}

// wantRawError checks that r is a JSON-RPC error with the given code.
func wantRawError(t *testing.T, what string, r rawReply, code int) *rawError {
	t.Helper()
	if r.Error == nil {
		t.Fatalf("%s: want JSON-RPC error %d, got result %s", what, code, r.Result)
	}
	if r.Error.Code != code {
		t.Fatalf("%s: want JSON-RPC error %d, got %s", what, code, r.Body)
	}
	return r.Error
}

func wantRawResult(t *testing.T, what string, r rawReply, v any) {
	t.Helper()
	if r.Error != nil {
		t.Fatalf("%s: want a result, got error %s", what, r.Body)
	}
	if err := json.Unmarshal(r.Result, v); err != nil {
		t.Fatalf("%s: result %s: %v", what, r.Result, err)
	}
}

func encodeB64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
