package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/coder/websocket"

	gnrt "github.com/gnomon-chain/gnomon/runtime"
	"github.com/gnomon-chain/gnomon/runtime/programs/vote"
	"github.com/gnomon-chain/gnomon/sdk"
)

// PubSub limits. A client's outgoing queue is bounded: one that stops
// reading is disconnected when it fills, and nobody else waits for it.
const (
	wsQueue          = 4096
	wsReadLimit      = 64 << 10
	wsWriteTimeout   = 10 * time.Second
	maxSubsPerConn   = 10_000
	maxPendingEvents = 2048
)

// event is one published slot with the levels it led to, or, with no
// update.Bank, a move of the confirmed level alone (PublishConfirmed).
type event struct {
	update          SlotUpdate
	confirmed, root *gnrt.Bank
	at              time.Time
}

type subKind uint8

const (
	subAccount subKind = iota
	subProgram
	subSignature
	subSlot
	subSlotsUpdates
	subRoot
	subLogs
	subBlock
)

var subMethods = map[string]subKind{
	"accountSubscribe": subAccount, "programSubscribe": subProgram, "signatureSubscribe": subSignature,
	"slotSubscribe": subSlot, "slotsUpdatesSubscribe": subSlotsUpdates, "rootSubscribe": subRoot,
	"logsSubscribe": subLogs, "blockSubscribe": subBlock,
}

var unsubMethods = map[string]subKind{
	"accountUnsubscribe": subAccount, "programUnsubscribe": subProgram, "signatureUnsubscribe": subSignature,
	"slotUnsubscribe": subSlot, "slotsUpdatesUnsubscribe": subSlotsUpdates, "rootUnsubscribe": subRoot,
	"logsUnsubscribe": subLogs, "blockUnsubscribe": subBlock,
}

var notificationMethods = [...]string{
	subAccount: "accountNotification", subProgram: "programNotification", subSignature: "signatureNotification",
	subSlot: "slotNotification", subSlotsUpdates: "slotsUpdatesNotification", subRoot: "rootNotification",
	subLogs: "logsNotification", subBlock: "blockNotification",
}

// subscription is one client subscription.
type subscription struct {
	id    uint64
	kind  subKind
	conn  *wsConn
	level commitment

	key      sdk.Pubkey // account, program, or the mentioned address
	mentions bool       // logs/block: only transactions mentioning key
	votes    bool       // logs: include vote transactions
	sig      sdk.Signature
	received bool // signature: send receivedSignature first
	enc      accountEncoding
	slice    *dataSlice
	filters  []filter
	block    blockOptions
}

// wsConn is one WebSocket client. Its outgoing messages wait in queued,
// at most limit of them; the writer takes them all at once, so a burst of
// notifications costs one wake-up rather than one per message.
type wsConn struct {
	c      *websocket.Conn
	done   chan struct{}
	once   sync.Once
	subs   map[uint64]*subscription // guarded by pubsub.mu
	cancel context.CancelFunc

	qmu    sync.Mutex
	queued [][]byte
	limit  int
	wake   chan struct{} // capacity 1: a pending wake-up
}

func newWSConn(c *websocket.Conn, limit int, cancel context.CancelFunc) *wsConn {
	return &wsConn{c: c, done: make(chan struct{}), subs: make(map[uint64]*subscription), cancel: cancel,
		limit: limit, wake: make(chan struct{}, 1)}
}

func (c *wsConn) close() {
	c.once.Do(func() {
		close(c.done)
		c.cancel()
	})
}

// pubsub holds every subscription and turns slot events into
// notifications, in slot order for each subscription.
type pubsub struct {
	s *Server

	mu     sync.Mutex
	nextID uint64
	conns  map[*wsConn]struct{}
	subs   map[uint64]*subscription
	bySig  map[sdk.Signature]map[uint64]*subscription
	byKey  map[sdk.Pubkey]map[uint64]*subscription // accounts
	byProg map[sdk.Pubkey]map[uint64]*subscription
	others [subBlock + 1]map[uint64]*subscription // slot, slotsUpdates, root, logs, block

	// Dispatcher state: published slots not yet finalized, and how far
	// each level has been notified.
	pending                 map[uint64]*event
	lastConfirmed, lastRoot uint64
}

func newPubsub(s *Server) *pubsub {
	p := &pubsub{s: s, conns: make(map[*wsConn]struct{}), subs: make(map[uint64]*subscription),
		bySig: make(map[sdk.Signature]map[uint64]*subscription), byKey: make(map[sdk.Pubkey]map[uint64]*subscription),
		byProg: make(map[sdk.Pubkey]map[uint64]*subscription), pending: make(map[uint64]*event)}
	for i := range p.others {
		p.others[i] = make(map[uint64]*subscription)
	}
	snap := s.state.Load()
	p.lastConfirmed, p.lastRoot = snap.confirmed.Slot(), snap.finalized.Slot()
	return p
}

func (p *pubsub) serveWS(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		return
	}
	c.SetReadLimit(wsReadLimit)
	ctx, cancel := context.WithCancel(r.Context())
	queue := p.s.cfg.WSQueue
	if queue <= 0 {
		queue = wsQueue
	}
	conn := newWSConn(c, queue, cancel)
	p.mu.Lock()
	p.conns[conn] = struct{}{}
	p.mu.Unlock()
	defer func() {
		conn.close()
		p.drop(conn)
		c.CloseNow()
	}()
	go p.writer(ctx, conn)
	for {
		_, msg, err := c.Read(ctx)
		if err != nil {
			return
		}
		if reply := p.handle(conn, msg); reply != nil {
			if !p.send(conn, reply) {
				return
			}
		}
	}
}

// writer drains a connection's queue; it is the only goroutine writing
// to the socket.
func (p *pubsub) writer(ctx context.Context, conn *wsConn) {
	var batch [][]byte
	for {
		select {
		case <-conn.done:
			return
		case <-conn.wake:
		}
		conn.qmu.Lock()
		batch, conn.queued = conn.queued, batch[:0]
		conn.qmu.Unlock()
		for i, msg := range batch {
			wctx, cancel := context.WithTimeout(ctx, wsWriteTimeout)
			err := conn.c.Write(wctx, websocket.MessageText, msg)
			cancel()
			batch[i] = nil
			if err != nil {
				conn.close()
				return
			}
		}
	}
}

// send queues msg for conn; a full queue disconnects the client.
func (p *pubsub) send(conn *wsConn, msg []byte) bool {
	select {
	case <-conn.done:
		return false
	default:
	}
	conn.qmu.Lock()
	full := len(conn.queued) >= conn.limit
	if !full {
		conn.queued = append(conn.queued, msg)
	}
	conn.qmu.Unlock()
	if full {
		p.s.stats.SlowClientsDropped.Add(1)
		p.s.log.Warn("rpc: websocket client too slow, disconnected")
		conn.close()
		return false
	}
	select {
	case conn.wake <- struct{}{}:
	default:
	}
	return true
}

// drop removes a closed connection's subscriptions.
func (p *pubsub) drop(conn *wsConn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.conns, conn)
	for id := range conn.subs {
		p.removeLocked(id)
	}
}

func (p *pubsub) closeAll() {
	p.mu.Lock()
	conns := make([]*wsConn, 0, len(p.conns))
	for c := range p.conns {
		conns = append(conns, c)
	}
	p.mu.Unlock()
	for _, c := range conns {
		c.close()
		c.c.CloseNow()
	}
}

// handle answers one client message; nil means no reply.
func (p *pubsub) handle(conn *wsConn, msg []byte) []byte {
	var out bytes.Buffer
	var req request
	if err := json.Unmarshal(msg, &req); err != nil {
		writeError(&out, nil, &Error{Code: codeParseError, Message: "Parse error"})
		return out.Bytes()
	}
	if req.Method == "ping" && req.ID == nil {
		return nil // clients ping to keep the socket open; nothing to say
	}
	if req.JSONRPC != "2.0" || req.Method == "" {
		writeError(&out, req.ID, invalidRequest("Invalid request"))
		return out.Bytes()
	}
	prm, perr := req.Params.params()
	var result any
	sub, isSub := subMethods[req.Method]
	unsub, isUnsub := unsubMethods[req.Method]
	switch {
	case perr != nil:
	case isSub:
		result, perr = p.subscribe(conn, sub, prm)
	case isUnsub:
		result, perr = p.unsubscribe(conn, unsub, prm)
	default:
		perr = &Error{Code: codeMethodNotFound, Message: "Method not found"}
	}
	if req.ID == nil {
		return nil
	}
	if perr != nil {
		writeError(&out, req.ID, perr)
	} else {
		writeResult(&out, req.ID, result)
	}
	return out.Bytes()
}

type blockOptions struct {
	enc        txEncoding
	details    string
	rewards    bool
	maxVersion *uint8
}

// subscribe parses a subscription request and registers it.
func (p *pubsub) subscribe(conn *wsConn, kind subKind, prm params) (any, *Error) {
	sub := &subscription{kind: kind, conn: conn, level: finalized}
	var cfg struct {
		commitmentConfig
		Encoding                       *string    `json:"encoding"`
		DataSlice                      *dataSlice `json:"dataSlice"`
		Filters                        []filter   `json:"filters"`
		EnableReceivedNotification     bool       `json:"enableReceivedNotification"`
		TransactionDetails             *string    `json:"transactionDetails"`
		ShowRewards                    *bool      `json:"showRewards"`
		MaxSupportedTransactionVersion *uint8     `json:"maxSupportedTransactionVersion"`
	}
	cfgAt := 1
	switch kind {
	case subAccount, subProgram:
		k, err := prm.pubkey(0)
		if err != nil {
			return nil, err
		}
		sub.key = k
	case subSignature:
		ss, err := prm.str(0)
		if err != nil {
			return nil, err
		}
		if sub.sig, err = parseSignature(ss); err != nil {
			return nil, err
		}
	case subSlot, subSlotsUpdates, subRoot:
		cfgAt = -1
	case subLogs, subBlock:
		if err := prm.need(1); err != nil {
			return nil, err
		}
		var which string
		if json.Unmarshal(prm[0], &which) == nil {
			switch {
			case which == "all":
			case which == "allWithVotes" && kind == subLogs:
				sub.votes = true
			default:
				return nil, invalidParams("Invalid params: unknown variant `%s`", which)
			}
			break
		}
		var m struct {
			Mentions        []string `json:"mentions"`
			MentionsAccount *string  `json:"mentionsAccountOrProgram"`
		}
		if err := prm.decode(0, &m); err != nil {
			return nil, err
		}
		key := ""
		switch {
		case kind == subLogs && len(m.Mentions) == 1:
			key = m.Mentions[0]
		case kind == subLogs:
			return nil, invalidParams("Invalid Request: Only 1 address supported")
		case m.MentionsAccount != nil:
			key = *m.MentionsAccount
		default:
			return nil, invalidParams("Invalid params: expected \"all\" or a mentions filter")
		}
		k, err := parsePubkey(key)
		if err != nil {
			return nil, err
		}
		sub.key, sub.mentions = k, true
	}
	if cfgAt > 0 {
		if err := prm.decode(cfgAt, &cfg); err != nil {
			return nil, err
		}
		level, err := cfg.level()
		if err != nil {
			return nil, err
		}
		sub.level = level
		if kind == subAccount || kind == subProgram {
			if sub.enc, err = parseAccountEncoding(cfg.Encoding, encBinary); err != nil {
				return nil, err
			}
			sub.slice = cfg.DataSlice
		}
		if kind == subProgram {
			if err := compileFilters(cfg.Filters); err != nil {
				return nil, err
			}
			sub.filters = cfg.Filters
		}
		sub.received = kind == subSignature && cfg.EnableReceivedNotification
		if kind == subBlock {
			if level == processed {
				return nil, invalidParams("Method does not support commitment below `confirmed`")
			}
			enc, err := parseTxEncoding(cfg.Encoding)
			if err != nil {
				return nil, err
			}
			sub.block = blockOptions{enc: enc, details: "full", rewards: cfg.ShowRewards == nil || *cfg.ShowRewards,
				maxVersion: cfg.MaxSupportedTransactionVersion}
			if cfg.TransactionDetails != nil {
				sub.block.details = *cfg.TransactionDetails
			}
		}
	}
	p.mu.Lock()
	if len(conn.subs) >= maxSubsPerConn {
		p.mu.Unlock()
		return nil, invalidRequest("Too many subscriptions on this connection; max %d", maxSubsPerConn)
	}
	p.nextID++
	sub.id = p.nextID
	conn.subs[sub.id] = sub
	p.subs[sub.id] = sub
	switch kind {
	case subAccount:
		addTo(p.byKey, sub.key, sub)
	case subProgram:
		addTo(p.byProg, sub.key, sub)
	case subSignature:
		addTo(p.bySig, sub.sig, sub)
	default:
		p.others[kind][sub.id] = sub
	}
	p.mu.Unlock()
	p.s.stats.Subscriptions.Add(1)
	if kind == subSignature {
		p.notifyIfDone(sub)
	}
	return sub.id, nil
}

// notifyIfDone closes the subscribe/execute race: a signature already at
// the subscription's level is notified at once, as Agave does.
func (p *pubsub) notifyIfDone(sub *subscription) {
	snap := p.s.state.Load()
	st, found, err := p.s.visibleStatus(snap, sub.sig, sub.level)
	if err != nil || !found {
		return
	}
	p.mu.Lock()
	_, live := p.subs[sub.id]
	if live {
		p.removeLocked(sub.id)
	}
	p.mu.Unlock()
	if live {
		p.notify(sub, inContextSlot(st.Slot, map[string]any{"err": errJSON(st.Err)}))
	}
}

func addTo[K comparable](m map[K]map[uint64]*subscription, k K, sub *subscription) {
	if m[k] == nil {
		m[k] = make(map[uint64]*subscription)
	}
	m[k][sub.id] = sub
}

func removeFrom[K comparable](m map[K]map[uint64]*subscription, k K, id uint64) {
	if set := m[k]; set != nil {
		delete(set, id)
		if len(set) == 0 {
			delete(m, k)
		}
	}
}

func (p *pubsub) unsubscribe(conn *wsConn, kind subKind, prm params) (any, *Error) {
	id, err := prm.u64(0)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	sub, ok := conn.subs[id]
	if !ok || sub.kind != kind {
		return nil, invalidParams("Invalid subscription id.")
	}
	p.removeLocked(id)
	return true, nil
}

func (p *pubsub) removeLocked(id uint64) {
	sub, ok := p.subs[id]
	if !ok {
		return
	}
	delete(p.subs, id)
	delete(sub.conn.subs, id)
	switch sub.kind {
	case subAccount:
		removeFrom(p.byKey, sub.key, id)
	case subProgram:
		removeFrom(p.byProg, sub.key, id)
	case subSignature:
		removeFrom(p.bySig, sub.sig, id)
	default:
		delete(p.others[sub.kind], id)
	}
	p.s.stats.SubscriptionsClosed.Add(1)
}

// notify sends one notification to sub's client.
func (p *pubsub) notify(sub *subscription, result any) {
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(result); err != nil {
		p.s.log.Error("rpc: notification", "err", err)
		return
	}
	p.notifyRaw(sub, out.Bytes()[:out.Len()-1])
}

// notifyRaw sends a notification whose result is already JSON.
func (p *pubsub) notifyRaw(sub *subscription, result []byte) {
	method := notificationMethods[sub.kind]
	out := make([]byte, 0, len(result)+len(method)+80)
	out = append(out, `{"jsonrpc":"2.0","method":"`...)
	out = append(out, method...)
	out = append(out, `","params":{"result":`...)
	out = append(out, result...)
	out = append(out, `,"subscription":`...)
	out = appendUint(out, sub.id)
	out = append(out, `}}`...)
	if p.send(sub.conn, out) {
		p.s.stats.Notifications.Add(1)
	}
}

// accountResult is an account notification's result: the account in its
// slot's context. Hot with many subscriptions, so it is written directly
// for the binary encodings rather than through reflection.
func accountResult(slot uint64, ui *uiAccount) []byte {
	out := make([]byte, 0, 256)
	out = append(out, `{"context":{"slot":`...)
	out = appendUint(out, slot)
	out = append(out, `,"apiVersion":"`+Version+`"},"value":`...)
	switch d := ui.Data.(type) {
	case [2]string:
		// base58 and base64 strings and their names need no escaping.
		out = append(out, `{"data":["`...)
		out = append(out, d[0]...)
		out = append(out, `","`...)
		out = append(out, d[1]...)
		out = append(out, `"],"executable":`...)
		out = strconv.AppendBool(out, ui.Executable)
		out = append(out, `,"lamports":`...)
		out = appendUint(out, ui.Lamports)
		out = append(out, `,"owner":"`...)
		out = append(out, ui.Owner...)
		out = append(out, `","rentEpoch":`...)
		out = appendUint(out, ui.RentEpoch)
		out = append(out, `,"space":`...)
		out = appendUint(out, ui.Space)
		out = append(out, '}')
	default:
		b, err := json.Marshal(ui)
		if err != nil {
			return nil
		}
		out = append(out, b...)
	}
	return append(out, '}')
}

func inContextSlot(slot uint64, v any) withContext {
	return withContext{Context: rpcContext{Slot: slot, APIVersion: Version}, Value: v}
}

// dispatch turns slot events into notifications until ctx ends.
func (p *pubsub) dispatch(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-p.s.hub:
			p.onEvent(&ev)
		}
	}
}

func (p *pubsub) onEvent(ev *event) {
	// Counting the slot's transactions and fees happens here, off the
	// node's leader loop, which only hands the slot over.
	if ev.update.Bank != nil {
		p.s.perf.record(&ev.update)
		p.pending[ev.update.Bank.Slot()] = ev
		p.slotNotifications(ev)
		p.levelNotifications(ev, processed)
	}
	root := ev.root.Slot()
	for _, s := range p.pendingBetween(p.lastConfirmed, ev.confirmed.Slot()) {
		p.levelNotifications(p.pending[s], confirmed)
		p.slotsUpdate(map[string]any{"type": "optimisticConfirmation", "slot": s, "timestamp": ev.at.UnixMilli()})
	}
	p.lastConfirmed = max(p.lastConfirmed, ev.confirmed.Slot())
	if root > p.lastRoot {
		for _, s := range p.pendingBetween(p.lastRoot, root) {
			p.levelNotifications(p.pending[s], finalized)
			p.slotsUpdate(map[string]any{"type": "root", "slot": s, "timestamp": ev.at.UnixMilli()})
			delete(p.pending, s)
		}
		p.lastRoot = root
		for _, sub := range p.snapshotOf(subRoot) {
			p.notify(sub, root)
		}
	}
	// Slots below the root that were never finalized here (abandoned, or
	// published before a restart) are forgotten.
	if len(p.pending) > maxPendingEvents {
		for s := range p.pending {
			if s <= p.lastRoot {
				delete(p.pending, s)
			}
		}
	}
}

// pendingBetween lists pending slots in (after, upto], ascending.
func (p *pubsub) pendingBetween(after, upto uint64) []uint64 {
	var out []uint64
	for s := range p.pending {
		if s > after && s <= upto {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

func (p *pubsub) snapshotOf(kind subKind) []*subscription {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]*subscription, 0, len(p.others[kind]))
	for _, s := range p.others[kind] {
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b *subscription) int { return int(a.id - b.id) })
	return out
}

func (p *pubsub) slotNotifications(ev *event) {
	b := ev.update.Bank
	for _, sub := range p.snapshotOf(subSlot) {
		p.notify(sub, map[string]uint64{"parent": b.ParentSlot(), "root": ev.root.Slot(), "slot": b.Slot()})
	}
	var ok, failed, maxPerEntry uint64
	for _, r := range ev.update.Results {
		if r.Err == nil {
			ok++
		} else {
			failed++
		}
	}
	maxPerEntry = uint64(len(ev.update.Transactions))
	p.slotsUpdate(map[string]any{"type": "frozen", "slot": b.Slot(), "timestamp": ev.at.UnixMilli(),
		"stats": map[string]uint64{"numTransactionEntries": uint64(ev.update.Entries), "numSuccessfulTransactions": ok,
			"numFailedTransactions": failed, "maxTransactionsPerEntry": min(maxPerEntry, 64)}})
}

func (p *pubsub) slotsUpdate(v map[string]any) {
	for _, sub := range p.snapshotOf(subSlotsUpdates) {
		p.notify(sub, v)
	}
}

// levelNotifications sends everything that slot ev reaching level means:
// signatures, accounts, programs, logs and blocks subscribed at level.
func (p *pubsub) levelNotifications(ev *event, level commitment) {
	if ev == nil {
		return
	}
	u := &ev.update
	bank := u.Bank
	slot := bank.Slot()
	type due struct {
		sub    *subscription
		result any
		raw    []byte // the result already in JSON
	}
	var out []due
	p.mu.Lock()
	for i, tx := range u.Transactions {
		sig := tx.Signatures[0]
		for id, sub := range p.bySig[sig] {
			if level == processed && sub.received {
				out = append(out, due{sub: sub, result: inContextSlot(slot, "receivedSignature")})
				sub.received = false
			}
			if sub.level != level {
				continue
			}
			var errRaw json.RawMessage = json.RawMessage("null")
			if e := u.Results[i].Err; e != nil {
				errRaw, _ = e.MarshalJSON()
			}
			out = append(out, due{sub: sub, result: inContextSlot(slot, map[string]any{"err": errRaw})})
			p.removeLocked(id)
		}
	}
	written := bank.WrittenKeys()
	if len(p.byKey) > 0 || len(p.byProg) > 0 {
		for _, k := range written {
			subs := p.byKey[k]
			if len(subs) == 0 && len(p.byProg) == 0 {
				continue
			}
			a := bank.Account(k)
			for _, sub := range subs {
				if sub.level != level {
					continue
				}
				shown := a
				if shown == nil {
					shown = &sdk.Account{Owner: sdk.SystemProgramID}
				}
				ui, err := encodeAccount(bank, k, shown, sub.enc, sub.slice)
				if err == nil {
					out = append(out, due{sub: sub, raw: accountResult(slot, &ui)})
				}
			}
			if a == nil {
				continue
			}
			for _, sub := range p.byProg[a.Owner] {
				if sub.level != level || !matchesAll(sub.filters, a) {
					continue
				}
				ui, err := encodeAccount(bank, k, a, sub.enc, sub.slice)
				if err == nil {
					out = append(out, due{sub: sub, result: inContextSlot(slot, keyedAccount{Pubkey: k.String(), Account: ui})})
				}
			}
		}
	}
	logs := make([]*subscription, 0, len(p.others[subLogs]))
	for _, sub := range p.others[subLogs] {
		if sub.level == level {
			logs = append(logs, sub)
		}
	}
	blocks := make([]*subscription, 0, len(p.others[subBlock]))
	for _, sub := range p.others[subBlock] {
		if sub.level == level {
			blocks = append(blocks, sub)
		}
	}
	p.mu.Unlock()
	slices.SortStableFunc(out, func(a, b due) int { return int(a.sub.id - b.sub.id) })
	for _, d := range out {
		if d.raw != nil {
			p.notifyRaw(d.sub, d.raw)
		} else {
			p.notify(d.sub, d.result)
		}
	}
	if len(logs) > 0 {
		p.logNotifications(u, slot, logs)
	}
	for _, sub := range blocks {
		p.blockNotification(sub, slot, level)
	}
}

func matchesAll(fs []filter, a *sdk.Account) bool {
	for i := range fs {
		if !fs[i].match(a) {
			return false
		}
	}
	return true
}

func (p *pubsub) logNotifications(u *SlotUpdate, slot uint64, subs []*subscription) {
	for i, tx := range u.Transactions {
		m := &tx.Message
		isVote := vote.IsVoteTransaction(m)
		var errRaw json.RawMessage = json.RawMessage("null")
		if e := u.Results[i].Err; e != nil {
			errRaw, _ = e.MarshalJSON()
		}
		value := map[string]any{"signature": tx.Signatures[0].String(), "err": errRaw, "logs": orEmptyStrings(u.Results[i].Logs)}
		for _, sub := range subs {
			switch {
			case sub.mentions && !slices.Contains(m.AccountKeys, sub.key):
				continue
			case !sub.mentions && isVote && !sub.votes:
				continue
			}
			p.notify(sub, inContextSlot(slot, value))
		}
	}
}

func (p *pubsub) blockNotification(sub *subscription, slot uint64, level commitment) {
	snap := p.s.state.Load()
	blk, err := p.s.renderBlock(snap, slot, level, sub.block)
	value := map[string]any{"slot": slot, "block": blk, "err": nil}
	if err != nil {
		value["block"] = nil
		value["err"] = err.Message
	}
	if sub.mentions && blk != nil {
		mentioned := false
		if b, e := p.s.blocks.get(p.s, slot); e == nil {
			for _, tx := range b.txs {
				if slices.Contains(tx.Message.AccountKeys, sub.key) {
					mentioned = true
					break
				}
			}
		}
		if !mentioned {
			return
		}
	}
	p.notify(sub, inContextSlot(slot, value))
}
