package poh

import (
	"bytes"
	"errors"
	"testing"

	"github.com/gnomon-chain/gnomon/sdk"
)

func encode(t testing.TB, es []Entry) []byte {
	t.Helper()
	b, err := EncodeEntries(es)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sameEntries compares entries field by field, transactions by wire bytes.
func sameEntries(t testing.TB, got, want []Entry) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d entries, want %d", len(got), len(want))
	}
	for i := range got {
		g, w := &got[i], &want[i]
		if g.NumHashes != w.NumHashes || g.Hash != w.Hash || len(g.Transactions) != len(w.Transactions) {
			t.Fatalf("entry %d: got %d/%s/%d txs, want %d/%s/%d txs", i,
				g.NumHashes, g.Hash, len(g.Transactions), w.NumHashes, w.Hash, len(w.Transactions))
		}
		for j := range g.Transactions {
			gb, err1 := g.Transactions[j].MarshalBinary()
			wb, err2 := w.Transactions[j].MarshalBinary()
			if err1 != nil || err2 != nil || !bytes.Equal(gb, wb) {
				t.Fatalf("entry %d transaction %d differs (%v, %v)", i, j, err1, err2)
			}
		}
	}
}

func TestEntriesRoundTrip(t *testing.T) {
	start, entries := testChain(t, 300, 7)
	entries = append(entries, Entry{NumHashes: 1 << 40, Hash: sdk.Hash{1}}, Entry{NumHashes: 0})
	b := encode(t, entries)
	got, err := DecodeEntries(b)
	if err != nil {
		t.Fatal(err)
	}
	sameEntries(t, got, entries)
	if err := Verify(start, got[:len(got)-2], 2); err != nil {
		t.Fatalf("decoded chain does not verify: %v", err)
	}
	if again := encode(t, got); !bytes.Equal(again, b) {
		t.Fatal("encode(decode(b)) != b")
	}
	// The decoded transactions alias a private copy: clobbering b changes
	// nothing.
	clear(b)
	sameEntries(t, got, entries)
}

func TestEntriesEncodingIsTheDocumentedRLP(t *testing.T) {
	h := sdk.Hash{0: 0xaa, 31: 0xbb}
	got := encode(t, []Entry{{NumHashes: 5, Hash: h}, {NumHashes: 0x1234, Hash: h}})
	entry := func(n []byte) []byte {
		e := append(n, 0xa0)
		e = append(e, h[:]...)
		e = append(e, 0xc0)
		return append([]byte{0xc0 + byte(len(e))}, e...)
	}
	e1, e2 := entry([]byte{0x05}), entry([]byte{0x82, 0x12, 0x34})
	want := append([]byte{0xf8, byte(len(e1) + len(e2))}, append(e1, e2...)...)
	if !bytes.Equal(got, want) {
		t.Fatalf("got  %x\nwant %x", got, want)
	}
	if got := encode(t, nil); !bytes.Equal(got, []byte{0xc0}) {
		t.Fatalf("no entries: got %x, want c0", got)
	}
}

func TestDecodeEntriesRejectsMalformedInput(t *testing.T) {
	_, entries := testChain(t, 40, 2)
	good := encode(t, entries)
	h := bytes.Repeat([]byte{7}, 32)
	entry := func(fields ...byte) []byte { return append([]byte{0xc0 + byte(len(fields))}, fields...) }
	hashField := append([]byte{0xa0}, h...)
	tick := func(n ...byte) []byte { return entry(append(append(n, hashField...), 0xc0)...) }
	list := func(items ...[]byte) []byte {
		body := bytes.Join(items, nil)
		if len(body) < 56 {
			return append([]byte{0xc0 + byte(len(body))}, body...)
		}
		return append([]byte{0xf8, byte(len(body))}, body...)
	}
	deep := bytes.Repeat([]byte{0xf8, 0x38}, 1<<16) // nesting fastrlp would recurse into
	cases := map[string][]byte{
		"empty":                    {},
		"not a list":               {0x80},
		"trailing byte":            append(bytes.Clone(good), 0),
		"truncated":                good[:len(good)-1],
		"entry not a list":         list([]byte{0x05}),
		"num_hashes leading zero":  list(tick(0x82, 0x00, 0x05)),
		"num_hashes single 0x00":   list(tick(0x00)),
		"num_hashes non-canonical": list(tick(0x81, 0x05)),
		"num_hashes 9 bytes":       list(tick(0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9)),
		"hash 31 bytes":            list(entry(append(append([]byte{0x01, 0x9f}, h[:31]...), 0xc0)...)),
		"no transaction list":      list(entry(append([]byte{0x01}, hashField...)...)),
		"extra field":              list(entry(append(append([]byte{0x01}, hashField...), 0xc0, 0x01)...)),
		"long form short length":   {0xf8, 0x01, 0xc0},
		"length leading zero":      {0xf9, 0x00, 0x38},
		"length 2^64-1":            {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		"deep nesting":             deep,
	}
	for name, b := range cases {
		if _, err := DecodeEntries(b); !errors.Is(err, ErrMalformedEntries) {
			t.Errorf("%s: got %v, want ErrMalformedEntries", name, err)
		}
	}
}

func TestDecodeEntriesRejectsAMalformedTransaction(t *testing.T) {
	tx := testTx(t, 1)
	raw, err := tx.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	good, err := DecodeEntries(frameOne(raw, sdk.Hash{3}))
	if err != nil {
		t.Fatalf("the hand framing is wrong: %v", err)
	}
	sameEntries(t, good, []Entry{{NumHashes: 1, Hash: sdk.Hash{3}, Transactions: []*sdk.Transaction{tx}}})
	for name, bad := range map[string][]byte{
		"short":            raw[:10],
		"truncated":        raw[:len(raw)-1],
		"bad header count": func() []byte { b := bytes.Clone(raw); b[1+64] = 9; return b }(),
	} {
		_, err := DecodeEntries(frameOne(bad, sdk.Hash{3}))
		if !errors.Is(err, sdk.ErrMalformed) || !errors.Is(err, ErrMalformedEntries) {
			t.Errorf("%s: got %v, want sdk.ErrMalformed and ErrMalformedEntries", name, err)
		}
	}
}

// frameOne is the encoding of one entry with num_hashes 1 and the given bytes
// as its only transaction, framed by hand.
func frameOne(tx []byte, h sdk.Hash) []byte {
	str := rlpHead(0x80, len(tx), tx)
	txs := rlpHead(0xc0, len(str), str)
	body := append(append([]byte{0x01, 0xa0}, h[:]...), txs...)
	ent := rlpHead(0xc0, len(body), body)
	return rlpHead(0xc0, len(ent), ent)
}

func rlpHead(base byte, n int, payload []byte) []byte {
	if n == 1 && base == 0x80 && payload[0] < 0x80 {
		return bytes.Clone(payload)
	}
	if n < 56 {
		return append([]byte{base + byte(n)}, payload...)
	}
	var l []byte
	for v := n; v > 0; v >>= 8 {
		l = append([]byte{byte(v)}, l...)
	}
	return append(append([]byte{base + 55 + byte(len(l))}, l...), payload...)
}

func TestDecodeEntriesRefusesOversizedInput(t *testing.T) {
	b := make([]byte, MaxEntriesSize+1)
	if _, err := DecodeEntries(b); !errors.Is(err, ErrMalformedEntries) {
		t.Fatalf("got %v", err)
	}
}

// FuzzDecodeEntries: decoding never panics, every rejection wraps
// ErrMalformedEntries, and whatever decodes encodes back to exactly the input
// and decodes again to the same entries.
func FuzzDecodeEntries(f *testing.F) {
	_, entries := testChain(f, 20, 3)
	f.Add(encode(f, entries))
	f.Add(encode(f, entries[:1]))
	f.Add(encode(f, nil))
	f.Add(encode(f, []Entry{{NumHashes: 1<<64 - 1, Hash: sdk.Hash{1}}}))
	f.Add(frameOne(bytes.Repeat([]byte{1}, 70), sdk.Hash{}))
	f.Add([]byte{0xf8, 0x38, 0xf8, 0x38})
	f.Fuzz(func(t *testing.T, data []byte) {
		es, err := DecodeEntries(data)
		if err != nil {
			if !errors.Is(err, ErrMalformedEntries) {
				t.Fatalf("rejection does not wrap ErrMalformedEntries: %v", err)
			}
			return
		}
		out, err := EncodeEntries(es)
		if err != nil {
			t.Fatalf("decoded entries do not encode: %v", err)
		}
		if !bytes.Equal(out, data) {
			t.Fatalf("encode(decode(x)) != x\n x  %x\n got %x", data, out)
		}
		again, err := DecodeEntries(out)
		if err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		sameEntries(t, again, es)
	})
}
