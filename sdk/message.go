package sdk

import "fmt"

// MessageVersion says which message format a transaction uses.
type MessageVersion uint8

const (
	// MessageLegacy is the original format: every account key is in the message.
	MessageLegacy MessageVersion = iota
	// MessageV0 adds address-table lookups.
	MessageV0
)

// versionPrefix marks a versioned message: a legacy message starts with its
// signature count, which is below 128, so a first byte with the high bit set
// carries a version number in its low seven bits instead.
const versionPrefix = 0x80

// MaxAccountKeys is the most accounts a message may reference, static and
// looked up together: instruction account indexes are one byte.
const MaxAccountKeys = 256

// MessageHeader counts the signer and read-only accounts; account keys are
// ordered writable signers, read-only signers, writable non-signers, read-only
// non-signers.
type MessageHeader struct {
	NumRequiredSignatures       uint8
	NumReadonlySignedAccounts   uint8
	NumReadonlyUnsignedAccounts uint8
}

// CompiledInstruction names its program and accounts by index into the
// message's account keys (static keys first, then writable lookups, then
// read-only lookups).
type CompiledInstruction struct {
	ProgramIDIndex uint8
	Accounts       []uint8
	Data           []byte
}

// AddressTableLookup loads accounts from an on-chain address lookup table.
type AddressTableLookup struct {
	AccountKey      Pubkey
	WritableIndexes []uint8
	ReadonlyIndexes []uint8
}

// Message is what a transaction's signatures sign.
type Message struct {
	Version             MessageVersion
	Header              MessageHeader
	AccountKeys         []Pubkey
	RecentBlockhash     Hash
	Instructions        []CompiledInstruction
	AddressTableLookups []AddressTableLookup // v0 only
}

// FeePayer is the first account key, the writable signer that pays the fee.
// It is only meaningful on a sanitized message.
func (m *Message) FeePayer() Pubkey { return m.AccountKeys[0] }

// NumLookupAccounts counts the accounts loaded through address tables.
func (m *Message) NumLookupAccounts() int {
	n := 0
	for i := range m.AddressTableLookups {
		n += len(m.AddressTableLookups[i].WritableIndexes) + len(m.AddressTableLookups[i].ReadonlyIndexes)
	}
	return n
}

// IsSigner reports whether account index i must sign.
func (m *Message) IsSigner(i int) bool { return i < int(m.Header.NumRequiredSignatures) }

// IsWritableIndex reports whether account index i is writable by the
// message's header and lookups, before the runtime demotes program ids and
// reserved accounts to read-only.
func (m *Message) IsWritableIndex(i int) bool {
	h := m.Header
	nStatic := len(m.AccountKeys)
	switch {
	case i < int(h.NumRequiredSignatures):
		return i < int(h.NumRequiredSignatures-h.NumReadonlySignedAccounts)
	case i < nStatic:
		return i < nStatic-int(h.NumReadonlyUnsignedAccounts)
	}
	// Looked-up accounts: all writable ones across tables, then all read-only ones.
	i -= nStatic
	for _, l := range m.AddressTableLookups {
		i -= len(l.WritableIndexes)
	}
	return i < 0
}

// Sanitize applies Agave's message sanitize rules: the header's regions fit the
// keys and leave a writable fee payer; every index is in bounds; no program is
// the fee payer or comes from a lookup table; every lookup loads an account;
// no static key repeats.
func (m *Message) Sanitize() error {
	h := m.Header
	nStatic := len(m.AccountKeys)
	if int(h.NumRequiredSignatures)+int(h.NumReadonlyUnsignedAccounts) > nStatic {
		return fmt.Errorf("header claims %d signers and %d read-only unsigned of %d keys: %w",
			h.NumRequiredSignatures, h.NumReadonlyUnsignedAccounts, nStatic, ErrSanitizeFailure)
	}
	if h.NumReadonlySignedAccounts >= h.NumRequiredSignatures {
		return fmt.Errorf("no writable fee payer (%d signers, %d read-only): %w",
			h.NumRequiredSignatures, h.NumReadonlySignedAccounts, ErrSanitizeFailure)
	}
	nTotal := nStatic
	if m.Version == MessageV0 {
		for i := range m.AddressTableLookups {
			l := &m.AddressTableLookups[i]
			if len(l.WritableIndexes)+len(l.ReadonlyIndexes) == 0 {
				return fmt.Errorf("lookup %d loads no account: %w", i, ErrSanitizeFailure)
			}
			nTotal += len(l.WritableIndexes) + len(l.ReadonlyIndexes)
		}
	} else if len(m.AddressTableLookups) != 0 {
		return fmt.Errorf("legacy message with address table lookups: %w", ErrSanitizeFailure)
	}
	if nTotal > MaxAccountKeys {
		return fmt.Errorf("%d account keys, at most %d: %w", nTotal, MaxAccountKeys, ErrSanitizeFailure)
	}
	for i := range m.Instructions {
		ix := &m.Instructions[i]
		// Programs come from static keys only, so instructions can be checked
		// without loading tables, and index 0 is the fee payer.
		if int(ix.ProgramIDIndex) >= nStatic || ix.ProgramIDIndex == 0 {
			return fmt.Errorf("instruction %d program index %d of %d static keys: %w",
				i, ix.ProgramIDIndex, nStatic, ErrSanitizeFailure)
		}
		for _, a := range ix.Accounts {
			if int(a) >= nTotal {
				return fmt.Errorf("instruction %d account index %d of %d keys: %w", i, a, nTotal, ErrSanitizeFailure)
			}
		}
	}
	if hasDuplicateKeys(m.AccountKeys) {
		return fmt.Errorf("duplicate static account key: %w", ErrAccountLoadedTwice)
	}
	return nil
}

// hasDuplicateKeys compares all pairs: messages hold at most ~35 static keys
// (1,232 bytes), where this beats hashing and allocates nothing. The first
// eight bytes decide almost every pair.
func hasDuplicateKeys(keys []Pubkey) bool {
	for i := 1; i < len(keys); i++ {
		for j := 0; j < i; j++ {
			if keys[i] == keys[j] {
				return true
			}
		}
	}
	return false
}

// AppendBinary appends the wire form of m.
func (m *Message) AppendBinary(dst []byte) ([]byte, error) {
	if m.Version == MessageV0 {
		dst = append(dst, versionPrefix) // version 0
	} else if len(m.AddressTableLookups) != 0 {
		return dst, fmt.Errorf("serialize message: legacy message with address table lookups: %w", ErrMalformed)
	}
	dst = append(dst, m.Header.NumRequiredSignatures, m.Header.NumReadonlySignedAccounts, m.Header.NumReadonlyUnsignedAccounts)
	dst = appendShortU16(dst, len(m.AccountKeys))
	for i := range m.AccountKeys {
		dst = append(dst, m.AccountKeys[i][:]...)
	}
	dst = append(dst, m.RecentBlockhash[:]...)
	dst = appendShortU16(dst, len(m.Instructions))
	for i := range m.Instructions {
		ix := &m.Instructions[i]
		dst = append(dst, ix.ProgramIDIndex)
		dst = appendShortU16(dst, len(ix.Accounts))
		dst = append(dst, ix.Accounts...)
		dst = appendShortU16(dst, len(ix.Data))
		dst = append(dst, ix.Data...)
	}
	if m.Version == MessageV0 {
		dst = appendShortU16(dst, len(m.AddressTableLookups))
		for i := range m.AddressTableLookups {
			l := &m.AddressTableLookups[i]
			dst = append(dst, l.AccountKey[:]...)
			dst = appendShortU16(dst, len(l.WritableIndexes))
			dst = append(dst, l.WritableIndexes...)
			dst = appendShortU16(dst, len(l.ReadonlyIndexes))
			dst = append(dst, l.ReadonlyIndexes...)
		}
	}
	return dst, nil
}

// MarshalBinary returns the wire form of m: the bytes a signer signs.
func (m *Message) MarshalBinary() ([]byte, error) {
	return m.AppendBinary(make([]byte, 0, m.encodedLen()))
}

// encodedLen is the wire length of m, computed without encoding.
func (m *Message) encodedLen() int {
	n := 3 + shortU16Len(len(m.AccountKeys)) + PubkeySize*len(m.AccountKeys) + HashSize + shortU16Len(len(m.Instructions))
	for i := range m.Instructions {
		ix := &m.Instructions[i]
		n += 1 + shortU16Len(len(ix.Accounts)) + len(ix.Accounts) + shortU16Len(len(ix.Data)) + len(ix.Data)
	}
	if m.Version == MessageV0 {
		n += 1 + shortU16Len(len(m.AddressTableLookups))
		for i := range m.AddressTableLookups {
			l := &m.AddressTableLookups[i]
			n += PubkeySize + shortU16Len(len(l.WritableIndexes)) + len(l.WritableIndexes) + shortU16Len(len(l.ReadonlyIndexes)) + len(l.ReadonlyIndexes)
		}
	}
	return n
}
