package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/gnomon-chain/gnomon/sdk"
)

// maxStatusBatch is the most signatures one getSignatureStatuses call may
// name (Agave's limit, which the node enforces too).
const maxStatusBatch = 256

// rpcClient is a small JSON-RPC 2.0 client over HTTP for the methods the
// harness needs. It is safe for concurrent use.
type rpcClient struct {
	url  string
	http *http.Client
	id   atomic.Uint64
}

func newRPCClient(url string) *rpcClient {
	// A few keep-alive connections are enough: the harness calls RPC in
	// set-up and in the closing sweep, never per transaction under load.
	tr := &http.Transport{MaxIdleConnsPerHost: 16, IdleConnTimeout: 30 * time.Second}
	return &rpcClient{url: url, http: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

// rpcError is an error object the node returned.
type rpcError struct {
	Code    int             `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data,omitempty"`
}

func (e *rpcError) Error() string { return fmt.Sprintf("rpc error %d: %s", e.Code, e.Message) }

// call invokes method with params and decodes the result into out.
func (c *rpcClient) call(ctx context.Context, method string, params []any, out any) error {
	if params == nil {
		params = []any{}
	}
	body, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": c.id.Add(1), "method": method, "params": params})
	if err != nil {
		return fmt.Errorf("%s: encode request: %w", method, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("%s: read response: %w", method, err)
	}
	var env struct {
		Result json.RawMessage `json:"result"`
		Error  *rpcError       `json:"error"`
	}
	if err := json.Unmarshal(data, &env); err != nil {
		return fmt.Errorf("%s: decode response (HTTP %d): %w", method, resp.StatusCode, err)
	}
	if env.Error != nil {
		return fmt.Errorf("%s: %w", method, env.Error)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(env.Result, out); err != nil {
		return fmt.Errorf("%s: decode result: %w", method, err)
	}
	return nil
}

type blockhashInfo struct {
	Blockhash            sdk.Hash
	LastValidBlockHeight uint64
}

func (c *rpcClient) latestBlockhash(ctx context.Context) (blockhashInfo, error) {
	var r struct {
		Value struct {
			Blockhash            string `json:"blockhash"`
			LastValidBlockHeight uint64 `json:"lastValidBlockHeight"`
		} `json:"value"`
	}
	if err := c.call(ctx, "getLatestBlockhash", []any{map[string]string{"commitment": "processed"}}, &r); err != nil {
		return blockhashInfo{}, err
	}
	h, err := sdk.ParseHash(r.Value.Blockhash)
	if err != nil {
		return blockhashInfo{}, fmt.Errorf("getLatestBlockhash: %w", err)
	}
	return blockhashInfo{Blockhash: h, LastValidBlockHeight: r.Value.LastValidBlockHeight}, nil
}

func (c *rpcClient) blockhashValid(ctx context.Context, h sdk.Hash) (bool, error) {
	var r struct {
		Value bool `json:"value"`
	}
	err := c.call(ctx, "isBlockhashValid", []any{h.String(), map[string]string{"commitment": "processed"}}, &r)
	return r.Value, err
}

func (c *rpcClient) minimumBalance(ctx context.Context, size int) (uint64, error) {
	var v uint64
	err := c.call(ctx, "getMinimumBalanceForRentExemption", []any{size}, &v)
	return v, err
}

func (c *rpcClient) balance(ctx context.Context, k sdk.Pubkey) (uint64, error) {
	var r struct {
		Value uint64 `json:"value"`
	}
	err := c.call(ctx, "getBalance", []any{k.String(), map[string]string{"commitment": "confirmed"}}, &r)
	return r.Value, err
}

func (c *rpcClient) requestAirdrop(ctx context.Context, to sdk.Pubkey, lamports uint64) (sdk.Signature, error) {
	var s string
	if err := c.call(ctx, "requestAirdrop", []any{to.String(), lamports}, &s); err != nil {
		return sdk.Signature{}, err
	}
	return sdk.ParseSignature(s)
}

// sendTransaction submits raw through RPC with preflight, so a set-up
// transaction that cannot succeed fails here with the node's reason.
func (c *rpcClient) sendTransaction(ctx context.Context, raw []byte) error {
	return c.call(ctx, "sendTransaction", []any{base64.StdEncoding.EncodeToString(raw),
		map[string]any{"encoding": "base64", "preflightCommitment": "processed"}}, nil)
}

type clusterNode struct {
	Pubkey  string  `json:"pubkey"`
	TPUQuic *string `json:"tpuQuic"`
	RPC     *string `json:"rpc"`
	PubSub  *string `json:"pubsub"`
}

func (c *rpcClient) clusterNodes(ctx context.Context) ([]clusterNode, error) {
	var out []clusterNode
	err := c.call(ctx, "getClusterNodes", nil, &out)
	return out, err
}

// sigStatus is one entry of getSignatureStatuses; a nil *sigStatus means the
// node does not know the signature.
type sigStatus struct {
	Slot               uint64          `json:"slot"`
	Err                json.RawMessage `json:"err"`
	ConfirmationStatus string          `json:"confirmationStatus"`
}

// failed reports whether the transaction landed with an error.
func (s *sigStatus) failed() bool {
	return len(s.Err) > 0 && !bytes.Equal(s.Err, []byte("null"))
}

// signatureStatuses looks up at most maxStatusBatch signatures, searching
// the ledger as well as the recent status cache.
func (c *rpcClient) signatureStatuses(ctx context.Context, sigs []sdk.Signature) ([]*sigStatus, error) {
	if len(sigs) > maxStatusBatch {
		return nil, fmt.Errorf("getSignatureStatuses: %d signatures, at most %d", len(sigs), maxStatusBatch)
	}
	strs := make([]string, len(sigs))
	for i, s := range sigs {
		strs[i] = s.String()
	}
	var r struct {
		Value []*sigStatus `json:"value"`
	}
	if err := c.call(ctx, "getSignatureStatuses", []any{strs, map[string]bool{"searchTransactionHistory": true}}, &r); err != nil {
		return nil, err
	}
	if len(r.Value) != len(sigs) {
		return nil, fmt.Errorf("getSignatureStatuses: %d statuses for %d signatures", len(r.Value), len(sigs))
	}
	return r.Value, nil
}

// errBlockUnavailable marks a slot getBlock could not return (skipped, not
// yet confirmed, or cleaned up).
var errBlockUnavailable = errors.New("bench: block not available")

// blockSignatures returns the first signature of every transaction in slot,
// read at confirmed.
func (c *rpcClient) blockSignatures(ctx context.Context, slot uint64) ([]string, error) {
	var r *struct {
		Signatures []string `json:"signatures"`
	}
	err := c.call(ctx, "getBlock", []any{slot, map[string]any{"commitment": "confirmed", "transactionDetails": "signatures",
		"rewards": false, "maxSupportedTransactionVersion": 0}}, &r)
	var re *rpcError
	if errors.As(err, &re) {
		return nil, fmt.Errorf("slot %d: %w: %s", slot, errBlockUnavailable, re.Message)
	}
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, fmt.Errorf("slot %d: %w", slot, errBlockUnavailable)
	}
	return r.Signatures, nil
}

// confirmAll waits until every signature in sigs is confirmed, and fails on
// the first that landed with an error or when ctx ends.
func (c *rpcClient) confirmAll(ctx context.Context, sigs []sdk.Signature, what string) error {
	pending := sigs
	for len(pending) > 0 {
		var next []sdk.Signature
		for start := 0; start < len(pending); start += maxStatusBatch {
			batch := pending[start:min(start+maxStatusBatch, len(pending))]
			sts, err := c.signatureStatuses(ctx, batch)
			if err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			for i, st := range sts {
				switch {
				case st == nil || st.ConfirmationStatus == "processed":
					next = append(next, batch[i])
				case st.failed():
					return fmt.Errorf("%s: transaction %s failed: %s", what, batch[i], st.Err)
				}
			}
		}
		pending = next
		if len(pending) == 0 {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %d transactions not confirmed: %w", what, len(pending), ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
	return nil
}
