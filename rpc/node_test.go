package rpc_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/coder/websocket"

	"github.com/gnomon-chain/gnomon/genesis"
	"github.com/gnomon-chain/gnomon/ledger"
	"github.com/gnomon-chain/gnomon/runtime/programs/ata"
	"github.com/gnomon-chain/gnomon/runtime/programs/system"
	"github.com/gnomon-chain/gnomon/sdk"
	"github.com/gnomon-chain/gnomon/validator/node"
)

// testNode is a running node with RPC, driven the way a client drives it:
// JSON over HTTP and WebSocket.
type testNode struct {
	n       *node.Node
	url, ws string
	faucet  sdk.Keypair
	g       *genesis.Genesis
	client  *http.Client
}

func startNode(t testing.TB, wsQueue int) *testNode {
	t.Helper()
	faucet := sdk.KeypairFromSeed([32]byte{9})
	identity := sdk.KeypairFromSeed([32]byte{8})
	g := genesis.DevGenesis(identity.Pubkey(), sdk.Pubkey{0x0e}, faucet.Pubkey(), time.Unix(1_700_000_000, 0))
	l, err := ledger.Open("ledger", ledger.Options{FS: vfs.NewMem()})
	if err != nil {
		t.Fatal(err)
	}
	n, err := node.New(node.Config{Genesis: &g, Identity: identity, Ledger: l, TPUAddr: "127.0.0.1:0",
		RPCAddr: "127.0.0.1:0", RPCWSAddr: "127.0.0.1:0", Faucet: &faucet, RPCWSQueue: wsQueue,
		TowerPath: filepath.Join(t.TempDir(), "tower.bin")})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("node: %v", err)
		}
		l.Close()
	})
	return &testNode{n: n, url: "http://" + n.RPCAddr().String(), ws: "ws://" + n.RPCWSAddr().String(),
		faucet: faucet, g: &g, client: &http.Client{Timeout: 10 * time.Second}}
}

type rpcError struct {
	Code    int             `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data"`
}

type rpcResponse struct {
	JSONRPC string          `json:"jsonrpc"`
	Result  json.RawMessage `json:"result"`
	Error   *rpcError       `json:"error"`
	ID      json.RawMessage `json:"id"`
}

// post sends a raw body and returns the HTTP status and body.
func (tn *testNode) post(t testing.TB, body string) (int, []byte) {
	t.Helper()
	resp, err := tn.client.Post(tn.url, "application/json; charset=utf-8", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// call makes one JSON-RPC call and returns the decoded response.
func (tn *testNode) call(t testing.TB, method string, params ...any) rpcResponse {
	t.Helper()
	if params == nil {
		params = []any{}
	}
	body, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": "1", "method": method, "params": params})
	status, out := tn.post(t, string(body))
	if status != http.StatusOK {
		t.Fatalf("%s: HTTP %d: %s", method, status, out)
	}
	var r rpcResponse
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("%s: %v: %s", method, err, out)
	}
	if r.JSONRPC != "2.0" || string(r.ID) != `"1"` || (r.Result == nil) == (r.Error == nil) {
		t.Fatalf("%s: malformed response %s", method, out)
	}
	return r
}

// result calls method and decodes its result into v, failing on an error.
func (tn *testNode) result(t testing.TB, v any, method string, params ...any) {
	t.Helper()
	r := tn.call(t, method, params...)
	if r.Error != nil {
		t.Fatalf("%s: error %d %s", method, r.Error.Code, r.Error.Message)
	}
	if v != nil {
		if err := json.Unmarshal(r.Result, v); err != nil {
			t.Fatalf("%s: %v: %s", method, err, r.Result)
		}
	}
}

func (tn *testNode) wantError(t testing.TB, code int, method string, params ...any) rpcError {
	t.Helper()
	r := tn.call(t, method, params...)
	if r.Error == nil || r.Error.Code != code {
		t.Fatalf("%s: want error %d, got result %s error %+v", method, code, r.Result, r.Error)
	}
	return *r.Error
}

func commitment(c string) map[string]any { return map[string]any{"commitment": c} }

// fund airdrops lamports to key, waits until the airdrop is confirmed, and
// returns its signature.
func (tn *testNode) fund(t testing.TB, key sdk.Pubkey, lamports uint64) string {
	t.Helper()
	var sig string
	tn.result(t, &sig, "requestAirdrop", key.String(), lamports)
	tn.waitStatus(t, sig, "confirmed")
	return sig
}

// waitStatus polls getSignatureStatuses until sig reaches level.
func (tn *testNode) waitStatus(t testing.TB, sig string, level string) map[string]any {
	t.Helper()
	order := map[string]int{"processed": 0, "confirmed": 1, "finalized": 2}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		var res struct {
			Value []map[string]any `json:"value"`
		}
		tn.result(t, &res, "getSignatureStatuses", []string{sig})
		if st := res.Value[0]; st != nil {
			if order[st["confirmationStatus"].(string)] >= order[level] {
				return st
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s did not reach %s", sig, level)
	return nil
}

func (tn *testNode) blockhash(t testing.TB, level string) sdk.Hash {
	t.Helper()
	var res struct {
		Value struct {
			Blockhash            string `json:"blockhash"`
			LastValidBlockHeight uint64 `json:"lastValidBlockHeight"`
		} `json:"value"`
	}
	tn.result(t, &res, "getLatestBlockhash", commitment(level))
	h, err := sdk.ParseHash(res.Value.Blockhash)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func transferTx(t testing.TB, from sdk.Keypair, to sdk.Pubkey, lamports uint64, blockhash sdk.Hash) (*sdk.Transaction, string) {
	t.Helper()
	tx, err := sdk.NewTransaction([]sdk.Instruction{{ProgramID: system.ID, Data: system.TransferData(lamports),
		Accounts: []sdk.AccountMeta{{Pubkey: from.Pubkey(), IsSigner: true, IsWritable: true}, {Pubkey: to, IsWritable: true}}}},
		blockhash, from)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := tx.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return tx, base64.StdEncoding.EncodeToString(raw)
}

func TestRPCTransportRules(t *testing.T) {
	tn := startNode(t, 0)
	cases := []struct {
		name, body string
		want       string // a substring of the response
	}{
		{"numeric id echoed", `{"jsonrpc":"2.0","id":7,"method":"getHealth"}`, `"result":"ok","id":7}`},
		{"string id echoed", `{"jsonrpc":"2.0","id":"abc","method":"getHealth","params":[]}`, `"id":"abc"}`},
		{"parse error", `{"jsonrpc":"2.0",`, `"code":-32700`},
		{"not JSON-RPC 2.0", `{"jsonrpc":"1.0","id":1,"method":"getHealth"}`, `"code":-32600`},
		{"unknown method", `{"jsonrpc":"2.0","id":1,"method":"getNothing"}`, `{"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found"},"id":1}`},
		{"params not a list", `{"jsonrpc":"2.0","id":1,"method":"getSlot","params":{"commitment":"processed"}}`, `"code":-32602`},
		{"bad commitment", `{"jsonrpc":"2.0","id":1,"method":"getSlot","params":[{"commitment":"soon"}]}`, `"code":-32602`},
		{"null config", `{"jsonrpc":"2.0","id":1,"method":"getBalance","params":["11111111111111111111111111111111",null]}`, `"value":1`},
		{"unknown config key ignored", `{"jsonrpc":"2.0","id":1,"method":"getSlot","params":[{"commitment":"processed","novel":true}]}`, `"result":`},
		{"batch", `[{"jsonrpc":"2.0","id":1,"method":"getHealth"},{"jsonrpc":"2.0","id":2,"method":"nope"}]`,
			`[{"jsonrpc":"2.0","result":"ok","id":1},{"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found"},"id":2}]`},
	}
	for _, c := range cases {
		status, body := tn.post(t, c.body)
		if status != http.StatusOK || !strings.Contains(string(body), c.want) {
			t.Errorf("%s: HTTP %d %s, want 200 with %s", c.name, status, body, c.want)
		}
	}
	// Agave refuses a body over 50 KiB before parsing it.
	big := `{"jsonrpc":"2.0","id":1,"method":"getHealth","params":["` + strings.Repeat("a", 50*1024) + `"]}`
	if status, _ := tn.post(t, big); status != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body: HTTP %d, want 413", status)
	}
	resp, err := http.Get(tn.url + "/health")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "ok" {
		t.Errorf("/health: %d %q", resp.StatusCode, b)
	}
}

func TestRPCCommitmentLevelsAdvanceInOrder(t *testing.T) {
	tn := startNode(t, 0)
	slots := func() (p, c, f, def uint64) {
		tn.result(t, &f, "getSlot", commitment("finalized"))
		tn.result(t, &def, "getSlot")
		tn.result(t, &c, "getSlot", commitment("confirmed"))
		tn.result(t, &p, "getSlot", commitment("processed"))
		return
	}
	p0, c0, f0, _ := slots()
	if !(f0 <= c0 && c0 <= p0) {
		t.Fatalf("finalized %d confirmed %d processed %d out of order", f0, c0, p0)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		p, c, f, def := slots()
		if !(f <= c && c <= p) || def < f0 {
			t.Fatalf("finalized %d confirmed %d processed %d out of order (default %d)", f, c, p, def)
		}
		if f > f0 && c > c0 && p > p0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("levels did not all advance: %d/%d/%d from %d/%d/%d", p, c, f, p0, c0, f0)
		}
		time.Sleep(100 * time.Millisecond)
	}
	var info map[string]uint64
	tn.result(t, &info, "getEpochInfo", commitment("confirmed"))
	if info["slotIndex"] >= info["slotsInEpoch"] || info["blockHeight"] > info["absoluteSlot"] {
		t.Fatalf("epoch info %v", info)
	}
	var rent []uint64
	for _, n := range []int{0, 82, 165} {
		var v uint64
		tn.result(t, &v, "getMinimumBalanceForRentExemption", n)
		rent = append(rent, v)
	}
	if !slices.Equal(rent, []uint64{890880, 1461600, 2039280}) {
		t.Fatalf("rent exemption %v", rent)
	}
}

// TestRPCTransferLifecycle is a user's whole journey: airdrop, transfer,
// confirmation by polling, then the history methods, which must agree.
func TestRPCTransferLifecycle(t *testing.T) {
	tn := startNode(t, 0)
	alice := sdk.KeypairFromSeed([32]byte{1})
	bob := sdk.KeypairFromSeed([32]byte{2}).Pubkey()
	airdrop := tn.fund(t, alice.Pubkey(), 10_000_000_000)
	var bal struct{ Value uint64 }
	tn.result(t, &bal, "getBalance", alice.Pubkey().String(), commitment("confirmed"))
	if bal.Value != 10_000_000_000 {
		t.Fatalf("airdropped balance %d", bal.Value)
	}

	tx, wire := transferTx(t, alice, bob, 1_000_000_000, tn.blockhash(t, "confirmed"))
	msg, _ := tx.Message.MarshalBinary()
	var fee struct{ Value *uint64 }
	tn.result(t, &fee, "getFeeForMessage", base64.StdEncoding.EncodeToString(msg), commitment("confirmed"))
	if fee.Value == nil || *fee.Value != 5000 {
		t.Fatalf("fee for message %v", fee.Value)
	}
	var sig string
	tn.result(t, &sig, "sendTransaction", wire, map[string]any{"encoding": "base64", "preflightCommitment": "confirmed"})
	if sig != tx.Signatures[0].String() {
		t.Fatalf("sendTransaction returned %s, want the first signature %s", sig, tx.Signatures[0])
	}
	// Sending it again must not execute it twice.
	tn.call(t, "sendTransaction", wire, map[string]any{"encoding": "base64", "skipPreflight": true})
	st := tn.waitStatus(t, sig, "finalized")
	if st["confirmations"] != nil || st["err"] != nil {
		t.Fatalf("finalized status %v", st)
	}
	tn.result(t, &bal, "getBalance", bob.String(), commitment("finalized"))
	if bal.Value != 1_000_000_000 {
		t.Fatalf("recipient balance %d after one transfer (sent twice)", bal.Value)
	}

	var got map[string]json.RawMessage
	tn.result(t, &got, "getTransaction", sig, map[string]any{"commitment": "confirmed", "maxSupportedTransactionVersion": 0})
	var meta struct {
		Err          any      `json:"err"`
		Fee          uint64   `json:"fee"`
		PreBalances  []uint64 `json:"preBalances"`
		PostBalances []uint64 `json:"postBalances"`
		LogMessages  []string `json:"logMessages"`
	}
	json.Unmarshal(got["meta"], &meta)
	if meta.Err != nil || meta.Fee != 5000 || meta.PreBalances[0]-meta.PostBalances[0] != 1_000_005_000 ||
		meta.PostBalances[1]-meta.PreBalances[1] != 1_000_000_000 {
		t.Fatalf("meta %+v", meta)
	}
	if !slices.Contains(meta.LogMessages, "Program 11111111111111111111111111111111 invoke [1]") {
		t.Fatalf("logs %v", meta.LogMessages)
	}
	if string(got["version"]) != `"legacy"` {
		t.Fatalf("version %s", got["version"])
	}
	var slot uint64
	json.Unmarshal(got["slot"], &slot)

	var blk struct {
		Signatures        []string `json:"signatures"`
		Blockhash         string   `json:"blockhash"`
		PreviousBlockhash string   `json:"previousBlockhash"`
		ParentSlot        uint64   `json:"parentSlot"`
		BlockHeight       *uint64  `json:"blockHeight"`
		BlockTime         *int64   `json:"blockTime"`
	}
	tn.result(t, &blk, "getBlock", slot, map[string]any{"transactionDetails": "signatures", "rewards": false})
	if !slices.Contains(blk.Signatures, sig) || blk.ParentSlot != slot-1 || blk.BlockHeight == nil || blk.BlockTime == nil {
		t.Fatalf("block %d: %+v", slot, blk)
	}
	var list []map[string]any
	tn.result(t, &list, "getSignaturesForAddress", alice.Pubkey().String())
	if len(list) != 2 || list[0]["signature"] != sig || list[1]["signature"] != airdrop {
		t.Fatalf("signatures for address, newest first: %v", list)
	}
	var base64Tx map[string]json.RawMessage
	tn.result(t, &base64Tx, "getTransaction", sig, map[string]any{"encoding": "base64"})
	if !strings.Contains(string(base64Tx["transaction"]), `"base64"]`) {
		t.Fatalf("base64 transaction %s", base64Tx["transaction"])
	}
}

func TestRPCPreflightAndLimits(t *testing.T) {
	tn := startNode(t, 0)
	alice := sdk.KeypairFromSeed([32]byte{3})
	airdrop := tn.fund(t, alice.Pubkey(), 1_000_000_000)
	bh := tn.blockhash(t, "confirmed")
	cfg := map[string]any{"encoding": "base64", "preflightCommitment": "confirmed"}

	_, over := transferTx(t, alice, sdk.Pubkey{7}, 5_000_000_000, bh)
	e := tn.wantError(t, -32002, "sendTransaction", over, cfg)
	var sim struct {
		Err  json.RawMessage `json:"err"`
		Logs []string        `json:"logs"`
	}
	json.Unmarshal(e.Data, &sim)
	if string(sim.Err) != `{"InstructionError":[0,{"Custom":1}]}` || len(sim.Logs) == 0 {
		t.Fatalf("preflight data %s", e.Data)
	}
	var res struct {
		Value struct {
			Err           json.RawMessage `json:"err"`
			UnitsConsumed uint64          `json:"unitsConsumed"`
			Accounts      []any           `json:"accounts"`
		} `json:"value"`
	}
	tn.result(t, &res, "simulateTransaction", over, map[string]any{"encoding": "base64", "commitment": "confirmed"})
	if string(res.Value.Err) != `{"InstructionError":[0,{"Custom":1}]}` {
		t.Fatalf("simulated overdraft %s", res.Value.Err)
	}

	// A bad signature is refused before simulation.
	tx, _ := transferTx(t, alice, sdk.Pubkey{7}, 100_000_000, bh)
	tx.Signatures[0][5] ^= 1
	raw, _ := tx.MarshalBinary()
	tn.wantError(t, -32003, "sendTransaction", base64.StdEncoding.EncodeToString(raw), cfg)
	// Unsigned (all-zero) transactions simulate with sigVerify off.
	tx.Signatures[0] = sdk.Signature{}
	raw, _ = tx.MarshalBinary()
	tn.result(t, &res, "simulateTransaction", base64.StdEncoding.EncodeToString(raw),
		map[string]any{"encoding": "base64", "commitment": "confirmed", "sigVerify": false,
			"accounts": map[string]any{"addresses": []string{sdk.Pubkey{7}.String()}, "encoding": "base64"}})
	if string(res.Value.Err) != "null" || res.Value.UnitsConsumed == 0 || len(res.Value.Accounts) != 1 || res.Value.Accounts[0] == nil {
		t.Fatalf("unsigned simulation %+v", res.Value)
	}
	tn.wantError(t, -32602, "simulateTransaction", base64.StdEncoding.EncodeToString(raw),
		map[string]any{"encoding": "base64", "sigVerify": true, "replaceRecentBlockhash": true})
	tn.wantError(t, -32602, "sendTransaction", "%%%not base64", cfg)

	keys := make([]string, 101)
	sigs := make([]string, 257)
	for i := range keys {
		keys[i] = sdk.Pubkey{byte(i)}.String()
	}
	for i := range sigs {
		sigs[i] = sdk.Signature{byte(i)}.String()
	}
	tn.wantError(t, -32602, "getMultipleAccounts", keys)
	tn.wantError(t, -32602, "getSignatureStatuses", sigs)
	tn.wantError(t, -32602, "getTransaction", airdrop, commitment("processed"))
	tn.wantError(t, -32602, "getSignaturesForAddress", alice.Pubkey().String(), map[string]any{"limit": 1001})
	five := make([]map[string]any, 5)
	for i := range five {
		five[i] = map[string]any{"dataSize": 165}
	}
	tn.wantError(t, -32602, "getProgramAccounts", sdk.TokenProgramID.String(), map[string]any{"filters": five})
	tn.wantError(t, -32016, "getSlot", map[string]any{"commitment": "processed", "minContextSlot": 1 << 40})
}

// wsClient is a PubSub client.
type wsClient struct {
	c  *websocket.Conn
	id int
}

func dialWS(t testing.TB, url string) *wsClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadLimit(1 << 20)
	t.Cleanup(func() { c.CloseNow() })
	return &wsClient{c: c}
}

func (w *wsClient) write(t testing.TB, v any) {
	t.Helper()
	b, _ := json.Marshal(v)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := w.c.Write(ctx, websocket.MessageText, b); err != nil {
		t.Fatal(err)
	}
}

// read returns the next message, or fails after timeout.
func (w *wsClient) read(t testing.TB, timeout time.Duration) map[string]json.RawMessage {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	_, b, err := w.c.Read(ctx)
	if err != nil {
		t.Fatalf("websocket read: %v", err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return m
}

// subscribe sends a subscription with an integer id (as web3.js does) and
// returns the subscription id.
func (w *wsClient) subscribe(t testing.TB, method string, params ...any) uint64 {
	t.Helper()
	w.id++
	if params == nil {
		params = []any{}
	}
	w.write(t, map[string]any{"jsonrpc": "2.0", "id": w.id, "method": method, "params": params})
	for {
		m := w.read(t, 5*time.Second)
		if _, isNote := m["method"]; isNote {
			continue
		}
		if string(m["id"]) != fmt.Sprint(w.id) {
			continue // the reply to an earlier request
		}
		var id uint64
		if err := json.Unmarshal(m["result"], &id); err != nil {
			t.Fatalf("%s: %s", method, m["error"])
		}
		return id
	}
}

// next returns the next notification's method and params.
func (w *wsClient) next(t testing.TB) (string, struct {
	Result       json.RawMessage `json:"result"`
	Subscription uint64          `json:"subscription"`
}) {
	t.Helper()
	var p struct {
		Result       json.RawMessage `json:"result"`
		Subscription uint64          `json:"subscription"`
	}
	for {
		m := w.read(t, 20*time.Second)
		var method string
		if json.Unmarshal(m["method"], &method) != nil {
			continue
		}
		if _, hasID := m["id"]; hasID {
			t.Fatalf("notification with an id: %v", m)
		}
		json.Unmarshal(m["params"], &p)
		return method, p
	}
}

func TestRPCSubscriptionsNotifyInOrder(t *testing.T) {
	tn := startNode(t, 0)
	alice := sdk.KeypairFromSeed([32]byte{4})
	bob := sdk.KeypairFromSeed([32]byte{5}).Pubkey()
	tn.fund(t, alice.Pubkey(), 2_000_000_000)

	w := dialWS(t, tn.ws)
	// A ping without an id gets no answer and keeps the socket open.
	w.write(t, map[string]any{"jsonrpc": "2.0", "method": "ping"})
	slotSub := w.subscribe(t, "slotSubscribe")
	var last uint64
	for i := 0; i < 3; i++ {
		method, p := w.next(t)
		var v struct{ Parent, Root, Slot uint64 }
		json.Unmarshal(p.Result, &v)
		if method != "slotNotification" || p.Subscription != slotSub || v.Parent >= v.Slot || v.Root > v.Slot || v.Slot <= last {
			t.Fatalf("slot notification %s %s after %d", method, p.Result, last)
		}
		last = v.Slot
	}
	w.id++
	w.write(t, map[string]any{"jsonrpc": "2.0", "id": w.id, "method": "slotUnsubscribe", "params": []uint64{slotSub}})

	tx, wire := transferTx(t, alice, bob, 1_000_000_000, tn.blockhash(t, "confirmed"))
	sigSub := w.subscribe(t, "signatureSubscribe", tx.Signatures[0].String(), commitment("confirmed"))
	acctSub := w.subscribe(t, "accountSubscribe", bob.String(), map[string]any{"commitment": "confirmed", "encoding": "base64"})
	logSub := w.subscribe(t, "logsSubscribe", map[string]any{"mentions": []string{bob.String()}}, commitment("confirmed"))
	tn.result(t, nil, "sendTransaction", wire, map[string]any{"encoding": "base64", "preflightCommitment": "confirmed"})
	seen := map[uint64]json.RawMessage{}
	for len(seen) < 3 {
		method, p := w.next(t)
		if method == "slotNotification" {
			continue // the unsubscribe may race one more
		}
		seen[p.Subscription] = p.Result
	}
	if !strings.Contains(string(seen[sigSub]), `"value":{"err":null}`) {
		t.Fatalf("signature notification %s", seen[sigSub])
	}
	var acct struct {
		Value struct {
			Lamports uint64    `json:"lamports"`
			Data     [2]string `json:"data"`
			Owner    string    `json:"owner"`
		} `json:"value"`
	}
	json.Unmarshal(seen[acctSub], &acct)
	if acct.Value.Lamports != 1_000_000_000 || acct.Value.Data[1] != "base64" || acct.Value.Owner != system.ID.String() {
		t.Fatalf("account notification %s", seen[acctSub])
	}
	if !strings.Contains(string(seen[logSub]), tx.Signatures[0].String()) {
		t.Fatalf("logs notification %s", seen[logSub])
	}
	// The signature subscription ended with its notification.
	w.id++
	w.write(t, map[string]any{"jsonrpc": "2.0", "id": w.id, "method": "signatureUnsubscribe", "params": []uint64{sigSub}})
	for {
		m := w.read(t, 5*time.Second)
		if string(m["id"]) == fmt.Sprint(w.id) {
			if m["error"] == nil {
				t.Fatalf("unsubscribing a finished signature subscription: %v", m)
			}
			break
		}
	}
}

func TestRPCSlowWebSocketClientIsDisconnected(t *testing.T) {
	tn := startNode(t, 16)
	healthy := dialWS(t, tn.ws)
	sub := healthy.subscribe(t, "slotSubscribe")
	// The slow client subscribes 200 times and never reads a reply or a
	// notification; the healthy one keeps getting every slot while the
	// slow one is cut off.
	slow := dialWS(t, tn.ws)
	for i := 0; i < 200; i++ {
		msg := fmt.Appendf(nil, `{"jsonrpc":"2.0","id":%d,"method":"slotSubscribe"}`, i)
		if slow.c.Write(context.Background(), websocket.MessageText, msg) != nil {
			break // already disconnected: its queue of replies filled
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for tn.n.RPCStats().SlowClientsDropped.Load() == 0 {
		if _, p := healthy.next(t); p.Subscription != sub {
			t.Fatalf("notification for subscription %d", p.Subscription)
		}
		if time.Now().After(deadline) {
			t.Fatal("the slow client was never disconnected")
		}
	}
	for i := 0; i < 3; i++ {
		healthy.next(t)
	}
}

// TestRPCInnerInstructionsOfAssociatedAccount: creating an associated token
// account makes four cross-program calls, which simulateTransaction
// (parsed) and getTransaction (compiled) both report.
func TestRPCInnerInstructionsOfAssociatedAccount(t *testing.T) {
	tn := startNode(t, 0)
	payer := sdk.KeypairFromSeed([32]byte{7})
	tn.fund(t, payer.Pubkey(), 1_000_000_000)
	wallet := sdk.Pubkey{0x77}
	ix := sdk.Instruction{ProgramID: ata.ID, Data: ata.CreateData(), Accounts: []sdk.AccountMeta{
		{Pubkey: payer.Pubkey(), IsSigner: true, IsWritable: true}, {Pubkey: ata.Address(wallet, sdk.NativeMintID), IsWritable: true},
		{Pubkey: wallet}, {Pubkey: sdk.NativeMintID}, {Pubkey: sdk.SystemProgramID}, {Pubkey: sdk.TokenProgramID}}}
	tx, err := sdk.NewTransaction([]sdk.Instruction{ix}, tn.blockhash(t, "confirmed"), payer)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := tx.MarshalBinary()
	wire := base64.StdEncoding.EncodeToString(raw)

	var sim struct {
		Value struct {
			Err               json.RawMessage `json:"err"`
			InnerInstructions []struct {
				Index        int `json:"index"`
				Instructions []struct {
					Program     string `json:"program"`
					StackHeight int    `json:"stackHeight"`
					Parsed      struct {
						Type string `json:"type"`
					} `json:"parsed"`
				} `json:"instructions"`
			} `json:"innerInstructions"`
		} `json:"value"`
	}
	tn.result(t, &sim, "simulateTransaction", wire, map[string]any{"encoding": "base64", "commitment": "confirmed", "innerInstructions": true})
	if string(sim.Value.Err) != "null" || len(sim.Value.InnerInstructions) != 1 {
		t.Fatalf("simulation %+v", sim.Value)
	}
	var types []string
	for _, in := range sim.Value.InnerInstructions[0].Instructions {
		if in.StackHeight != 2 {
			t.Fatalf("stack height %d", in.StackHeight)
		}
		types = append(types, in.Program+":"+in.Parsed.Type)
	}
	want := []string{"spl-token:getAccountDataSize", "system:createAccount", "spl-token:initializeImmutableOwner", "spl-token:initializeAccount3"}
	if !slices.Equal(types, want) {
		t.Fatalf("parsed inner instructions %v, want %v", types, want)
	}

	var sig string
	tn.result(t, &sig, "sendTransaction", wire, map[string]any{"encoding": "base64", "preflightCommitment": "confirmed"})
	tn.waitStatus(t, sig, "confirmed")
	var got struct {
		Meta struct {
			InnerInstructions []struct {
				Index        int `json:"index"`
				Instructions []struct {
					ProgramIDIndex int    `json:"programIdIndex"`
					Data           string `json:"data"`
					StackHeight    int    `json:"stackHeight"`
				} `json:"instructions"`
			} `json:"innerInstructions"`
		} `json:"meta"`
	}
	tn.result(t, &got, "getTransaction", sig, commitment("confirmed"))
	inner := got.Meta.InnerInstructions
	if len(inner) != 1 || inner[0].Index != 0 || len(inner[0].Instructions) != 4 {
		t.Fatalf("inner instructions %+v", inner)
	}
	if k := tx.Message.AccountKeys[inner[0].Instructions[1].ProgramIDIndex]; k != sdk.SystemProgramID {
		t.Fatalf("second inner instruction calls %s, want the System program", k)
	}
}

// TestRPCResendsUntilLanded: a transaction the leader drops (its payer
// cannot pay the fee yet) is re-sent by RPC until it lands once the payer
// is funded, as Agave's send-transaction service does.
func TestRPCResendsUntilLanded(t *testing.T) {
	tn := startNode(t, 0)
	payer := sdk.KeypairFromSeed([32]byte{11})
	_, wire := transferTx(t, payer, sdk.Pubkey{0x12}, 1_000_000_000, tn.blockhash(t, "processed"))
	var sig string
	tn.result(t, &sig, "sendTransaction", wire, map[string]any{"encoding": "base64", "skipPreflight": true})
	// Not landed: the payer does not exist.
	time.Sleep(500 * time.Millisecond)
	var st struct{ Value []any }
	tn.result(t, &st, "getSignatureStatuses", []string{sig})
	if st.Value[0] != nil {
		t.Fatalf("landed with an unfunded payer: %v", st.Value[0])
	}
	var airdrop string
	tn.result(t, &airdrop, "requestAirdrop", payer.Pubkey().String(), 5_000_000_000)
	tn.waitStatus(t, sig, "confirmed")
	if tn.n.RPCStats().Retried.Load() == 0 {
		t.Fatal("landed without a retry")
	}
}

// TestRPCProgramRootBlockAndLogSubscriptions covers the subscriptions the
// transfer journey does not: program (with a filter), root, block,
// slotsUpdates, and logs with and without votes.
func TestRPCProgramRootBlockAndLogSubscriptions(t *testing.T) {
	tn := startNode(t, 0)
	alice := sdk.KeypairFromSeed([32]byte{12})
	bob := sdk.Pubkey{0x13, 0x13}
	tn.fund(t, alice.Pubkey(), 2_000_000_000)

	w := dialWS(t, tn.ws)
	progSub := w.subscribe(t, "programSubscribe", system.ID.String(),
		map[string]any{"commitment": "confirmed", "encoding": "base64", "filters": []any{map[string]any{"dataSize": 0}}})
	rootSub := w.subscribe(t, "rootSubscribe")
	blockSub := w.subscribe(t, "blockSubscribe", "all", map[string]any{"commitment": "confirmed", "transactionDetails": "signatures"})
	updSub := w.subscribe(t, "slotsUpdatesSubscribe")
	allLogs := w.subscribe(t, "logsSubscribe", "all", commitment("processed"))
	voteLogs := w.subscribe(t, "logsSubscribe", "allWithVotes", commitment("processed"))

	tx, wire := transferTx(t, alice, bob, 1_000_000_000, tn.blockhash(t, "confirmed"))
	sig := tx.Signatures[0].String()
	tn.result(t, nil, "sendTransaction", wire, map[string]any{"encoding": "base64", "preflightCommitment": "confirmed"})

	var (
		sawProgram, sawBlock, sawTransferLog, sawVoteLog bool
		roots                                            []uint64
		updates                                          = map[string]bool{}
	)
	deadline := time.Now().Add(25 * time.Second)
	for !(sawProgram && sawBlock && sawTransferLog && sawVoteLog && len(roots) >= 2 &&
		updates["frozen"] && updates["optimisticConfirmation"] && updates["root"]) {
		if time.Now().After(deadline) {
			t.Fatalf("program %v block %v transfer log %v vote log %v roots %v updates %v",
				sawProgram, sawBlock, sawTransferLog, sawVoteLog, roots, updates)
		}
		method, p := w.next(t)
		switch p.Subscription {
		case progSub:
			var v struct {
				Value struct {
					Pubkey  string `json:"pubkey"`
					Account struct {
						Owner string `json:"owner"`
						Space uint64 `json:"space"`
					} `json:"account"`
				} `json:"value"`
			}
			json.Unmarshal(p.Result, &v)
			if method != "programNotification" || v.Value.Account.Owner != system.ID.String() || v.Value.Account.Space != 0 {
				t.Fatalf("program notification %s %s", method, p.Result)
			}
			sawProgram = sawProgram || v.Value.Pubkey == bob.String()
		case rootSub:
			var r uint64
			json.Unmarshal(p.Result, &r)
			if len(roots) > 0 && r <= roots[len(roots)-1] {
				t.Fatalf("root %d after %d", r, roots[len(roots)-1])
			}
			roots = append(roots, r)
		case blockSub:
			var v struct {
				Value struct {
					Slot  uint64 `json:"slot"`
					Block struct {
						Signatures []string `json:"signatures"`
						Blockhash  string   `json:"blockhash"`
					} `json:"block"`
				} `json:"value"`
			}
			json.Unmarshal(p.Result, &v)
			if v.Value.Block.Blockhash == "" {
				t.Fatalf("block notification %s", p.Result)
			}
			sawBlock = sawBlock || slices.Contains(v.Value.Block.Signatures, sig)
		case updSub:
			var u struct{ Type string }
			json.Unmarshal(p.Result, &u)
			updates[u.Type] = true
		case allLogs, voteLogs:
			var v struct {
				Value struct {
					Signature string   `json:"signature"`
					Logs      []string `json:"logs"`
				} `json:"value"`
			}
			json.Unmarshal(p.Result, &v)
			isVote := slices.Contains(v.Value.Logs, "Program Vote111111111111111111111111111111111111111 invoke [1]")
			if p.Subscription == allLogs && isVote {
				t.Fatalf("logsSubscribe all delivered a vote: %s", p.Result)
			}
			sawTransferLog = sawTransferLog || (p.Subscription == allLogs && v.Value.Signature == sig)
			sawVoteLog = sawVoteLog || (p.Subscription == voteLogs && isVote)
		}
	}
}

// A slot is confirmed as soon as the vote that confirms it executes in the
// next slot, as Agave counts a vote when its transaction commits, not when
// the block carrying it freezes: slotsUpdates reports slot S's
// optimisticConfirmation before slot S+1's frozen.
func TestRPCConfirmsASlotBeforeTheSlotCarryingItsVoteFreezes(t *testing.T) {
	tn := startNode(t, 0)
	w := dialWS(t, tn.ws)
	sub := w.subscribe(t, "slotsUpdatesSubscribe")
	frozenAt := map[uint64]int{}
	confirmedAt := map[uint64]int{}
	checked := 0
	deadline := time.Now().Add(25 * time.Second)
	for i := 0; checked < 5; i++ {
		if time.Now().After(deadline) {
			t.Fatalf("checked %d slots; frozen %v, confirmed %v", checked, frozenAt, confirmedAt)
		}
		method, p := w.next(t)
		if method != "slotsUpdatesNotification" || p.Subscription != sub {
			continue
		}
		var u struct {
			Type string `json:"type"`
			Slot uint64 `json:"slot"`
		}
		if err := json.Unmarshal(p.Result, &u); err != nil {
			t.Fatalf("slotsUpdates %s: %v", p.Result, err)
		}
		switch u.Type {
		case "frozen":
			frozenAt[u.Slot] = i
			if c, ok := confirmedAt[u.Slot-1]; ok && c < i {
				checked++
			} else if _, ok := frozenAt[u.Slot-1]; ok {
				t.Fatalf("slot %d froze before slot %d was confirmed", u.Slot, u.Slot-1)
			}
		case "optimisticConfirmation":
			if _, ok := frozenAt[u.Slot]; !ok {
				t.Fatalf("slot %d confirmed before it froze", u.Slot)
			}
			confirmedAt[u.Slot] = i
		}
	}
}
