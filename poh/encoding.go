package poh

import (
	"errors"
	"fmt"

	"github.com/gnomon-chain/gnomon/sdk"
	"github.com/umbracle/fastrlp"
)

// The wire form of a block's entries (DESIGN.md: node-to-node data is RLP):
//
//	entries     = [entry, ...]
//	entry       = [num_hashes, hash, [tx, ...]]
//	num_hashes  = RLP unsigned integer (big-endian, no leading zeros; 0 is 0x80)
//	hash        = 32 bytes
//	tx          = a transaction in Solana's wire format, as a byte string
//
// Only the canonical encoding decodes, so EncodeEntries(DecodeEntries(b)) == b
// for every b that decodes, and two nodes never disagree about what bytes a
// block's entries are.

// Bounds on what DecodeEntries accepts, checked before anything is allocated
// for the values.
const (
	// MaxEntriesSize is the largest encoding DecodeEntries reads: a generous
	// slot (Agave's 32,768 data shreds of about 1 KB are 32 MiB) with room.
	MaxEntriesSize = 64 << 20

	// minTransactionSize is less than any transaction that parses (one compact
	// length byte and the fee payer's signature), so a block cannot make the
	// decoder allocate a transaction per byte.
	minTransactionSize = 1 + sdk.SignatureSize
)

// EncodeEntries returns the RLP encoding of entries. It fails only if a
// transaction cannot be serialized (sdk.Transaction.AppendBinary refuses it).
func EncodeEntries(entries []Entry) ([]byte, error) {
	// A fresh Arena per call: a pooled fastrlp Arena reuses values whose byte
	// slices may alias what an earlier NewBytes was given (here, entry
	// hashes), and NewUint appends into them.
	var a fastrlp.Arena
	var txBytes []byte
	list := a.NewArray()
	for i := range entries {
		e := &entries[i]
		ev := a.NewArray()
		ev.Set(a.NewUint(e.NumHashes))
		ev.Set(a.NewBytes(e.Hash[:]))
		txs := a.NewArray()
		for j, tx := range e.Transactions {
			start := len(txBytes)
			var err error
			if txBytes, err = tx.AppendBinary(txBytes); err != nil {
				return nil, fmt.Errorf("poh: encode entry %d transaction %d: %w", i, j, err)
			}
			// Earlier slices stay valid when txBytes grows: they keep the old
			// array, whose bytes are never written again.
			txs.Set(a.NewBytes(txBytes[start:len(txBytes):len(txBytes)]))
		}
		ev.Set(txs)
		list.Set(ev)
	}
	return list.MarshalTo(nil), nil
}

// DecodeEntries parses the RLP encoding of a block's entries. Every error
// wraps ErrMalformedEntries; one caused by a transaction that does not parse
// wraps sdk.ErrMalformed too. It never panics, on any bytes: the framing is
// checked first without recursion and against the bounds above, and only then
// handed to fastrlp. The transactions alias a private copy of b, so the caller
// may reuse b.
func DecodeEntries(b []byte) ([]Entry, error) {
	if len(b) > MaxEntriesSize {
		return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrMalformedEntries, len(b), MaxEntriesSize)
	}
	nEntries, nTxs, err := checkEntriesFraming(b)
	if err != nil {
		return nil, err
	}
	// A fresh Parser per call: it copies b, and the parsed transactions alias
	// that copy, so it must never be reused.
	var p fastrlp.Parser
	v, err := p.Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedEntries, err)
	}
	elems, err := v.GetElems()
	if err != nil || len(elems) != nEntries {
		return nil, fmt.Errorf("%w: framing and parse disagree", ErrMalformedEntries)
	}
	entries := make([]Entry, nEntries)
	txs := make([]sdk.Transaction, nTxs)
	ptrs := make([]*sdk.Transaction, nTxs)
	for i := range ptrs {
		ptrs[i] = &txs[i]
	}
	for i, ev := range elems {
		e := &entries[i]
		if err := decodeEntry(ev, e, &ptrs); err != nil {
			return nil, fmt.Errorf("entry %d: %w", i, err)
		}
	}
	return entries, nil
}

// decodeEntry fills e from an entry value whose shape checkEntriesFraming has
// already checked, taking its transactions from the front of *txs.
func decodeEntry(v *fastrlp.Value, e *Entry, txs *[]*sdk.Transaction) error {
	fields, err := v.GetElems()
	if err != nil || len(fields) != 3 {
		return fmt.Errorf("%w: entry is not a list of 3", ErrMalformedEntries)
	}
	if e.NumHashes, err = fields[0].GetUint64(); err != nil {
		return fmt.Errorf("%w: num_hashes: %v", ErrMalformedEntries, err)
	}
	hash, err := fields[1].Bytes()
	if err != nil || len(hash) != sdk.HashSize {
		return fmt.Errorf("%w: hash is not %d bytes", ErrMalformedEntries, sdk.HashSize)
	}
	copy(e.Hash[:], hash)
	txvs, err := fields[2].GetElems()
	if err != nil || len(txvs) > len(*txs) {
		return fmt.Errorf("%w: transactions", ErrMalformedEntries)
	}
	if len(txvs) == 0 {
		return nil
	}
	e.Transactions = (*txs)[:len(txvs):len(txvs)]
	*txs = (*txs)[len(txvs):]
	for j, tv := range txvs {
		raw, err := tv.Bytes()
		if err != nil {
			return fmt.Errorf("%w: transaction %d is not a byte string", ErrMalformedEntries, j)
		}
		if err := e.Transactions[j].Decode(raw); err != nil {
			return fmt.Errorf("%w: transaction %d: %w", ErrMalformedEntries, j, err)
		}
	}
	return nil
}

// errFraming is the cause inside ErrMalformedEntries for RLP that is not the
// canonical encoding of the entries' shape.
var errFraming = errors.New("bad framing")

// checkEntriesFraming walks b without recursion and checks that it is exactly
// one canonical RLP list of entries, each a list of a canonical integer of at
// most 8 bytes, a 32-byte string and a list of byte strings no shorter than
// minTransactionSize and no longer than sdk.MaxTransactionSize. It returns how
// many entries and transactions there are. Because the nesting is at most three
// lists deep and every value spans a stated minimum of bytes, fastrlp's
// recursive parser may then run on b: its recursion is bounded and it
// allocates O(len(b)/minTransactionSize) values.
func checkEntriesFraming(b []byte) (nEntries, nTxs int, err error) {
	fail := func(off int, format string, args ...any) (int, int, error) {
		return 0, 0, fmt.Errorf("%w: at byte %d: %w: %s", ErrMalformedEntries, off, errFraming, fmt.Sprintf(format, args...))
	}
	isList, start, end, herr := rlpHeader(b, 0)
	if herr != "" {
		return fail(0, "%s", herr)
	}
	if !isList || end != len(b) {
		return fail(0, "not a single list")
	}
	for off := start; off < end; {
		isList, estart, eend, herr := rlpHeader(b[:end], off)
		if herr != "" {
			return fail(off, "%s", herr)
		}
		if !isList {
			return fail(off, "entry %d is not a list", nEntries)
		}
		// num_hashes
		isList, s, e, herr := rlpHeader(b[:eend], estart)
		switch {
		case herr != "":
			return fail(estart, "entry %d num_hashes: %s", nEntries, herr)
		case isList || e-s > 8:
			return fail(estart, "entry %d num_hashes is not an integer of at most 8 bytes", nEntries)
		case e > s && b[s] == 0:
			return fail(estart, "entry %d num_hashes has a leading zero", nEntries)
		}
		// hash
		hoff := e
		isList, s, e, herr = rlpHeader(b[:eend], hoff)
		if herr != "" || isList || e-s != sdk.HashSize {
			return fail(hoff, "entry %d hash is not %d bytes", nEntries, sdk.HashSize)
		}
		// transactions
		toff := e
		isList, s, e, herr = rlpHeader(b[:eend], toff)
		if herr != "" || !isList || e != eend {
			return fail(toff, "entry %d does not end with its transaction list", nEntries)
		}
		for x := s; x < e; {
			isList, ts, te, herr := rlpHeader(b[:e], x)
			if herr != "" || isList {
				return fail(x, "entry %d transaction is not a byte string", nEntries)
			}
			if n := te - ts; n < minTransactionSize || n > sdk.MaxTransactionSize {
				return 0, 0, fmt.Errorf("%w: at byte %d: entry %d: transaction of %d bytes: %w",
					ErrMalformedEntries, x, nEntries, n, sdk.ErrMalformed)
			}
			nTxs++
			x = te
		}
		nEntries++
		off = eend
	}
	return nEntries, nTxs, nil
}

// rlpHeader reads the canonical RLP header at b[off:] and returns whether the
// item is a list and where its payload starts and ends within b. A non-empty
// reason means the header is truncated, non-canonical, or claims more bytes
// than b holds.
func rlpHeader(b []byte, off int) (isList bool, start, end int, reason string) {
	if off >= len(b) {
		return false, 0, 0, "truncated"
	}
	c := b[off]
	var size uint64
	switch {
	case c < 0x80:
		return false, off, off + 1, ""
	case c < 0xb8:
		size, start = uint64(c-0x80), off+1
		if size == 1 && start < len(b) && b[start] < 0x80 {
			return false, 0, 0, "single byte below 0x80 in a string header"
		}
	case c < 0xc0:
		size, start, reason = rlpLongSize(b, off, int(c-0xb7))
	case c < 0xf8:
		isList, size, start = true, uint64(c-0xc0), off+1
	default:
		isList = true
		size, start, reason = rlpLongSize(b, off, int(c-0xf7))
	}
	if reason != "" {
		return false, 0, 0, reason
	}
	if size > uint64(len(b)-start) {
		return false, 0, 0, "length beyond the enclosing item"
	}
	return isList, start, start + int(size), ""
}

// rlpLongSize reads the n-byte length of a long-form header at b[off].
func rlpLongSize(b []byte, off, n int) (size uint64, start int, reason string) {
	if len(b)-off-1 < n {
		return 0, 0, "truncated length"
	}
	if b[off+1] == 0 {
		return 0, 0, "length with a leading zero"
	}
	for _, c := range b[off+1 : off+1+n] {
		size = size<<8 | uint64(c)
	}
	if size < 56 {
		return 0, 0, "long form for a short length"
	}
	return size, off + 1 + n, ""
}
