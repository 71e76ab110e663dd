package sdk

import (
	"bytes"
	"fmt"
	"slices"
)

// AccountMeta is one account an instruction uses, with the privileges it needs.
type AccountMeta struct {
	Pubkey     Pubkey
	IsSigner   bool
	IsWritable bool
}

// Instruction is a program call before compilation into a message.
type Instruction struct {
	ProgramID Pubkey
	Accounts  []AccountMeta
	Data      []byte
}

// LookupTable is an address lookup table's key and the addresses it holds, as
// a client knows it when compiling a v0 message.
type LookupTable struct {
	Key       Pubkey
	Addresses []Pubkey
}

// keyMeta is the merged privileges of one account across all instructions.
type keyMeta struct {
	key                           Pubkey
	signer, writable, invokedProg bool
}

// compileKeys merges every account's privileges (signer and writable are ORed
// across instructions; the payer is a writable signer) and orders the keys as
// the Rust SDK does: payer first, then writable signers, read-only signers,
// writable non-signers, read-only non-signers, each group sorted by key bytes.
func compileKeys(payer Pubkey, ixs []Instruction) []keyMeta {
	metas := []keyMeta{{key: payer, signer: true, writable: true}}
	find := func(k Pubkey) *keyMeta {
		for i := range metas {
			if metas[i].key == k {
				return &metas[i]
			}
		}
		metas = append(metas, keyMeta{key: k})
		return &metas[len(metas)-1]
	}
	for _, ix := range ixs {
		find(ix.ProgramID).invokedProg = true
		for _, a := range ix.Accounts {
			m := find(a.Pubkey)
			m.signer = m.signer || a.IsSigner
			m.writable = m.writable || a.IsWritable
		}
	}
	rank := func(m keyMeta) int {
		switch {
		case m.signer && m.writable:
			return 0
		case m.signer:
			return 1
		case m.writable:
			return 2
		}
		return 3
	}
	rest := metas[1:]
	slices.SortFunc(rest, func(a, b keyMeta) int {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra - rb
		}
		return bytes.Compare(a.key[:], b.key[:])
	})
	return metas
}

// NewMessage compiles instructions into a legacy message paid for by payer.
func NewMessage(payer Pubkey, ixs []Instruction, blockhash Hash) (Message, error) {
	metas := compileKeys(payer, ixs)
	m := Message{Version: MessageLegacy, RecentBlockhash: blockhash}
	m.AccountKeys = make([]Pubkey, len(metas))
	for i, km := range metas {
		m.AccountKeys[i] = km.key
	}
	m.Header = headerOf(metas)
	ix, err := compileInstructions(ixs, m.AccountKeys)
	if err != nil {
		return Message{}, err
	}
	m.Instructions = ix
	return m, m.Sanitize()
}

// NewMessageV0 compiles instructions into a v0 message, moving every account
// that a table holds and that is neither a signer nor an invoked program out of
// the static keys and into a lookup, as the Rust SDK does.
func NewMessageV0(payer Pubkey, ixs []Instruction, blockhash Hash, tables []LookupTable) (Message, error) {
	metas := compileKeys(payer, ixs)
	m := Message{Version: MessageV0, RecentBlockhash: blockhash}
	var loadedW, loadedR []Pubkey
	for _, t := range tables {
		l := AddressTableLookup{AccountKey: t.Key}
		take := func(writable bool) ([]uint8, []Pubkey) {
			var idx []uint8
			var keys []Pubkey
			kept := metas[:0]
			for _, km := range metas {
				if !km.signer && !km.invokedProg && km.writable == writable {
					if at := slices.Index(t.Addresses, km.key); at >= 0 && at < 256 {
						idx = append(idx, uint8(at))
						keys = append(keys, km.key)
						continue
					}
				}
				kept = append(kept, km)
			}
			metas = kept
			return idx, keys
		}
		var ks []Pubkey
		l.WritableIndexes, ks = take(true)
		loadedW = append(loadedW, ks...)
		l.ReadonlyIndexes, ks = take(false)
		loadedR = append(loadedR, ks...)
		if len(l.WritableIndexes)+len(l.ReadonlyIndexes) > 0 {
			m.AddressTableLookups = append(m.AddressTableLookups, l)
		}
	}
	m.AccountKeys = make([]Pubkey, len(metas))
	for i, km := range metas {
		m.AccountKeys[i] = km.key
	}
	m.Header = headerOf(metas)
	all := slices.Concat(m.AccountKeys, loadedW, loadedR)
	ix, err := compileInstructions(ixs, all)
	if err != nil {
		return Message{}, err
	}
	m.Instructions = ix
	return m, m.Sanitize()
}

func headerOf(metas []keyMeta) MessageHeader {
	var h MessageHeader
	for _, km := range metas {
		switch {
		case km.signer:
			h.NumRequiredSignatures++
			if !km.writable {
				h.NumReadonlySignedAccounts++
			}
		case !km.writable:
			h.NumReadonlyUnsignedAccounts++
		}
	}
	return h
}

func compileInstructions(ixs []Instruction, keys []Pubkey) ([]CompiledInstruction, error) {
	if len(keys) > MaxAccountKeys {
		return nil, fmt.Errorf("compile: %d account keys, at most %d: %w", len(keys), MaxAccountKeys, ErrSanitizeFailure)
	}
	out := make([]CompiledInstruction, len(ixs))
	for i, ix := range ixs {
		out[i] = CompiledInstruction{
			ProgramIDIndex: uint8(slices.Index(keys, ix.ProgramID)),
			Accounts:       make([]uint8, len(ix.Accounts)),
			Data:           slices.Clone(ix.Data),
		}
		for j, a := range ix.Accounts {
			out[i].Accounts[j] = uint8(slices.Index(keys, a.Pubkey))
		}
	}
	return out, nil
}

// NewTransaction compiles a legacy message and signs it with signers, the
// first of which pays the fee.
func NewTransaction(ixs []Instruction, blockhash Hash, signers ...Keypair) (*Transaction, error) {
	if len(signers) == 0 {
		return nil, fmt.Errorf("new transaction: no fee payer")
	}
	m, err := NewMessage(signers[0].Pubkey(), ixs, blockhash)
	if err != nil {
		return nil, fmt.Errorf("new transaction: %w", err)
	}
	tx := &Transaction{Message: m}
	if err := tx.Sign(signers...); err != nil {
		return nil, fmt.Errorf("new transaction: %w", err)
	}
	return tx, nil
}
