package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/gnomon-chain/gnomon/sdk"
)

// unknown marks a timestamp the harness could not observe (a block read back
// with getBlock, or a status found only by the closing sweep). Such
// transactions count as landed but stay out of the latency figures.
const unknown = time.Duration(-1)

// tracker follows the node's PubSub and stamps every load transaction with
// the moments its slot was processed, confirmed and finalized, as seen by
// this client. It reads three subscriptions on one connection:
//
//   - slotSubscribe: slot S is processed (the node publishes a slot once
//     it is frozen and durable), which stamps every transaction that the
//     block of S later names;
//   - blockSubscribe at confirmed with signatures only: the transactions of
//     S, now confirmed;
//   - rootSubscribe: every slot at or below the root is finalized.
//
// One goroutine (run) owns all of the state below; the counters are atomics
// so the progress line and the drain can read them while it runs. The
// slices are read by others only after run has returned.
type tracker struct {
	ws  string
	ps  *presigned
	t0  time.Time
	log *slog.Logger

	slot                            []uint64 // 0: not seen landed
	processed, confirmed, finalized []time.Duration

	slotAt       map[uint64]time.Duration // processed time of each slot
	blockSeen    map[uint64]bool
	pendingFinal map[uint64][]int32 // confirmed, not yet finalized, by slot
	root         uint64
	firstSlot    uint64 // the first slot notification after subscribing
	reconnects   int

	landed     atomic.Int64
	finalCount atomic.Int64
	lastLanded atomic.Int64 // time.Duration since t0 of the latest landing
	pendingN   atomic.Int64 // landed, not yet finalized
}

func newTracker(ws string, ps *presigned, log *slog.Logger) *tracker {
	n := len(ps.raw)
	t := &tracker{ws: ws, ps: ps, log: log, slot: make([]uint64, n),
		processed: make([]time.Duration, n), confirmed: make([]time.Duration, n), finalized: make([]time.Duration, n),
		slotAt: map[uint64]time.Duration{}, blockSeen: map[uint64]bool{}, pendingFinal: map[uint64][]int32{}}
	for i := range n {
		t.processed[i], t.confirmed[i], t.finalized[i] = unknown, unknown, unknown
	}
	return t
}

// subscribe connects and subscribes, and returns once the node has
// acknowledged all three subscriptions, so nothing sent afterwards can be
// missed.
func (t *tracker) subscribe(ctx context.Context) (*websocket.Conn, error) {
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(dctx, t.ws, nil)
	if err != nil {
		return nil, fmt.Errorf("track: dial %s: %w", t.ws, err)
	}
	// A block notification names every transaction of the slot: at 25,000
	// tx/s that is ~2,500 signatures, ~230 KB of JSON.
	c.SetReadLimit(64 << 20)
	reqs := []string{
		`{"jsonrpc":"2.0","id":1,"method":"slotSubscribe"}`,
		`{"jsonrpc":"2.0","id":2,"method":"blockSubscribe","params":["all",{"commitment":"confirmed","transactionDetails":"signatures","showRewards":false,"maxSupportedTransactionVersion":0}]}`,
		`{"jsonrpc":"2.0","id":3,"method":"rootSubscribe"}`,
	}
	for _, r := range reqs {
		if err := c.Write(dctx, websocket.MessageText, []byte(r)); err != nil {
			c.CloseNow()
			return nil, fmt.Errorf("track: subscribe: %w", err)
		}
	}
	for acked := 0; acked < len(reqs); {
		_, data, err := c.Read(dctx)
		if err != nil {
			c.CloseNow()
			return nil, fmt.Errorf("track: subscribe: %w", err)
		}
		var resp struct {
			ID     *int      `json:"id"`
			Error  *rpcError `json:"error"`
			Method string    `json:"method"`
		}
		if err := json.Unmarshal(data, &resp); err != nil {
			c.CloseNow()
			return nil, fmt.Errorf("track: subscribe: %w", err)
		}
		if resp.Error != nil {
			c.CloseNow()
			return nil, fmt.Errorf("track: subscribe: %w", resp.Error)
		}
		if resp.ID != nil {
			acked++
			continue
		}
		t.handle(data)
	}
	return c, nil
}

// run reads notifications until ctx ends, reconnecting if the node drops
// the connection (a slot missed meanwhile is read back by backfill).
func (t *tracker) run(ctx context.Context, c *websocket.Conn) {
	defer func() {
		if c != nil {
			c.CloseNow()
		}
	}()
	for {
		_, data, err := c.Read(ctx)
		if err == nil {
			t.handle(data)
			continue
		}
		if ctx.Err() != nil {
			return
		}
		t.log.Warn("tracker connection lost; reconnecting", "err", err)
		c.CloseNow()
		c = nil
		// Slots missed meanwhile are read back later; a node that stays
		// unreachable for this long is gone, and the run ends on its error.
		giveUp := time.Now().Add(10 * time.Second)
		for c == nil {
			t.reconnects++
			select {
			case <-ctx.Done():
				return
			case <-time.After(100 * time.Millisecond):
			}
			if c, err = t.subscribe(ctx); err != nil && time.Now().After(giveUp) {
				t.log.Error("tracker gave up reconnecting", "err", err)
				return
			}
		}
	}
}

func (t *tracker) handle(data []byte) {
	now := time.Since(t.t0)
	var msg struct {
		Method string `json:"method"`
		Params struct {
			Result json.RawMessage `json:"result"`
		} `json:"params"`
	}
	if err := json.Unmarshal(data, &msg); err != nil {
		t.log.Warn("tracker: undecodable message", "err", err)
		return
	}
	switch msg.Method {
	case "slotNotification":
		var r struct {
			Slot uint64 `json:"slot"`
		}
		if json.Unmarshal(msg.Params.Result, &r) == nil {
			if _, ok := t.slotAt[r.Slot]; !ok {
				t.slotAt[r.Slot] = now
			}
			if t.firstSlot == 0 {
				t.firstSlot = r.Slot
			}
		}
	case "blockNotification":
		var r struct {
			Value struct {
				Slot  uint64 `json:"slot"`
				Block *struct {
					Signatures []string `json:"signatures"`
				} `json:"block"`
			} `json:"value"`
		}
		if err := json.Unmarshal(msg.Params.Result, &r); err != nil {
			t.log.Warn("tracker: undecodable block notification", "err", err)
			return
		}
		if r.Value.Block == nil {
			// The node could not render the block; backfill reads it.
			return
		}
		t.blockSeen[r.Value.Slot] = true
		t.landBlock(r.Value.Slot, r.Value.Block.Signatures, now, true)
	case "rootNotification":
		var root uint64
		if json.Unmarshal(msg.Params.Result, &root) == nil && root > t.root {
			t.root = root
			t.finalizeUpTo(root, now)
		}
	}
}

// landBlock records the load transactions among sigs as landed in slot,
// confirmed at now (or at an unknown time when timed is false).
func (t *tracker) landBlock(slot uint64, sigs []string, now time.Duration, timed bool) {
	procAt, procKnown := t.slotAt[slot]
	n := 0
	for _, s := range sigs {
		sig, err := sdk.ParseSignature(s)
		if err != nil {
			continue
		}
		k, ok := t.ps.index[sig]
		if !ok || t.slot[k] != 0 {
			continue // a vote, a set-up transaction, or already seen
		}
		t.slot[k] = slot
		if timed {
			t.confirmed[k] = now
			if procKnown {
				t.processed[k] = procAt
			}
		}
		t.pendingFinal[slot] = append(t.pendingFinal[slot], k)
		n++
	}
	if n > 0 {
		t.landed.Add(int64(n))
		t.pendingN.Add(int64(n))
		t.lastLanded.Store(int64(now))
	}
	if slot <= t.root {
		t.finalizeUpTo(t.root, now)
	}
}

func (t *tracker) finalizeUpTo(root uint64, now time.Duration) {
	for s, ks := range t.pendingFinal {
		if s > root {
			continue
		}
		for _, k := range ks {
			t.finalized[k] = now
		}
		t.finalCount.Add(int64(len(ks)))
		t.pendingN.Add(-int64(len(ks)))
		delete(t.pendingFinal, s)
	}
}

// backfill reads back, with getBlock, every slot from the first one the
// tracker saw up to upto whose block notification never arrived, so that a
// dropped notification or a reconnect loses no transaction. It must run
// after run has returned. It returns how many slots it read.
func (t *tracker) backfill(ctx context.Context, rc *rpcClient, upto uint64) (int, error) {
	if t.firstSlot == 0 {
		return 0, errors.New("track: no slot notification ever arrived")
	}
	read := 0
	for s := t.firstSlot; s <= upto; s++ {
		if t.blockSeen[s] {
			continue
		}
		sigs, err := rc.blockSignatures(ctx, s)
		if errors.Is(err, errBlockUnavailable) {
			continue // skipped or not confirmed: nothing landed there
		}
		if err != nil {
			return read, fmt.Errorf("track: backfill: %w", err)
		}
		t.blockSeen[s] = true
		t.landBlock(s, sigs, unknown, false)
		read++
	}
	return read, nil
}
