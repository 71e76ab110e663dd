package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/gnomon-chain/gnomon/genesis"
	"github.com/gnomon-chain/gnomon/ledger"
	gnrt "github.com/gnomon-chain/gnomon/runtime"
	"github.com/gnomon-chain/gnomon/sdk"
)

// fuzzServer is a server over a genesis bank and an empty ledger, not
// serving: requests go straight to its handlers.
func fuzzServer(t testing.TB) *Server {
	t.Helper()
	faucet := sdk.KeypairFromSeed([32]byte{9})
	identity := sdk.KeypairFromSeed([32]byte{8})
	g := genesis.DevGenesis(identity.Pubkey(), sdk.Pubkey{0x0e}, faucet.Pubkey(), time.Unix(1_700_000_000, 0))
	l, err := ledger.Open("ledger", ledger.Options{FS: vfs.NewMem()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	root, err := gnrt.NewGenesisBank(g.RuntimeConfig(), g.GenesisAccounts(), gnrt.NewAccounts(), gnrt.NewStatusCache())
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{Addr: "127.0.0.1:0", Genesis: &g, Ledger: l, Forks: gnrt.NewForks(root, l), Identity: identity,
		Faucet: &faucet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.httpLn.Close() })
	return s
}

// fuzzSeeds are valid and nearly valid calls of every method.
var fuzzSeeds = []string{
	`{"jsonrpc":"2.0","id":1,"method":"getVersion"}`,
	`{"jsonrpc":"2.0","id":"1","method":"getBalance","params":["11111111111111111111111111111111",{"commitment":"confirmed"}]}`,
	`{"jsonrpc":"2.0","id":1,"method":"getAccountInfo","params":["So11111111111111111111111111111111111111112",{"encoding":"jsonParsed","dataSlice":{"offset":1,"length":4}}]}`,
	`{"jsonrpc":"2.0","id":1,"method":"getMultipleAccounts","params":[["11111111111111111111111111111111"],{"encoding":"base64+zstd"}]}`,
	`{"jsonrpc":"2.0","id":1,"method":"getProgramAccounts","params":["TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA",{"filters":[{"dataSize":165},{"memcmp":{"offset":32,"bytes":"11111111111111111111111111111111"}}],"withContext":true}]}`,
	`{"jsonrpc":"2.0","id":1,"method":"getTokenAccountsByOwner","params":["11111111111111111111111111111111",{"programId":"TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"},{"encoding":"jsonParsed"}]}`,
	`{"jsonrpc":"2.0","id":1,"method":"getTokenAccountsByDelegate","params":["11111111111111111111111111111111",{"mint":"So11111111111111111111111111111111111111112"}]}`,
	`{"jsonrpc":"2.0","id":1,"method":"getTokenLargestAccounts","params":["So11111111111111111111111111111111111111112"]}`,
	`{"jsonrpc":"2.0","id":1,"method":"getTokenSupply","params":["So11111111111111111111111111111111111111112"]}`,
	`{"jsonrpc":"2.0","id":1,"method":"getTokenAccountBalance","params":["So11111111111111111111111111111111111111112"]}`,
	`{"jsonrpc":"2.0","id":1,"method":"sendTransaction","params":["AQ==",{"encoding":"base64","skipPreflight":true,"maxRetries":2}]}`,
	`{"jsonrpc":"2.0","id":1,"method":"simulateTransaction","params":["AQ==",{"encoding":"base64","replaceRecentBlockhash":true,"accounts":{"addresses":[],"encoding":"base64"}}]}`,
	`{"jsonrpc":"2.0","id":1,"method":"getFeeForMessage","params":["gAEAAQ==",{"commitment":"processed"}]}`,
	`{"jsonrpc":"2.0","id":1,"method":"getSignatureStatuses","params":[["1111111111111111111111111111111111111111111111111111111111111111"],{"searchTransactionHistory":true}]}`,
	`{"jsonrpc":"2.0","id":1,"method":"getTransaction","params":["1111111111111111111111111111111111111111111111111111111111111111","json"]}`,
	`{"jsonrpc":"2.0","id":1,"method":"getSignaturesForAddress","params":["11111111111111111111111111111111",{"limit":10,"before":"1111111111111111111111111111111111111111111111111111111111111111"}]}`,
	`{"jsonrpc":"2.0","id":1,"method":"requestAirdrop","params":["11111111111111111111111111111111",1000]}`,
	`{"jsonrpc":"2.0","id":1,"method":"getBlock","params":[0,{"transactionDetails":"accounts","maxSupportedTransactionVersion":0}]}`,
	`{"jsonrpc":"2.0","id":1,"method":"getBlocks","params":[0,10,{"commitment":"confirmed"}]}`,
	`{"jsonrpc":"2.0","id":1,"method":"getBlocksWithLimit","params":[0,5]}`,
	`{"jsonrpc":"2.0","id":1,"method":"getBlockTime","params":[0]}`,
	`{"jsonrpc":"2.0","id":1,"method":"getSlotLeaders","params":[0,10]}`,
	`{"jsonrpc":"2.0","id":1,"method":"getLeaderSchedule","params":[null,{"identity":"11111111111111111111111111111111"}]}`,
	`{"jsonrpc":"2.0","id":1,"method":"getRecentPrioritizationFees","params":[["11111111111111111111111111111111"]]}`,
	`{"jsonrpc":"2.0","id":1,"method":"getRecentPerformanceSamples","params":[5]}`,
	`{"jsonrpc":"2.0","id":1,"method":"isBlockhashValid","params":["11111111111111111111111111111111",{"minContextSlot":0}]}`,
	`{"jsonrpc":"2.0","id":1,"method":"getMinimumBalanceForRentExemption","params":[165]}`,
	`{"jsonrpc":"2.0","id":1,"method":"getVoteAccounts","params":[{"votePubkey":"11111111111111111111111111111111"}]}`,
	`{"jsonrpc":"2.0","id":1,"method":"getSupply","params":[{"excludeNonCirculatingAccountsList":true}]}`,
	`[{"jsonrpc":"2.0","id":1,"method":"getEpochInfo"},{"jsonrpc":"2.0","method":"getSlot"}]`,
	`{"jsonrpc":"2.0","id":1,"method":"getClusterNodes"}`,
}

// FuzzHandle feeds arbitrary bodies to the JSON-RPC handler, and through
// it every method's parameter parser: no panic, and always one well-formed
// JSON-RPC answer (or none, for notifications).
func FuzzHandle(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	s := fuzzServer(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		var out bytes.Buffer
		s.handle(context.Background(), body, &out)
		if out.Len() == 0 {
			return
		}
		if !json.Valid(out.Bytes()) {
			t.Fatalf("invalid JSON answer %q to %q", out.Bytes(), body)
		}
		var one map[string]json.RawMessage
		if json.Unmarshal(out.Bytes(), &one) == nil {
			_, hasResult := one["result"]
			_, hasError := one["error"]
			if string(one["jsonrpc"]) != `"2.0"` || hasResult == hasError {
				t.Fatalf("malformed answer %s to %q", out.Bytes(), body)
			}
		}
	})
}

// FuzzPubsubHandle does the same for WebSocket messages.
func FuzzPubsubHandle(f *testing.F) {
	for _, s := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"accountSubscribe","params":["11111111111111111111111111111111",{"encoding":"jsonParsed","commitment":"confirmed"}]}`,
		`{"jsonrpc":"2.0","id":"2","method":"programSubscribe","params":["TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA",{"filters":[{"dataSize":165}]}]}`,
		`{"jsonrpc":"2.0","id":3,"method":"signatureSubscribe","params":["1111111111111111111111111111111111111111111111111111111111111111",{"enableReceivedNotification":true}]}`,
		`{"jsonrpc":"2.0","id":4,"method":"logsSubscribe","params":[{"mentions":["11111111111111111111111111111111"]}]}`,
		`{"jsonrpc":"2.0","id":5,"method":"blockSubscribe","params":["all",{"commitment":"confirmed","transactionDetails":"signatures"}]}`,
		`{"jsonrpc":"2.0","id":6,"method":"slotUnsubscribe","params":[1]}`,
		`{"jsonrpc":"2.0","method":"ping"}`,
	} {
		f.Add([]byte(s))
	}
	s := fuzzServer(f)
	f.Fuzz(func(t *testing.T, msg []byte) {
		conn := &wsConn{out: make(chan []byte, 16), done: make(chan struct{}), subs: make(map[uint64]*subscription),
			cancel: func() {}}
		reply := s.pubsub.handle(conn, msg)
		if reply != nil && !json.Valid(reply) {
			t.Fatalf("invalid JSON reply %q to %q", reply, msg)
		}
		s.pubsub.drop(conn)
	})
}
