package sdk

import (
	"fmt"
)

// MaxTransactionSize is the largest serialized transaction: an IPv6 minimum MTU
// (1,280) less the IPv6 and UDP headers, Solana's PACKET_DATA_SIZE.
const MaxTransactionSize = 1232

// Transaction is a message and the signatures of its required signers, in the
// order of the message's first account keys.
//
// A Transaction filled by Decode or ParseTransaction aliases the input bytes:
// instruction data, instruction account indexes, lookup indexes and the signed
// message bytes are sub-slices of it, which is what keeps parsing at a constant
// number of allocations. The caller must not modify those bytes while the
// Transaction is in use, and should treat a parsed Transaction as read-only.
type Transaction struct {
	Signatures []Signature
	Message    Message

	// messageBytes is the signed part of the wire form when the Transaction was
	// decoded, so signature checks hash exactly what arrived without re-encoding.
	messageBytes []byte
}

// ParseTransaction decodes and sanitizes a wire-format transaction. Every error
// wraps ErrMalformed and says what is wrong.
func ParseTransaction(b []byte) (*Transaction, error) {
	tx := new(Transaction)
	if err := tx.Decode(b); err != nil {
		return nil, err
	}
	return tx, nil
}

// Decode parses and sanitizes b into tx, reusing tx's slices, so a stage that
// decodes into the same Transaction allocates nothing in steady state. On error
// tx holds no usable transaction.
func (tx *Transaction) Decode(b []byte) error {
	if err := tx.decode(b); err != nil {
		tx.clear()
		return err
	}
	return nil
}

func (tx *Transaction) decode(b []byte) error {
	tx.messageBytes = nil
	if len(b) > MaxTransactionSize {
		return fmt.Errorf("transaction of %d bytes, at most %d: %w", len(b), MaxTransactionSize, ErrTooLarge)
	}
	d := decoder{b: b}
	nSigs := d.length("signature count")
	if d.err == nil && nSigs*SignatureSize > d.remaining() {
		d.fail("signature count %d exceeds the input", nSigs)
	}
	if d.err != nil {
		return d.err
	}
	tx.Signatures = resize(tx.Signatures, nSigs)
	for i := range tx.Signatures {
		copy(tx.Signatures[i][:], d.take(SignatureSize))
	}
	msgStart := d.off
	if err := d.message(&tx.Message); err != nil {
		return err
	}
	if d.off != len(b) {
		return fmt.Errorf("%d trailing bytes after the message: %w", len(b)-d.off, ErrMalformed)
	}
	if err := tx.Sanitize(); err != nil {
		return err
	}
	tx.messageBytes = b[msgStart:]
	return nil
}

// clear empties tx but keeps its slices' arrays for the next Decode, so a
// failed Decode leaves nothing of an earlier transaction behind.
func (tx *Transaction) clear() {
	m := &tx.Message
	*tx = Transaction{
		Signatures: tx.Signatures[:0],
		Message: Message{
			AccountKeys:         m.AccountKeys[:0],
			Instructions:        m.Instructions[:0],
			AddressTableLookups: m.AddressTableLookups[:0],
		},
	}
}

// Sanitize checks the signature count against the header and then the
// message's own rules, as Agave does before it looks at any signature.
func (tx *Transaction) Sanitize() error {
	if err := tx.Message.Sanitize(); err != nil {
		return err
	}
	want := int(tx.Message.Header.NumRequiredSignatures)
	if len(tx.Signatures) != want {
		return fmt.Errorf("%d signatures for %d required signers: %w", len(tx.Signatures), want, ErrSanitizeFailure)
	}
	return nil
}

// ID is the transaction's first signature, which names it in RPC and the
// status cache. It is only meaningful on a sanitized transaction.
func (tx *Transaction) ID() Signature { return tx.Signatures[0] }

// MessageBytes returns the bytes the signatures sign: the ones that arrived if
// tx was decoded, else a fresh encoding of tx.Message.
func (tx *Transaction) MessageBytes() ([]byte, error) {
	if tx.messageBytes != nil {
		return tx.messageBytes, nil
	}
	return tx.Message.MarshalBinary()
}

// AppendBinary appends the wire form of tx.
func (tx *Transaction) AppendBinary(dst []byte) ([]byte, error) {
	dst = appendShortU16(dst, len(tx.Signatures))
	for i := range tx.Signatures {
		dst = append(dst, tx.Signatures[i][:]...)
	}
	if tx.messageBytes != nil {
		return append(dst, tx.messageBytes...), nil
	}
	return tx.Message.AppendBinary(dst)
}

// MarshalBinary returns the wire form of tx.
func (tx *Transaction) MarshalBinary() ([]byte, error) {
	n := shortU16Len(len(tx.Signatures)) + SignatureSize*len(tx.Signatures) + tx.Message.encodedLen()
	return tx.AppendBinary(make([]byte, 0, n))
}

// Sign fills tx.Signatures from signers, which must cover exactly the message's
// required signers (in any order).
func (tx *Transaction) Sign(signers ...Keypair) error {
	msg, err := tx.Message.MarshalBinary()
	if err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	n := int(tx.Message.Header.NumRequiredSignatures)
	if n > len(tx.Message.AccountKeys) {
		return fmt.Errorf("sign: %d required signers of %d keys: %w", n, len(tx.Message.AccountKeys), ErrSanitizeFailure)
	}
	sigs := make([]Signature, n)
	for i := 0; i < n; i++ {
		key := tx.Message.AccountKeys[i]
		found := false
		for _, s := range signers {
			if s.Pubkey() == key {
				sigs[i] = s.Sign(msg)
				found = true
				break
			}
		}
		if !found {
			return fmt.Errorf("sign: no keypair for signer %d (%s)", i, key)
		}
	}
	if len(signers) > n {
		return fmt.Errorf("sign: %d keypairs for %d signers", len(signers), n)
	}
	tx.Signatures = sigs
	tx.messageBytes = nil
	return nil
}

// VerifySignatures checks every signature against its signer under the
// signature rule; use a BatchVerifier to check many transactions at once.
func (tx *Transaction) VerifySignatures() error {
	msg, err := tx.MessageBytes()
	if err != nil {
		return err
	}
	if len(tx.Signatures) > len(tx.Message.AccountKeys) {
		return fmt.Errorf("%d signatures for %d keys: %w", len(tx.Signatures), len(tx.Message.AccountKeys), ErrSanitizeFailure)
	}
	for i := range tx.Signatures {
		if !Verify(tx.Message.AccountKeys[i], msg, tx.Signatures[i]) {
			return fmt.Errorf("signature %d (%s): %w", i, tx.Signatures[i], ErrSignatureFailure)
		}
	}
	return nil
}

// resize returns s with length n, reusing its array when it is large enough.
func resize[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n)
}

// decoder reads the wire format front to back and keeps the first error, so the
// parsing code reads as a straight list of fields.
type decoder struct {
	b   []byte
	off int
	err error
}

func (d *decoder) remaining() int { return len(d.b) - d.off }

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("at byte %d: "+format+": %w", append([]any{d.off}, append(args, ErrMalformed)...)...)
	}
}

func (d *decoder) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n > d.remaining() {
		d.fail("need %d bytes, %d left", n, d.remaining())
		return nil
	}
	s := d.b[d.off : d.off+n : d.off+n]
	d.off += n
	return s
}

func (d *decoder) byte1(what string) byte {
	if d.err != nil {
		return 0
	}
	if d.remaining() < 1 {
		d.fail("truncated %s", what)
		return 0
	}
	c := d.b[d.off]
	d.off++
	return c
}

func (d *decoder) length(what string) int {
	if d.err != nil {
		return 0
	}
	v, n := decodeShortU16(d.b[d.off:])
	if n == 0 {
		if d.err == nil {
			d.err = fmt.Errorf("at byte %d: %s: %w", d.off, what, ErrShortVec)
		}
		return 0
	}
	d.off += n
	return v
}

// bytes reads a compact-u16 length and that many bytes.
func (d *decoder) bytes(what string) []byte {
	n := d.length(what)
	return d.take(n)
}

func (d *decoder) message(m *Message) error {
	first := d.byte1("message header")
	if d.err != nil {
		return d.err
	}
	m.Version = MessageLegacy
	if first&versionPrefix != 0 {
		if v := first &^ versionPrefix; v != 0 {
			return fmt.Errorf("message version %d: %w", v, ErrUnsupportedVersion)
		}
		m.Version = MessageV0
		first = d.byte1("message header")
	}
	m.Header.NumRequiredSignatures = first
	m.Header.NumReadonlySignedAccounts = d.byte1("message header")
	m.Header.NumReadonlyUnsignedAccounts = d.byte1("message header")

	nKeys := d.length("account key count")
	if d.err == nil && nKeys*PubkeySize > d.remaining() {
		d.fail("account key count %d exceeds the input", nKeys)
	}
	if d.err != nil {
		return d.err
	}
	m.AccountKeys = resize(m.AccountKeys, nKeys)
	for i := range m.AccountKeys {
		copy(m.AccountKeys[i][:], d.take(PubkeySize))
	}
	copy(m.RecentBlockhash[:], d.take(HashSize))

	// Every instruction takes at least three bytes, which bounds the count
	// before we size a slice by it.
	nIx := d.length("instruction count")
	if d.err == nil && nIx*3 > d.remaining() {
		d.fail("instruction count %d exceeds the input", nIx)
	}
	if d.err != nil {
		return d.err
	}
	m.Instructions = resize(m.Instructions, nIx)
	for i := range m.Instructions {
		ix := &m.Instructions[i]
		ix.ProgramIDIndex = d.byte1("program index")
		ix.Accounts = d.bytes("instruction accounts")
		ix.Data = d.bytes("instruction data")
	}
	m.AddressTableLookups = m.AddressTableLookups[:0]
	if m.Version == MessageV0 {
		// A lookup takes at least 34 bytes.
		nLookups := d.length("lookup count")
		if d.err == nil && nLookups*(PubkeySize+2) > d.remaining() {
			d.fail("lookup count %d exceeds the input", nLookups)
		}
		if d.err != nil {
			return d.err
		}
		m.AddressTableLookups = resize(m.AddressTableLookups, nLookups)
		for i := range m.AddressTableLookups {
			l := &m.AddressTableLookups[i]
			copy(l.AccountKey[:], d.take(PubkeySize))
			l.WritableIndexes = d.bytes("writable lookup indexes")
			l.ReadonlyIndexes = d.bytes("read-only lookup indexes")
		}
	}
	return d.err
}
