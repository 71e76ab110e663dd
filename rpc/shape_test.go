package rpc_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/gnomon-chain/gnomon/sdk"
)

var updateShapes = flag.Bool("update", false, "rewrite testdata/shapes from the running node")

// shapeOf reduces a JSON value to its shape: every object's keys with the
// shapes of their values, an array's first element, and a type name for
// each scalar. Integers are "u64" only when written as plain integers (no
// fraction, no exponent): kit parses them as BigInt and web3.js as numbers.
func shapeOf(raw json.RawMessage) any {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "invalid: " + err.Error()
	}
	return shapeValue(v)
}

func shapeValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = shapeValue(e)
		}
		return out
	case []any:
		if len(x) == 0 {
			return []any{}
		}
		return []any{shapeValue(x[0])}
	case json.Number:
		if strings.ContainsAny(string(x), ".eE") {
			return "float"
		}
		return "u64"
	case string:
		return "string"
	case bool:
		return "bool"
	case nil:
		return "null"
	}
	return "unknown"
}

// TestRPCResponseShapes checks each method's response shape against a
// golden file (testdata/shapes), written from what the clients require
// (shared/RPC-SURFACE.md): required keys present, null where null is
// allowed, integers as plain integers. Run with -update to rewrite them
// after a deliberate change, and review the diff.
func TestRPCResponseShapes(t *testing.T) {
	tn := startNode(t, 0)
	alice := sdk.KeypairFromSeed([32]byte{6})
	tn.fund(t, alice.Pubkey(), 5_000_000_000)
	tx, wire := transferTx(t, alice, sdk.Pubkey{9, 9}, 1_000_000_000, tn.blockhash(t, "confirmed"))
	sig := tx.Signatures[0].String()
	tn.result(t, nil, "sendTransaction", wire, map[string]any{"encoding": "base64", "preflightCommitment": "confirmed"})
	st := tn.waitStatus(t, sig, "finalized")
	slot := uint64(st["slot"].(float64))
	msg, _ := tx.Message.MarshalBinary()
	_, over := transferTx(t, alice, sdk.Pubkey{9, 9}, 1_000_000_000_000, tn.blockhash(t, "confirmed"))
	owner := alice.Pubkey().String()

	calls := []struct {
		name, method string
		params       []any
	}{
		{"getVersion", "getVersion", nil},
		{"getHealth", "getHealth", nil},
		{"getGenesisHash", "getGenesisHash", nil},
		{"getIdentity", "getIdentity", nil},
		{"getSlot", "getSlot", nil},
		{"getBlockHeight", "getBlockHeight", nil},
		{"getEpochInfo", "getEpochInfo", nil},
		{"getEpochSchedule", "getEpochSchedule", nil},
		{"getLatestBlockhash", "getLatestBlockhash", nil},
		{"isBlockhashValid", "isBlockhashValid", []any{tx.Message.RecentBlockhash.String(), commitment("confirmed")}},
		{"getMinimumBalanceForRentExemption", "getMinimumBalanceForRentExemption", []any{165}},
		{"getBalance", "getBalance", []any{owner}},
		{"getAccountInfo-base64", "getAccountInfo", []any{owner, map[string]any{"encoding": "base64"}}},
		{"getAccountInfo-missing", "getAccountInfo", []any{sdk.Pubkey{1, 2, 3}.String(), map[string]any{"encoding": "base64"}}},
		{"getAccountInfo-jsonParsed-mint", "getAccountInfo", []any{sdk.NativeMintID.String(), map[string]any{"encoding": "jsonParsed"}}},
		{"getMultipleAccounts", "getMultipleAccounts", []any{[]string{owner, sdk.Pubkey{1, 2, 3}.String()}, map[string]any{"encoding": "base64"}}},
		{"getProgramAccounts", "getProgramAccounts", []any{sdk.TokenProgramID.String(), map[string]any{"encoding": "base64", "filters": []any{map[string]any{"dataSize": 82}}}}},
		{"getTokenSupply", "getTokenSupply", []any{sdk.NativeMintID.String()}},
		{"getTokenAccountsByOwner", "getTokenAccountsByOwner", []any{owner, map[string]any{"programId": sdk.TokenProgramID.String()}, map[string]any{"encoding": "jsonParsed"}}},
		{"getFeeForMessage", "getFeeForMessage", []any{base64.StdEncoding.EncodeToString(msg), commitment("confirmed")}},
		{"simulateTransaction", "simulateTransaction", []any{wire, map[string]any{"encoding": "base64", "replaceRecentBlockhash": true}}},
		{"simulateTransaction-failure", "simulateTransaction", []any{over, map[string]any{"encoding": "base64", "commitment": "confirmed"}}},
		{"sendTransaction-preflight-failure", "sendTransaction", []any{over, map[string]any{"encoding": "base64", "preflightCommitment": "confirmed"}}},
		{"getSignatureStatuses", "getSignatureStatuses", []any{[]string{sig, sdk.Signature{1}.String()}}},
		{"getTransaction-json", "getTransaction", []any{sig, map[string]any{"maxSupportedTransactionVersion": 0}}},
		{"getTransaction-jsonParsed", "getTransaction", []any{sig, map[string]any{"encoding": "jsonParsed", "maxSupportedTransactionVersion": 0}}},
		{"getTransaction-base64", "getTransaction", []any{sig, map[string]any{"encoding": "base64"}}},
		{"getBlock-full", "getBlock", []any{slot, map[string]any{"maxSupportedTransactionVersion": 0, "rewards": false}}},
		{"getBlock-signatures", "getBlock", []any{slot, map[string]any{"transactionDetails": "signatures"}}},
		{"getBlockTime", "getBlockTime", []any{slot}},
		{"getBlocks", "getBlocks", []any{slot, slot + 1}},
		{"getBlocksWithLimit", "getBlocksWithLimit", []any{slot, 2}},
		{"getSignaturesForAddress", "getSignaturesForAddress", []any{owner}},
		{"getSlotLeaders", "getSlotLeaders", []any{slot, 2}},
		{"getLeaderSchedule", "getLeaderSchedule", nil},
		{"getTransactionCount", "getTransactionCount", nil},
		{"getRecentPerformanceSamples", "getRecentPerformanceSamples", []any{1}},
		{"getRecentPrioritizationFees", "getRecentPrioritizationFees", []any{[]string{owner}}},
		{"getSupply", "getSupply", nil},
		{"getClusterNodes", "getClusterNodes", nil},
		{"getVoteAccounts", "getVoteAccounts", nil},
		{"getInflationGovernor", "getInflationGovernor", nil},
		{"getStakeMinimumDelegation", "getStakeMinimumDelegation", nil},
		{"minimumLedgerSlot", "minimumLedgerSlot", nil},
		{"getFirstAvailableBlock", "getFirstAvailableBlock", nil},
		{"getMaxRetransmitSlot", "getMaxRetransmitSlot", nil},
		{"getMaxShredInsertSlot", "getMaxShredInsertSlot", nil},
	}
	for _, c := range calls {
		r := tn.call(t, c.method, c.params...)
		var got any
		if r.Error != nil {
			raw, _ := json.Marshal(r.Error)
			got = map[string]any{"error": shapeOf(raw)}
		} else {
			got = shapeOf(r.Result)
		}
		b, _ := json.MarshalIndent(got, "", "  ")
		b = append(b, '\n')
		path := filepath.Join("testdata", "shapes", c.name+".json")
		if *updateShapes {
			os.MkdirAll(filepath.Dir(path), 0o755)
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s: %v (run with -update to create it)", c.name, err)
			continue
		}
		if !bytes.Equal(b, want) {
			t.Errorf("%s: shape changed\ngot  %s\nwant %s", c.name, b, want)
		}
	}
	// Every golden file belongs to a call above.
	files, _ := filepath.Glob(filepath.Join("testdata", "shapes", "*.json"))
	names := map[string]bool{}
	for _, c := range calls {
		names[c.name] = true
	}
	var stale []string
	for _, f := range files {
		if !names[strings.TrimSuffix(filepath.Base(f), ".json")] {
			stale = append(stale, f)
		}
	}
	sort.Strings(stale)
	if len(stale) > 0 && !*updateShapes {
		t.Errorf("golden files without a call: %v", stale)
	}
}
