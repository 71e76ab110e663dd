package rpc

import (
	"bytes"
	"context"
	"testing"
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
