package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gnomon-chain/gnomon/consensus"
	"github.com/gnomon-chain/gnomon/genesis"
	"github.com/gnomon-chain/gnomon/ledger"
	gnrt "github.com/gnomon-chain/gnomon/runtime"
	"github.com/gnomon-chain/gnomon/runtime/sysvar"
	"github.com/gnomon-chain/gnomon/sdk"
)

// Agave's limits, so a client that works against Solana's RPC works here
// and a request Solana refuses is refused here too.
const (
	maxRequestBody          = 50 * 1024
	maxMultipleAccounts     = 100
	maxSignatureStatuses    = 256
	maxSignaturesForAddress = 1000
	maxProgramFilters       = 4
	maxBase58Bytes          = 128
	maxGetBlocksRange       = 500_000
	maxBatchRequests        = 1000
	// keepAlive outlives web3.js's 19 s socket reuse: its source pins that
	// to one second below the Solana RPC's keep-alive.
	keepAlive = 25 * time.Second
)

// Version is what getVersion reports as "solana-core": the Agave release
// whose RPC surface this server follows.
const Version = "2.2.0"

// featureSet identifies Gnomon's rules in getVersion.
const featureSet = 0x676e6d6e

// Config is what the RPC service needs from the node.
type Config struct {
	// Addr is the JSON-RPC HTTP address ("127.0.0.1:8899"); WSAddr the
	// PubSub WebSocket address (empty: none).
	Addr, WSAddr string
	Genesis      *genesis.Genesis
	// GenesisHash is Genesis's hash, if the caller has it (computing it
	// takes a pass over every genesis account).
	GenesisHash sdk.Hash
	Ledger      *ledger.Ledger
	Forks       *gnrt.Forks
	Identity    sdk.Keypair
	// TPUAddr is the leader's TPU, where sendTransaction forwards. With
	// one validator it is this node's own.
	TPUAddr string
	// Faucet, if set, funds requestAirdrop.
	Faucet *sdk.Keypair
	// AirdropMaxLamports caps one airdrop; AirdropPerMinute caps what one
	// address may receive in a minute (0: defaults).
	AirdropMaxLamports, AirdropPerMinute uint64
	// WSQueue bounds each WebSocket client's outgoing queue (0: 4096).
	WSQueue int
	Logger  *slog.Logger
}

// Stats are the service's counters.
type Stats struct {
	Requests, Errors, BadRequests      atomic.Uint64
	Notifications, SlowClientsDropped  atomic.Uint64
	Forwarded, ForwardFailed, Retried  atomic.Uint64
	Landed, Expired, RetriesExhausted  atomic.Uint64
	Subscriptions, SubscriptionsClosed atomic.Uint64
	EventsDropped                      atomic.Uint64
}

// Server is the JSON-RPC and PubSub service.
type Server struct {
	cfg   Config
	log   *slog.Logger
	stats Stats

	state   atomic.Pointer[snapshot]
	httpLn  net.Listener
	wsLn    net.Listener
	blocks  *blockCache
	pubsub  *pubsub
	sender  *sender
	faucet  *faucet
	perf    *perfSamples
	methods map[string]method

	// leaders answers who leads each slot, as the node's schedule does.
	leaders *consensus.Leaders

	// hub carries slot events from Publish to the PubSub dispatcher.
	hub chan event
}

type method func(s *Server, ctx context.Context, p params) (any, *Error)

// New listens on the configured addresses; Serve answers.
func New(cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Genesis == nil || cfg.Ledger == nil || cfg.Forks == nil {
		return nil, errors.New("rpc: config needs genesis, ledger and forks")
	}
	s := &Server{cfg: cfg, log: cfg.Logger, blocks: newBlockCache(64), hub: make(chan event, 4096), perf: newPerfSamples()}
	s.methods = methodTable()
	s.leaders = consensus.NewLeaders(sysvar.NewEpochSchedule(cfg.Genesis.SlotsPerEpoch), cfg.Genesis.StakedNodes())
	if s.cfg.GenesisHash == (sdk.Hash{}) {
		s.cfg.GenesisHash = cfg.Genesis.Hash()
	}
	root := cfg.Forks.Root()
	latest := root
	for _, slot := range cfg.Forks.Banks() {
		if b := cfg.Forks.Get(slot); b != nil && b.IsFrozen() && b.Slot() > latest.Slot() {
			latest = b
		}
	}
	s.state.Store(&snapshot{processed: latest, confirmed: root, finalized: root})
	s.pubsub = newPubsub(s)
	s.sender = newSender(s)
	if cfg.Faucet != nil {
		s.faucet = newFaucet(*cfg.Faucet, cfg.AirdropMaxLamports, cfg.AirdropPerMinute)
	}
	var err error
	if s.httpLn, err = net.Listen("tcp", cfg.Addr); err != nil {
		return nil, fmt.Errorf("rpc: listen %s: %w", cfg.Addr, err)
	}
	if cfg.WSAddr != "" {
		if s.wsLn, err = net.Listen("tcp", cfg.WSAddr); err != nil {
			s.httpLn.Close()
			return nil, fmt.Errorf("rpc: websocket listen %s: %w", cfg.WSAddr, err)
		}
	}
	return s, nil
}

// Addr is the JSON-RPC address.
func (s *Server) Addr() net.Addr { return s.httpLn.Addr() }

// WSAddr is the WebSocket address, or nil.
func (s *Server) WSAddr() net.Addr {
	if s.wsLn == nil {
		return nil
	}
	return s.wsLn.Addr()
}

// Stats returns the service's counters.
func (s *Server) Stats() *Stats { return &s.stats }

// Serve answers until ctx is cancelled, then closes every connection and
// stops every goroutine it started.
func (s *Server) Serve(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	httpSrv := &http.Server{Handler: s, IdleTimeout: keepAlive, ReadHeaderTimeout: 10 * time.Second,
		MaxHeaderBytes: 64 << 10, BaseContext: func(net.Listener) context.Context { return ctx }}
	errs := make(chan error, 2)
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := httpSrv.Serve(s.httpLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs <- fmt.Errorf("rpc: http: %w", err)
		}
	}()
	var wsSrv *http.Server
	if s.wsLn != nil {
		wsSrv = &http.Server{Handler: http.HandlerFunc(s.pubsub.serveWS), ReadHeaderTimeout: 10 * time.Second,
			BaseContext: func(net.Listener) context.Context { return ctx }}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := wsSrv.Serve(s.wsLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errs <- fmt.Errorf("rpc: websocket: %w", err)
			}
		}()
	}
	wg.Add(2)
	go func() {
		defer wg.Done()
		s.pubsub.dispatch(ctx)
	}()
	go func() {
		defer wg.Done()
		s.sender.run(ctx)
	}()
	var err error
	select {
	case <-ctx.Done():
	case err = <-errs:
	}
	cancel()
	shutdownCtx, done := context.WithTimeout(context.Background(), 2*time.Second)
	defer done()
	httpSrv.Shutdown(shutdownCtx)
	httpSrv.Close()
	if wsSrv != nil {
		wsSrv.Shutdown(shutdownCtx)
		wsSrv.Close()
	}
	s.pubsub.closeAll()
	wg.Wait()
	return err
}

// ServeHTTP answers GET /health and JSON-RPC POSTs, single or batched.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet && r.URL.Path == "/health" {
		w.Header().Set("Content-Type", "text/plain")
		if s.healthy() {
			io.WriteString(w, "ok")
		} else {
			io.WriteString(w, "behind")
		}
		return
	}
	// Browser dapps call RPC from their own origins; Agave allows any.
	w.Header().Set("Access-Control-Allow-Origin", "*")
	if r.Method == http.MethodOptions {
		w.Header().Set("Access-Control-Allow-Methods", "POST, OPTIONS")
		w.Header().Set("Access-Control-Allow-Headers", "content-type, accept, solana-client")
		w.Header().Set("Access-Control-Max-Age", "86400")
		w.WriteHeader(http.StatusOK)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST, OPTIONS")
		http.Error(w, "Used HTTP Method is not allowed. POST or OPTIONS is required", http.StatusMethodNotAllowed)
		return
	}
	buf := bodyPool.Get().(*bytes.Buffer)
	defer bodyPool.Put(buf)
	buf.Reset()
	// Agave's HTTP server refuses a body over its limit before parsing it.
	n, err := buf.ReadFrom(io.LimitReader(r.Body, maxRequestBody+1))
	if err != nil {
		s.stats.BadRequests.Add(1)
		http.Error(w, "request body: "+err.Error(), http.StatusBadRequest)
		return
	}
	if n > maxRequestBody {
		s.stats.BadRequests.Add(1)
		http.Error(w, "Payload Too Large", http.StatusRequestEntityTooLarge)
		return
	}
	out := outPool.Get().(*bytes.Buffer)
	defer outPool.Put(out)
	out.Reset()
	s.handle(r.Context(), buf.Bytes(), out)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(out.Bytes())
}

var (
	bodyPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}
	outPool  = sync.Pool{New: func() any { return new(bytes.Buffer) }}
)

// request is one JSON-RPC call.
type request struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Method  string          `json:"method"`
	Params  paramsField     `json:"params"`
}

// handle answers one body: an object, or an array of them (a batch).
func (s *Server) handle(ctx context.Context, body []byte, out *bytes.Buffer) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '[' {
		var batch []json.RawMessage
		if err := json.Unmarshal(trimmed, &batch); err != nil {
			s.stats.BadRequests.Add(1)
			writeError(out, nil, &Error{Code: codeParseError, Message: "Parse error"})
			return
		}
		if len(batch) == 0 || len(batch) > maxBatchRequests {
			s.stats.BadRequests.Add(1)
			writeError(out, nil, invalidRequest("Invalid request"))
			return
		}
		out.WriteByte('[')
		first := true
		for _, raw := range batch {
			mark := out.Len()
			if !first {
				out.WriteByte(',')
			}
			if s.handleOne(ctx, raw, out) {
				first = false
			} else {
				out.Truncate(mark)
			}
		}
		out.WriteByte(']')
		return
	}
	s.handleOne(ctx, body, out)
}

// handleOne answers one call into out and reports whether it wrote
// anything (a notification, a call without an id, gets no answer).
func (s *Server) handleOne(ctx context.Context, raw []byte, out *bytes.Buffer) bool {
	s.stats.Requests.Add(1)
	var req request
	if err := json.Unmarshal(raw, &req); err != nil {
		s.stats.BadRequests.Add(1)
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) {
			writeError(out, nil, &Error{Code: codeParseError, Message: "Parse error"})
		} else {
			writeError(out, nil, invalidRequest("Invalid request"))
		}
		return true
	}
	if req.JSONRPC != "2.0" || req.Method == "" {
		s.stats.BadRequests.Add(1)
		writeError(out, req.ID, invalidRequest("Invalid request"))
		return true
	}
	m, ok := s.methods[req.Method]
	if !ok {
		s.stats.Errors.Add(1)
		if req.ID == nil {
			return false
		}
		writeError(out, req.ID, &Error{Code: codeMethodNotFound, Message: "Method not found"})
		return true
	}
	p, perr := req.Params.params()
	var result any
	if perr == nil {
		result, perr = m(s, ctx, p)
	}
	if req.ID == nil {
		return false
	}
	if perr != nil {
		s.stats.Errors.Add(1)
		writeError(out, req.ID, perr)
		return true
	}
	writeResult(out, req.ID, result)
	return true
}

func writeResult(out *bytes.Buffer, id json.RawMessage, result any) {
	mark := out.Len()
	out.WriteString(`{"jsonrpc":"2.0","result":`)
	// Most answers are wrapped in a context: write the wrapper directly
	// and leave only the value to reflection.
	wc, wrapped := result.(withContext)
	if wrapped {
		out.WriteString(`{"context":{"slot":`)
		out.Write(appendUint(out.AvailableBuffer(), wc.Context.Slot))
		out.WriteString(`,"apiVersion":"` + Version + `"},"value":`)
		result = wc.Value
	}
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(result); err != nil {
		out.Truncate(mark)
		writeError(out, id, internalError(err))
		return
	}
	out.Truncate(out.Len() - 1) // Encode's newline
	if wrapped {
		out.WriteByte('}')
	}
	out.WriteString(`,"id":`)
	writeID(out, id)
	out.WriteByte('}')
}

func writeError(out *bytes.Buffer, id json.RawMessage, e *Error) {
	out.WriteString(`{"jsonrpc":"2.0","error":`)
	b, err := json.Marshal(e)
	if err != nil {
		b, _ = json.Marshal(&Error{Code: e.Code, Message: e.Message})
	}
	out.Write(b)
	out.WriteString(`,"id":`)
	writeID(out, id)
	out.WriteByte('}')
}

func writeID(out *bytes.Buffer, id json.RawMessage) {
	if len(id) == 0 {
		out.WriteString("null")
		return
	}
	out.Write(id)
}

// healthy reports whether the node is producing: its newest frozen bank is
// recent by the clock.
func (s *Server) healthy() bool {
	snap := s.state.Load()
	return time.Since(snap.publishedAt) < 10*time.Second || snap.publishedAt.IsZero()
}
