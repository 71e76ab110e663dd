package rpc

import (
	"bytes"
	"context"
	"testing"

	gnrt "github.com/gnomon-chain/gnomon/runtime"
	"github.com/gnomon-chain/gnomon/runtime/programs/system"
	"github.com/gnomon-chain/gnomon/sdk"
)

// BenchmarkHandle measures the JSON-RPC handler alone (decode, read the
// bank, encode), without HTTP: the part of a request the server owns.
// End-to-end requests/s over keep-alive connections are measured with wrk
// (bench/rpc, bench/RESULTS.md).
func BenchmarkHandle(b *testing.B) {
	s := fuzzServer(b)
	for _, c := range []struct{ name, body string }{
		{"getBalance", `{"jsonrpc":"2.0","id":1,"method":"getBalance","params":["So11111111111111111111111111111111111111112"]}`},
		{"getAccountInfo", `{"jsonrpc":"2.0","id":1,"method":"getAccountInfo","params":["So11111111111111111111111111111111111111112",{"encoding":"base64"}]}`},
	} {
		b.Run("method="+c.name, func(b *testing.B) {
			body := []byte(c.body)
			var out bytes.Buffer
			b.ReportAllocs()
			for b.Loop() {
				out.Reset()
				s.handle(context.Background(), body, &out)
			}
		})
	}
}

// BenchmarkPublish measures what the node's leader loop pays to hand RPC a
// slot of 5,000 transfers: Publish runs on the leader's thread, once per
// slot.
func BenchmarkPublish(b *testing.B) {
	s := fuzzServer(b)
	root := s.cfg.Forks.Root()
	payer := sdk.KeypairFromSeed([32]byte{3})
	u := SlotUpdate{Bank: root, Confirmed: root, Root: root}
	for i := 0; i < 5000; i++ {
		tx, err := sdk.NewTransaction([]sdk.Instruction{{ProgramID: system.ID, Data: system.TransferData(1),
			Accounts: []sdk.AccountMeta{{Pubkey: payer.Pubkey(), IsSigner: true, IsWritable: true}, {Pubkey: sdk.Pubkey{7, byte(i), byte(i >> 8)}, IsWritable: true}}}},
			root.LastBlockhash(), payer)
		if err != nil {
			b.Fatal(err)
		}
		u.Transactions = append(u.Transactions, tx)
		u.Results = append(u.Results, gnrt.TxResult{Committed: true})
	}
	b.ReportAllocs()
	for b.Loop() {
		s.Publish(u)
		<-s.hub // what the dispatcher would take
	}
}
