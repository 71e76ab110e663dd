package rpc_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/gnomon-chain/gnomon/runtime/programs/system"
	"github.com/gnomon-chain/gnomon/sdk"
)

// BenchmarkNotificationLatency measures how long after a slot reaches
// confirmed its account notifications arrive, with 1,000 account
// subscriptions (10 connections of 100, as kit packs them) all written
// every round. The moment of confirmation is the node's own timestamp in
// its slotsUpdates optimisticConfirmation notification (milliseconds, same
// clock). Run with -benchtime 1x; each iteration is a 10-second run.
func BenchmarkNotificationLatency(b *testing.B) {
	const (
		conns, perConn = 10, 100
		rounds         = 40
		perTx          = 20
	)
	tn := startNode(b, 0)
	funder := tn.faucet
	for b.Loop() {
		var mu sync.Mutex
		arrivals := map[uint64][]time.Time{} // slot -> account notification arrivals
		confirmedAt := map[uint64]time.Time{}
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		type received struct {
			msg []byte
			at  time.Time
		}
		// Readers only timestamp and keep each message: parsing is left
		// for after the run, so the client's own work does not delay the
		// arrivals it measures.
		reader := func(c *websocket.Conn, onNote func(method string, result json.RawMessage, at time.Time)) {
			defer wg.Done()
			var got []received
			defer func() {
				for _, r := range got {
					var m struct {
						Method string `json:"method"`
						Params struct {
							Result json.RawMessage `json:"result"`
						} `json:"params"`
					}
					if json.Unmarshal(r.msg, &m) == nil && m.Method != "" {
						onNote(m.Method, m.Params.Result, r.at)
					}
				}
			}()
			for {
				_, msg, err := c.Read(ctx)
				if err != nil {
					return
				}
				got = append(got, received{msg, time.Now()})
			}
		}
		var targets []sdk.Pubkey
		for c := 0; c < conns; c++ {
			w := dialWS(b, tn.ws)
			for i := 0; i < perConn; i++ {
				k := sdk.Pubkey{0xa1, byte(c), byte(i), byte(b.N)}
				targets = append(targets, k)
				w.subscribe(b, "accountSubscribe", k.String(), map[string]any{"commitment": "confirmed", "encoding": "base64"})
			}
			wg.Add(1)
			go reader(w.c, func(method string, result json.RawMessage, at time.Time) {
				var r struct {
					Context struct{ Slot uint64 } `json:"context"`
				}
				if method == "accountNotification" && json.Unmarshal(result, &r) == nil {
					mu.Lock()
					arrivals[r.Context.Slot] = append(arrivals[r.Context.Slot], at)
					mu.Unlock()
				}
			})
		}
		obs := dialWS(b, tn.ws)
		obs.subscribe(b, "slotsUpdatesSubscribe")
		wg.Add(1)
		go reader(obs.c, func(method string, result json.RawMessage, _ time.Time) {
			var u struct {
				Type      string `json:"type"`
				Slot      uint64 `json:"slot"`
				Timestamp int64  `json:"timestamp"`
			}
			if json.Unmarshal(result, &u) == nil && u.Type == "optimisticConfirmation" {
				mu.Lock()
				confirmedAt[u.Slot] = time.UnixMilli(u.Timestamp)
				mu.Unlock()
			}
		})
		// Each round writes every subscribed account: transfers of 20
		// recipients per transaction.
		for r := 0; r < rounds; r++ {
			bh := tn.blockhash(b, "processed")
			for lo := 0; lo < len(targets); lo += perTx {
				var ixs []sdk.Instruction
				for _, k := range targets[lo:min(lo+perTx, len(targets))] {
					ixs = append(ixs, sdk.Instruction{ProgramID: system.ID, Data: system.TransferData(1_000_000 + uint64(r)),
						Accounts: []sdk.AccountMeta{{Pubkey: funder.Pubkey(), IsSigner: true, IsWritable: true}, {Pubkey: k, IsWritable: true}}})
				}
				tx, err := sdk.NewTransaction(ixs, bh, funder)
				if err != nil {
					b.Fatal(err)
				}
				raw, _ := tx.MarshalBinary()
				tn.call(b, "sendTransaction", encode64(raw), map[string]any{"encoding": "base64", "skipPreflight": true})
			}
			time.Sleep(250 * time.Millisecond)
		}
		time.Sleep(2 * time.Second)
		cancel()
		wg.Wait()
		var lat []float64
		mu.Lock()
		for slot, ts := range arrivals {
			at, ok := confirmedAt[slot]
			if !ok {
				continue
			}
			for _, t := range ts {
				lat = append(lat, float64(t.Sub(at).Microseconds())/1000)
			}
		}
		mu.Unlock()
		if os.Getenv("LATENCY_DEBUG") != "" {
			for slot, ts := range arrivals {
				at, ok := confirmedAt[slot]
				if !ok {
					continue
				}
				var worst time.Duration
				for _, t := range ts {
					worst = max(worst, t.Sub(at))
				}
				println("slot", slot, "n", len(ts), "worst_ms", worst.Milliseconds())
			}
		}
		if len(lat) == 0 {
			b.Fatal("no notifications measured")
		}
		slices.Sort(lat)
		b.ReportMetric(lat[len(lat)/2], "p50_ms")
		b.ReportMetric(lat[len(lat)*99/100], "p99_ms")
		b.ReportMetric(lat[len(lat)-1], "max_ms")
		b.ReportMetric(float64(len(lat)), "notifications")
	}
}

func encode64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
