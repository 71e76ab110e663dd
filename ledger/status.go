package ledger

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/cockroachdb/pebble/v2"
	"github.com/gnomon-chain/gnomon/runtime"
	"github.com/gnomon-chain/gnomon/runtime/invoke"
	"github.com/gnomon-chain/gnomon/sdk"
	"github.com/umbracle/fastrlp"
)

// MaxSignaturesLimit is the most signatures one SignaturesForAddress call
// returns, as Solana's getSignaturesForAddress allows.
const MaxSignaturesLimit = 1000

// ErrInvalidLimit: a signature query asked for more than MaxSignaturesLimit.
var ErrInvalidLimit = errors.New("ledger: invalid limit")

// StatusRecord is a committed transaction's status, what getTransaction and
// getSignatureStatuses report beside the transaction itself.
type StatusRecord struct {
	Signature sdk.Signature
	Slot      uint64
	// Position is the transaction's index in its block.
	Position uint32
	// Err is the JSON form of the runtime.TransactionError (its MarshalJSON),
	// nil on success.
	Err          []byte
	Fee          uint64
	ComputeUnits uint64
	Logs         []string
	// PreBalances and PostBalances are lamports, static keys then loaded keys.
	PreBalances, PostBalances           []uint64
	PreTokenBalances, PostTokenBalances []runtime.TokenBalance
	ReturnData                          invoke.ReturnData
	LoadedAddresses                     runtime.LoadedAddresses
	// AccountKeys are the message's static keys. With LoadedAddresses they
	// are the addresses the signature is indexed under.
	AccountKeys []sdk.Pubkey
	// InnerInstructions are the cross-program invocations, in call order.
	InnerInstructions []invoke.InnerInstruction
}

// StatusFromResult builds a StatusRecord from an executed transaction.
func StatusFromResult(sig sdk.Signature, slot uint64, position uint32, keys []sdk.Pubkey, r *runtime.TxResult) (StatusRecord, error) {
	rec := StatusRecord{
		Signature: sig, Slot: slot, Position: position,
		Fee: r.Fee, ComputeUnits: r.ComputeUnits, Logs: r.Logs,
		PreBalances: r.PreBalances, PostBalances: r.PostBalances,
		PreTokenBalances: r.PreTokenBalances, PostTokenBalances: r.PostTokenBalances,
		ReturnData: r.ReturnData, LoadedAddresses: r.LoadedAddresses, AccountKeys: keys,
		InnerInstructions: r.InnerInstructions,
	}
	if r.Err != nil {
		b, err := r.Err.MarshalJSON()
		if err != nil {
			return StatusRecord{}, fmt.Errorf("status %s: error JSON: %w", sig, err)
		}
		rec.Err = b
	}
	return rec, nil
}

// AddressSignature is one entry of an address's signature history.
type AddressSignature struct {
	Signature sdk.Signature
	Slot      uint64
	Position  uint32
	// Err is the transaction error's JSON, nil on success.
	Err []byte
}

// SignatureQuery pages through an address's signatures, newest first.
type SignatureQuery struct {
	// Before, when set, starts the page just after (older than) this signature.
	Before *sdk.Signature
	// Until, when set, ends the page just before this signature.
	Until *sdk.Signature
	// Limit is the page size, 1..MaxSignaturesLimit; 0 means the maximum.
	Limit int
	// Visible, when set, filters slots (for example, rooted only for
	// finalized commitment).
	Visible func(slot uint64) bool
}

// WriteStatuses stores a slot's transaction statuses and their address
// index entries in one batch, without fsync: they are derived data, made
// durable by the synced root batch that follows (the WAL is sequential),
// and rewritten by replay after a crash before that.
func (l *Ledger) WriteStatuses(slot uint64, recs []StatusRecord) error {
	if len(recs) == 0 {
		return nil
	}
	if err := l.usable(); err != nil {
		return fmt.Errorf("write statuses slot %d: %w", slot, err)
	}
	b := l.db.NewBatch()
	e := newEncoder()
	defer e.release()
	var val, key []byte
	for i := range recs {
		r := &recs[i]
		if r.Slot != slot {
			_ = b.Close()
			return fmt.Errorf("write statuses slot %d: status %s is for slot %d", slot, r.Signature, r.Slot)
		}
		val = encodeStatus(e, val[:0], r)
		if err := b.Set(statusKey(r.Signature, slot), val, nil); err != nil {
			_ = b.Close()
			return fmt.Errorf("write statuses slot %d: %w", slot, err)
		}
		err := forEachAddress(r, func(a sdk.Pubkey) error {
			key = addressKey(key[:0], a, slot, r.Position, r.Signature)
			return b.Set(key, r.Err, nil)
		})
		if err != nil {
			_ = b.Close()
			return fmt.Errorf("write statuses slot %d: index: %w", slot, err)
		}
	}
	return l.commit(b, pebble.NoSync, fmt.Sprintf("write statuses slot %d", slot))
}

// forEachAddress calls fn once per distinct address the status names.
func forEachAddress(r *StatusRecord, fn func(sdk.Pubkey) error) error {
	lists := [3][]sdk.Pubkey{r.AccountKeys, r.LoadedAddresses.Writable, r.LoadedAddresses.Readonly}
	for li, list := range lists {
	next:
		for i, a := range list {
			// Messages hold few keys: a linear scan beats a map here.
			for lj := 0; lj <= li; lj++ {
				prev := lists[lj]
				if lj == li {
					prev = prev[:i]
				}
				for _, p := range prev {
					if p == a {
						continue next
					}
				}
			}
			if err := fn(a); err != nil {
				return err
			}
		}
	}
	return nil
}

// GetStatus returns the status of sig. A transaction on two forks has two;
// the rooted one wins, else the highest slot.
func (l *Ledger) GetStatus(sig sdk.Signature) (StatusRecord, error) {
	slot, v, err := l.findStatus(sig)
	if err != nil {
		return StatusRecord{}, err
	}
	p := parsers.Get()
	defer parsers.Put(p)
	r, err := decodeStatus(p, v)
	if err != nil {
		return StatusRecord{}, fmt.Errorf("status %s slot %d: %w", sig, slot, err)
	}
	return r, nil
}

// findStatus picks sig's status value.
func (l *Ledger) findStatus(sig sdk.Signature) (uint64, []byte, error) {
	lower := append([]byte{prefixStatus}, sig[:]...)
	it, err := l.iter(lower, prefixEnd(lower))
	if err != nil {
		return 0, nil, fmt.Errorf("status %s: %w", sig, err)
	}
	defer it.Close()
	var best []byte
	var bestSlot uint64
	bestRooted := false
	for ok := it.Last(); ok; ok = it.Prev() {
		k := it.Key()
		if len(k) != statusKeyLen {
			return 0, nil, fmt.Errorf("status %s: %w: key length %d", sig, ErrCorrupt, len(k))
		}
		slot := binary.BigEndian.Uint64(k[1+sdk.SignatureSize:])
		// A dead slot's statuses (a block abandoned after a crash, or one
		// that failed replay) describe nothing that happened.
		if m, err := l.SlotMeta(slot); err == nil && m.Dead {
			continue
		}
		rooted, err := l.IsRoot(slot)
		if err != nil {
			return 0, nil, err
		}
		if best == nil || (rooted && !bestRooted) {
			v, err := it.ValueAndErr()
			if err != nil {
				return 0, nil, fmt.Errorf("status %s: %w", sig, err)
			}
			best, bestSlot, bestRooted = bytes.Clone(v), slot, rooted
		}
		if bestRooted {
			break
		}
	}
	if err := it.Error(); err != nil {
		return 0, nil, fmt.Errorf("status %s: %w", sig, err)
	}
	if best == nil {
		return 0, nil, fmt.Errorf("status %s: %w", sig, ErrStatusNotFound)
	}
	return bestSlot, best, nil
}

// statusPosition returns the slot and position sig's status resolves to.
func (l *Ledger) statusPosition(sig sdk.Signature) (uint64, uint32, bool, error) {
	r, err := l.GetStatus(sig)
	if errors.Is(err, ErrStatusNotFound) {
		return 0, 0, false, nil
	}
	if err != nil {
		return 0, 0, false, err
	}
	return r.Slot, r.Position, true, nil
}

// SignaturesForAddress lists addr's signatures newest first (slot
// descending, then position in block descending), paged by q as Solana's
// getSignaturesForAddress: an unknown Before gives an empty page, an
// unknown Until is no bound.
func (l *Ledger) SignaturesForAddress(addr sdk.Pubkey, q SignatureQuery) ([]AddressSignature, error) {
	limit := q.Limit
	if limit == 0 {
		limit = MaxSignaturesLimit
	}
	if limit < 0 || limit > MaxSignaturesLimit {
		return nil, fmt.Errorf("signatures for %s: %w: %d (1..%d)", addr, ErrInvalidLimit, q.Limit, MaxSignaturesLimit)
	}
	prefix := append([]byte{prefixAddress}, addr[:]...)
	lower, upper := prefix, prefixEnd(prefix)
	if q.Before != nil {
		slot, pos, ok, err := l.statusPosition(*q.Before)
		if err != nil {
			return nil, fmt.Errorf("signatures for %s: before: %w", addr, err)
		}
		if !ok {
			return nil, nil
		}
		// The smallest key after Before's own: newer entries sort first.
		lower = append(addressKey(nil, addr, slot, pos, *q.Before), 0)
	}
	if q.Until != nil {
		slot, pos, ok, err := l.statusPosition(*q.Until)
		if err != nil {
			return nil, fmt.Errorf("signatures for %s: until: %w", addr, err)
		}
		if ok {
			upper = addressKey(nil, addr, slot, pos, *q.Until)
		}
	}
	if bytes.Compare(lower, upper) >= 0 {
		return nil, nil
	}
	it, err := l.iter(lower, upper)
	if err != nil {
		return nil, fmt.Errorf("signatures for %s: %w", addr, err)
	}
	defer it.Close()
	var out []AddressSignature
	for ok := it.First(); ok && len(out) < limit; ok = it.Next() {
		slot, pos, sig, valid := parseAddressKey(it.Key())
		if !valid {
			return nil, fmt.Errorf("signatures for %s: %w: index key", addr, ErrCorrupt)
		}
		if q.Visible != nil && !q.Visible(slot) {
			continue
		}
		if m, err := l.SlotMeta(slot); err == nil && m.Dead {
			continue // an abandoned block's transactions never happened
		}
		v, err := it.ValueAndErr()
		if err != nil {
			return nil, fmt.Errorf("signatures for %s: %w", addr, err)
		}
		as := AddressSignature{Signature: sig, Slot: slot, Position: pos}
		if len(v) > 0 {
			as.Err = bytes.Clone(v)
		}
		out = append(out, as)
	}
	if err := it.Error(); err != nil {
		return nil, fmt.Errorf("signatures for %s: %w", addr, err)
	}
	return out, nil
}

const statusFields = 15

// encodeStatus appends r's RLP to dst and resets the arena.
func encodeStatus(e encoder, dst []byte, r *StatusRecord) []byte {
	defer e.a.Reset()
	v := e.list()
	v.Set(e.bytes(r.Signature[:]))
	v.Set(e.uint(r.Slot))
	v.Set(e.uint(uint64(r.Position)))
	v.Set(e.bytes(r.Err))
	v.Set(e.uint(r.Fee))
	v.Set(e.uint(r.ComputeUnits))
	logs := e.list()
	for _, s := range r.Logs {
		logs.Set(e.a.NewCopyBytes([]byte(s)))
	}
	v.Set(logs)
	v.Set(encodeUints(e, r.PreBalances))
	v.Set(encodeUints(e, r.PostBalances))
	v.Set(encodeTokenBalances(e, r.PreTokenBalances))
	v.Set(encodeTokenBalances(e, r.PostTokenBalances))
	rd := e.list()
	rd.Set(e.bytes(r.ReturnData.ProgramID[:]))
	rd.Set(e.bytes(r.ReturnData.Data))
	v.Set(rd)
	la := e.list()
	la.Set(encodePubkeys(e, r.LoadedAddresses.Writable))
	la.Set(encodePubkeys(e, r.LoadedAddresses.Readonly))
	v.Set(la)
	v.Set(encodePubkeys(e, r.AccountKeys))
	inner := e.list()
	for i := range r.InnerInstructions {
		in := &r.InnerInstructions[i]
		iv := e.list()
		iv.Set(e.uint(uint64(in.TopLevel)))
		iv.Set(e.uint(uint64(in.ProgramIDIndex)))
		iv.Set(e.bytes(in.Accounts))
		iv.Set(e.bytes(in.Data))
		iv.Set(e.uint(uint64(in.StackHeight)))
		inner.Set(iv)
	}
	v.Set(inner)
	return v.MarshalTo(dst)
}

func encodeUints(e encoder, us []uint64) *fastrlp.Value {
	l := e.list()
	for _, u := range us {
		l.Set(e.uint(u))
	}
	return l
}

func encodePubkeys(e encoder, ks []sdk.Pubkey) *fastrlp.Value {
	l := e.list()
	for i := range ks {
		l.Set(e.bytes(ks[i][:]))
	}
	return l
}

func encodeTokenBalances(e encoder, tbs []runtime.TokenBalance) *fastrlp.Value {
	l := e.list()
	for i := range tbs {
		t := &tbs[i]
		v := e.list()
		v.Set(e.uint(uint64(t.AccountIndex)))
		v.Set(e.bytes(t.Mint[:]))
		v.Set(e.bytes(t.Owner[:]))
		v.Set(e.bytes(t.ProgramID[:]))
		v.Set(e.uint(t.Amount))
		v.Set(e.uint(uint64(t.Decimals)))
		l.Set(v)
	}
	return l
}

// DecodeStatus parses a stored status record. It never panics, whatever
// the bytes.
func DecodeStatus(b []byte) (StatusRecord, error) {
	p := parsers.Get()
	defer parsers.Put(p)
	return decodeStatus(p, b)
}

func decodeStatus(p *fastrlp.Parser, b []byte) (StatusRecord, error) {
	f := parseList(p, b, statusFields)
	var r StatusRecord
	f.fixed(0, r.Signature[:])
	r.Slot = f.u64(1)
	r.Position = f.u32(2)
	r.Err = f.bytes(3)
	r.Fee = f.u64(4)
	r.ComputeUnits = f.u64(5)
	logs := f.list(6, 0)
	for i := 0; f.err == nil && i < logs.len(); i++ {
		r.Logs = append(r.Logs, string(logs.raw(i)))
		f.take(&logs)
	}
	r.PreBalances = decodeUints(&f, 7)
	r.PostBalances = decodeUints(&f, 8)
	r.PreTokenBalances = decodeTokenBalances(&f, 9)
	r.PostTokenBalances = decodeTokenBalances(&f, 10)
	rd := f.list(11, 2)
	rd.fixed(0, r.ReturnData.ProgramID[:])
	r.ReturnData.Data = rd.bytes(1)
	f.take(&rd)
	la := f.list(12, 2)
	r.LoadedAddresses.Writable = decodePubkeys(&la, 0)
	r.LoadedAddresses.Readonly = decodePubkeys(&la, 1)
	f.take(&la)
	r.AccountKeys = decodePubkeys(&f, 13)
	inner := f.list(14, 0)
	for i := 0; f.err == nil && inner.err == nil && i < inner.len(); i++ {
		iv := inner.list(i, 5)
		in := invoke.InnerInstruction{TopLevel: iv.u8(0), ProgramIDIndex: iv.u8(1), Accounts: iv.bytes(2),
			Data: iv.bytes(3), StackHeight: iv.u8(4)}
		inner.take(&iv)
		r.InnerInstructions = append(r.InnerInstructions, in)
	}
	f.take(&inner)
	if f.err != nil {
		return StatusRecord{}, f.err
	}
	return r, nil
}

// take moves a nested list's error into f.
func (f *fields) take(sub *fields) {
	if f.err == nil && sub.err != nil {
		f.err = sub.err
	}
}

func decodeUints(f *fields, i int) []uint64 {
	l := f.list(i, 0)
	var out []uint64
	for j := 0; l.err == nil && j < l.len(); j++ {
		out = append(out, l.u64(j))
	}
	f.take(&l)
	return out
}

func decodePubkeys(f *fields, i int) []sdk.Pubkey {
	l := f.list(i, 0)
	var out []sdk.Pubkey
	for j := 0; l.err == nil && j < l.len(); j++ {
		var k sdk.Pubkey
		l.fixed(j, k[:])
		out = append(out, k)
	}
	f.take(&l)
	return out
}

func decodeTokenBalances(f *fields, i int) []runtime.TokenBalance {
	l := f.list(i, 0)
	var out []runtime.TokenBalance
	for j := 0; l.err == nil && j < l.len(); j++ {
		t := l.list(j, 6)
		var tb runtime.TokenBalance
		tb.AccountIndex = t.u8(0)
		t.fixed(1, tb.Mint[:])
		t.fixed(2, tb.Owner[:])
		t.fixed(3, tb.ProgramID[:])
		tb.Amount = t.u64(4)
		tb.Decimals = t.u8(5)
		l.take(&t)
		out = append(out, tb)
	}
	f.take(&l)
	return out
}
