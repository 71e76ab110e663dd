package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// rawWS is a bare PubSub connection for what solana-go's ws client hides:
// exact ids, acknowledgements, pings and unsubscribe replies, which the JS
// clients depend on (RPC-SURFACE §4).
type rawWS struct {
	t       *testing.T
	conn    *websocket.Conn
	in      chan wsMsg
	pending []wsMsg
}

type wsMsg struct {
	Raw     []byte
	ID      json.RawMessage `json:"id"`
	Method  string          `json:"method"`
	Result  json.RawMessage `json:"result"`
	Error   *rawError       `json:"error"`
	Params  *wsParams       `json:"params"`
	HasID   bool            `json:"-"`
	ReadErr error           `json:"-"`
}

type wsParams struct {
	Result       json.RawMessage `json:"result"`
	Subscription json.RawMessage `json:"subscription"`
}

func dialRawWS(t *testing.T) *rawWS {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _, err := websocket.DefaultDialer.DialContext(ctx, rpcNode(t).wsURL, nil)
	if err != nil {
		t.Fatalf("ws dial: %v", err)
	}
	w := &rawWS{t: t, conn: conn, in: make(chan wsMsg, 4096)}
	go func() {
		defer close(w.in)
		for {
			_, b, err := conn.ReadMessage()
			if err != nil {
				w.in <- wsMsg{ReadErr: err}
				return
			}
			m := wsMsg{Raw: b}
			if err := json.Unmarshal(b, &m); err != nil {
				m.ReadErr = fmt.Errorf("not JSON: %s", b)
			}
			var keys map[string]json.RawMessage
			if json.Unmarshal(b, &keys) == nil {
				_, m.HasID = keys["id"]
			}
			select {
			case w.in <- m:
			default: // a stalled test; drop rather than block the reader
			}
		}
	}()
	t.Cleanup(func() { conn.Close() })
	return w
}

func (w *rawWS) send(v any) {
	w.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		w.t.Fatal(err)
	}
	if err := w.conn.WriteMessage(websocket.TextMessage, b); err != nil {
		w.t.Fatalf("ws write %s: %v", b, err)
	}
}

// await returns the first message, in arrival order, that match accepts;
// the others stay queued for later calls.
func (w *rawWS) await(what string, timeout time.Duration, match func(wsMsg) bool) wsMsg {
	w.t.Helper()
	for i, m := range w.pending {
		if match(m) {
			w.pending = append(w.pending[:i], w.pending[i+1:]...)
			return m
		}
	}
	deadline := time.After(timeout)
	for {
		select {
		case m, ok := <-w.in:
			if !ok || m.ReadErr != nil {
				w.t.Fatalf("%s: connection: %v", what, m.ReadErr)
			}
			if match(m) {
				return m
			}
			w.pending = append(w.pending, m)
		case <-deadline:
			w.t.Fatalf("%s: nothing within %v", what, timeout)
		}
	}
}

// reply waits for the response to the request with this id (compared as
// JSON text, so "1" and 1 differ, as they do to the clients).
func (w *rawWS) reply(id string, timeout time.Duration) wsMsg {
	w.t.Helper()
	return w.await("reply to id "+id, timeout, func(m wsMsg) bool { return m.HasID && string(m.ID) == id })
}

// subscriptionID checks a subscribe reply and returns its integer id.
func (w *rawWS) subscriptionID(what string, m wsMsg) uint64 {
	w.t.Helper()
	var id uint64
	if m.Error != nil || json.Unmarshal(m.Result, &id) != nil {
		w.t.Fatalf("%s: want an integer subscription id, got %s", what, m.Raw)
	}
	return id
}

func (w *rawWS) notification(method string, sub uint64, timeout time.Duration) wsMsg {
	w.t.Helper()
	m := w.await(fmt.Sprintf("%s for subscription %d", method, sub), timeout, func(m wsMsg) bool {
		return m.Method == method && m.Params != nil && string(m.Params.Subscription) == fmt.Sprint(sub)
	})
	// kit treats anything with "method" as a notification and reads
	// params.result; rpc-websockets would take an "id" as a reply.
	if m.HasID || m.Params.Result == nil {
		w.t.Fatalf("%s must have params.result and no id: %s", method, m.Raw)
	}
	return m
}

// TestRPCWebSocketProtocol speaks PubSub the way web3.js (integer ids,
// pings) and kit (string ids, up to 100 subscriptions per connection,
// signatureUnsubscribe after the notification) do.
func TestRPCWebSocketProtocol(t *testing.T) {
	c := httpClient(t)
	w := dialRawWS(t)
	const wait = 10 * time.Second

	// Both clients ping with a notification-shaped message; the server
	// may answer with an error or not at all, but must keep the socket.
	w.send(map[string]any{"jsonrpc": "2.0", "method": "ping"})

	// kit: string ids, echoed unchanged; an empty params array.
	w.send(map[string]any{"jsonrpc": "2.0", "id": "1", "method": "slotSubscribe", "params": []any{}})
	slotSub := w.subscriptionID("slotSubscribe", w.reply(`"1"`, wait))
	var slot struct{ Parent, Root, Slot uint64 }
	if err := json.Unmarshal(w.notification("slotNotification", slotSub, wait).Params.Result, &slot); err != nil || slot.Slot == 0 {
		t.Errorf("slotNotification result %+v (%v)", slot, err)
	}

	// web3.js: integer ids. kit puts up to 100 subscriptions on one
	// connection; ids must be distinct.
	seen := map[uint64]bool{slotSub: true}
	for i := 0; i < 100; i++ {
		w.send(map[string]any{"jsonrpc": "2.0", "id": 100 + i, "method": "accountSubscribe",
			"params": []any{newKey(t).PublicKey().String(), map[string]any{"commitment": "confirmed", "encoding": "base64"}}})
	}
	for i := 0; i < 100; i++ {
		id := w.subscriptionID("accountSubscribe", w.reply(fmt.Sprint(100+i), wait))
		if seen[id] {
			t.Fatalf("subscription id %d handed out twice on one connection", id)
		}
		seen[id] = true
	}

	// signatureSubscribe with no config means finalized: the notification
	// comes once the airdrop is finalized, and not before.
	k := newKey(t)
	sig, err := c.RequestAirdrop(testCtx(t), k.PublicKey(), 1_000_000_000, confirmed)
	if err != nil {
		t.Fatalf("requestAirdrop: %v", err)
	}
	w.send(map[string]any{"jsonrpc": "2.0", "id": 2, "method": "signatureSubscribe", "params": []any{sig.String()}})
	sigSub := w.subscriptionID("signatureSubscribe", w.reply("2", wait))
	note := w.notification("signatureNotification", sigSub, finalizeTimeout)
	st, err := c.GetSignatureStatuses(testCtx(t), false, sig)
	if err != nil {
		t.Fatal(err)
	}
	if st.Value[0] == nil || st.Value[0].ConfirmationStatus != "finalized" {
		t.Errorf("signatureSubscribe([sig]) notified while the status is %+v; the default commitment is finalized", st.Value[0])
	}
	var res struct {
		Context struct{ Slot uint64 } `json:"context"`
		Value   struct {
			Err json.RawMessage `json:"err"`
		} `json:"value"`
	}
	if json.Unmarshal(note.Params.Result, &res) != nil || string(res.Value.Err) != "null" || st.Value[0] == nil || res.Context.Slot != st.Value[0].Slot {
		t.Errorf("signatureNotification %s; want value.err null and context.slot = the status slot", note.Params.Result)
	}

	// kit unsubscribes signature subscriptions even after they fired; the
	// server answers (false or an error) and keeps the connection.
	w.send(map[string]any{"jsonrpc": "2.0", "id": 3, "method": "signatureUnsubscribe", "params": []any{sigSub}})
	if m := w.reply("3", wait); m.Error == nil && string(m.Result) != "false" {
		t.Errorf("signatureUnsubscribe of a fired subscription = %s; want false or an error", m.Raw)
	}
	w.send(map[string]any{"jsonrpc": "2.0", "id": 4, "method": "slotUnsubscribe", "params": []any{slotSub}})
	if m := w.reply("4", wait); string(m.Result) != "true" {
		t.Errorf("slotUnsubscribe of a live subscription = %s, want true", m.Raw)
	}
}
