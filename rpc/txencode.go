package rpc

import (
	"encoding/base64"
	"encoding/json"

	"github.com/mr-tron/base58"

	"github.com/gnomon-chain/gnomon/ledger"
	"github.com/gnomon-chain/gnomon/rpc/parsed"
	gnrt "github.com/gnomon-chain/gnomon/runtime"
	"github.com/gnomon-chain/gnomon/runtime/invoke"
	"github.com/gnomon-chain/gnomon/sdk"
)

// txEncoding is how getTransaction and getBlock render a transaction.
type txEncoding uint8

const (
	txJSON txEncoding = iota
	txJSONParsed
	txBase64
	txBase58
)

func parseTxEncoding(s *string) (txEncoding, *Error) {
	if s == nil {
		return txJSON, nil
	}
	switch *s {
	case "json":
		return txJSON, nil
	case "jsonParsed":
		return txJSONParsed, nil
	case "base64":
		return txBase64, nil
	case "base58", "binary":
		return txBase58, nil
	}
	return 0, invalidParams("Invalid params: unknown variant `%s`, expected one of `binary`, `base64`, `base58`, `json`, `jsonParsed`", *s)
}

type uiHeader struct {
	NumRequiredSignatures       uint8 `json:"numRequiredSignatures"`
	NumReadonlySignedAccounts   uint8 `json:"numReadonlySignedAccounts"`
	NumReadonlyUnsignedAccounts uint8 `json:"numReadonlyUnsignedAccounts"`
}

type uiCompiledInstruction struct {
	ProgramIDIndex uint8   `json:"programIdIndex"`
	Accounts       uint8s  `json:"accounts"`
	Data           string  `json:"data"`
	StackHeight    *uint32 `json:"stackHeight"`
}

type uiLookup struct {
	AccountKey      string `json:"accountKey"`
	WritableIndexes uint8s `json:"writableIndexes"`
	ReadonlyIndexes uint8s `json:"readonlyIndexes"`
}

type uiMessage struct {
	AccountKeys         []any      `json:"accountKeys"`
	Header              *uiHeader  `json:"header,omitempty"`
	RecentBlockhash     string     `json:"recentBlockhash"`
	Instructions        []any      `json:"instructions"`
	AddressTableLookups []uiLookup `json:"addressTableLookups,omitempty"`
}

type uiTransaction struct {
	Signatures []string  `json:"signatures"`
	Message    uiMessage `json:"message"`
}

type uiParsedKey struct {
	Pubkey   string `json:"pubkey"`
	Signer   bool   `json:"signer"`
	Writable bool   `json:"writable"`
	Source   string `json:"source"`
}

type uiRawInstruction struct {
	ProgramID   string   `json:"programId"`
	Accounts    []string `json:"accounts"`
	Data        string   `json:"data"`
	StackHeight *uint32  `json:"stackHeight"`
}

type uiLoaded struct {
	Writable []string `json:"writable"`
	Readonly []string `json:"readonly"`
}

type uiReturnData struct {
	ProgramID string    `json:"programId"`
	Data      [2]string `json:"data"`
}

type uiMeta struct {
	Err                  json.RawMessage       `json:"err"`
	Status               map[string]any        `json:"status"`
	Fee                  uint64                `json:"fee"`
	PreBalances          []uint64              `json:"preBalances"`
	PostBalances         []uint64              `json:"postBalances"`
	InnerInstructions    []any                 `json:"innerInstructions"`
	LogMessages          []string              `json:"logMessages"`
	PreTokenBalances     []parsed.TokenBalance `json:"preTokenBalances"`
	PostTokenBalances    []parsed.TokenBalance `json:"postTokenBalances"`
	Rewards              []any                 `json:"rewards"`
	LoadedAddresses      *uiLoaded             `json:"loadedAddresses,omitempty"`
	ReturnData           *uiReturnData         `json:"returnData,omitempty"`
	ComputeUnitsConsumed uint64                `json:"computeUnitsConsumed"`
}

// txWithMeta is one transaction of getBlock, or getTransaction's result
// without slot and time.
type txWithMeta struct {
	Transaction any     `json:"transaction"`
	Meta        *uiMeta `json:"meta"`
	Version     any     `json:"version,omitempty"`
}

func pubkeyStrings(ks []sdk.Pubkey) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = k.String()
	}
	return out
}

func errJSON(raw []byte) json.RawMessage {
	if len(raw) == 0 {
		return json.RawMessage("null")
	}
	return json.RawMessage(raw)
}

func statusJSON(raw []byte) map[string]any {
	if len(raw) == 0 {
		return map[string]any{"Ok": nil}
	}
	return map[string]any{"Err": json.RawMessage(raw)}
}

func tokenBalances(tbs []gnrt.TokenBalance) []parsed.TokenBalance {
	out := make([]parsed.TokenBalance, len(tbs))
	for i, tb := range tbs {
		out[i] = parsed.TokenBalance{AccountIndex: tb.AccountIndex, Mint: tb.Mint.String(), Owner: tb.Owner.String(),
			ProgramID: tb.ProgramID.String(), UITokenAmount: parsed.NewTokenAmount(tb.Amount, tb.Decimals)}
	}
	return out
}

// encodeMeta renders a stored status as Solana's transaction meta; enc
// decides whether inner instructions are parsed.
func encodeMeta(st *ledger.StatusRecord, enc txEncoding) *uiMeta {
	keys := append(append(append([]sdk.Pubkey(nil), st.AccountKeys...), st.LoadedAddresses.Writable...), st.LoadedAddresses.Readonly...)
	m := &uiMeta{Err: errJSON(st.Err), Status: statusJSON(st.Err), Fee: st.Fee,
		PreBalances: orEmpty(st.PreBalances), PostBalances: orEmpty(st.PostBalances),
		InnerInstructions: innerInstructions(st.InnerInstructions, keys, enc == txJSONParsed), LogMessages: orEmptyStrings(st.Logs),
		PreTokenBalances: tokenBalances(st.PreTokenBalances), PostTokenBalances: tokenBalances(st.PostTokenBalances),
		Rewards: []any{}, ComputeUnitsConsumed: st.ComputeUnits,
		LoadedAddresses: &uiLoaded{Writable: pubkeyStrings(st.LoadedAddresses.Writable), Readonly: pubkeyStrings(st.LoadedAddresses.Readonly)}}
	if len(st.ReturnData.Data) > 0 || !st.ReturnData.ProgramID.IsZero() {
		m.ReturnData = &uiReturnData{ProgramID: st.ReturnData.ProgramID.String(),
			Data: [2]string{base64.StdEncoding.EncodeToString(st.ReturnData.Data), "base64"}}
	}
	return m
}

// uiInner is one top-level instruction's cross-program invocations.
type uiInner struct {
	Index        uint8 `json:"index"`
	Instructions []any `json:"instructions"`
}

// innerInstructions groups invocations by their top-level instruction, in
// the compiled form (indexes, base58 data) or, when parsedForm, as
// jsonParsed shows instructions.
func innerInstructions(inner []invoke.InnerInstruction, keys []sdk.Pubkey, parsedForm bool) []any {
	out := []any{}
	var cur *uiInner
	for i := range inner {
		in := &inner[i]
		if cur == nil || cur.Index != in.TopLevel {
			out = append(out, &uiInner{Index: in.TopLevel})
			cur = out[len(out)-1].(*uiInner)
		}
		height := uint32(in.StackHeight)
		if !parsedForm {
			cur.Instructions = append(cur.Instructions, uiCompiledInstruction{ProgramIDIndex: in.ProgramIDIndex,
				Accounts: in.Accounts, Data: base58.Encode(in.Data), StackHeight: &height})
			continue
		}
		if int(in.ProgramIDIndex) >= len(keys) {
			continue
		}
		accts := make([]sdk.Pubkey, 0, len(in.Accounts))
		for _, a := range in.Accounts {
			if int(a) < len(keys) {
				accts = append(accts, keys[a])
			}
		}
		cur.Instructions = append(cur.Instructions, parseInstructionAt(keys[in.ProgramIDIndex], accts, in.Data, &height))
	}
	return out
}

func orEmpty(xs []uint64) []uint64 {
	if xs == nil {
		return []uint64{}
	}
	return xs
}

func orEmptyStrings(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

// encodeTransaction renders tx as enc asks. loaded are the addresses a v0
// message looked up (for jsonParsed's account list).
func encodeTransaction(tx *sdk.Transaction, enc txEncoding, loaded gnrt.LoadedAddresses) (any, error) {
	switch enc {
	case txBase64, txBase58:
		raw, err := tx.MarshalBinary()
		if err != nil {
			return nil, err
		}
		if enc == txBase58 {
			return [2]string{base58.Encode(raw), "base58"}, nil
		}
		return [2]string{base64.StdEncoding.EncodeToString(raw), "base64"}, nil
	}
	m := &tx.Message
	ui := uiTransaction{Signatures: make([]string, len(tx.Signatures))}
	for i, sig := range tx.Signatures {
		ui.Signatures[i] = sig.String()
	}
	ui.Message.RecentBlockhash = m.RecentBlockhash.String()
	if m.Version == sdk.MessageV0 {
		ui.Message.AddressTableLookups = make([]uiLookup, len(m.AddressTableLookups))
		for i, l := range m.AddressTableLookups {
			ui.Message.AddressTableLookups[i] = uiLookup{AccountKey: l.AccountKey.String(),
				WritableIndexes: l.WritableIndexes, ReadonlyIndexes: l.ReadonlyIndexes}
		}
	}
	if enc == txJSON {
		ui.Message.Header = &uiHeader{NumRequiredSignatures: m.Header.NumRequiredSignatures,
			NumReadonlySignedAccounts: m.Header.NumReadonlySignedAccounts, NumReadonlyUnsignedAccounts: m.Header.NumReadonlyUnsignedAccounts}
		ui.Message.AccountKeys = make([]any, len(m.AccountKeys))
		for i, k := range m.AccountKeys {
			ui.Message.AccountKeys[i] = k.String()
		}
		ui.Message.Instructions = make([]any, len(m.Instructions))
		for i, ix := range m.Instructions {
			ui.Message.Instructions[i] = uiCompiledInstruction{ProgramIDIndex: ix.ProgramIDIndex,
				Accounts: ix.Accounts, Data: base58.Encode(ix.Data)}
		}
		if m.Version == sdk.MessageV0 && ui.Message.AddressTableLookups == nil {
			ui.Message.AddressTableLookups = []uiLookup{}
		}
		return jsonTx{ui, m.Version == sdk.MessageV0}, nil
	}
	// jsonParsed: every key with its role, then instructions parsed where a
	// parser knows the program.
	all := append(append(append([]sdk.Pubkey(nil), m.AccountKeys...), loaded.Writable...), loaded.Readonly...)
	ui.Message.AccountKeys = make([]any, 0, len(all))
	for i, k := range all {
		src := "transaction"
		writable := m.IsWritableIndex(i)
		if i >= len(m.AccountKeys) {
			src = "lookupTable"
			writable = i < len(m.AccountKeys)+len(loaded.Writable)
		}
		ui.Message.AccountKeys = append(ui.Message.AccountKeys, uiParsedKey{Pubkey: k.String(),
			Signer: i < int(m.Header.NumRequiredSignatures), Writable: writable, Source: src})
	}
	ui.Message.Instructions = make([]any, len(m.Instructions))
	for i, ix := range m.Instructions {
		if int(ix.ProgramIDIndex) >= len(all) {
			continue
		}
		accts := make([]sdk.Pubkey, 0, len(ix.Accounts))
		for _, a := range ix.Accounts {
			if int(a) < len(all) {
				accts = append(accts, all[a])
			}
		}
		ui.Message.Instructions[i] = parseInstruction(all[ix.ProgramIDIndex], accts, ix.Data)
	}
	return jsonTx{ui, m.Version == sdk.MessageV0}, nil
}

// jsonTx keeps addressTableLookups off legacy messages and on v0 ones,
// even when empty: web3.js builds a MessageV0 from it.
type jsonTx struct {
	uiTransaction
	v0 bool
}

func (t jsonTx) MarshalJSON() ([]byte, error) {
	if !t.v0 {
		return json.Marshal(t.uiTransaction)
	}
	type withLookups struct {
		AccountKeys         []any      `json:"accountKeys"`
		Header              *uiHeader  `json:"header,omitempty"`
		RecentBlockhash     string     `json:"recentBlockhash"`
		Instructions        []any      `json:"instructions"`
		AddressTableLookups []uiLookup `json:"addressTableLookups"`
	}
	m := t.Message
	if m.AddressTableLookups == nil {
		m.AddressTableLookups = []uiLookup{}
	}
	return json.Marshal(struct {
		Signatures []string    `json:"signatures"`
		Message    withLookups `json:"message"`
	}{t.Signatures, withLookups(m)})
}

// uint8s marshal as JSON arrays of numbers (never null), where
// encoding/json would write a byte slice as base64.
type uint8s []uint8

func (b uint8s) MarshalJSON() ([]byte, error) {
	out := make([]byte, 0, 2+4*len(b))
	out = append(out, '[')
	for i, x := range b {
		if i > 0 {
			out = append(out, ',')
		}
		out = appendUint(out, uint64(x))
	}
	return append(out, ']'), nil
}

func appendUint(b []byte, x uint64) []byte {
	var buf [20]byte
	i := len(buf)
	for {
		i--
		buf[i] = byte('0' + x%10)
		x /= 10
		if x == 0 {
			break
		}
	}
	return append(b, buf[i:]...)
}

// version is "legacy" or 0, as maxSupportedTransactionVersion callers see.
func txVersion(tx *sdk.Transaction) any {
	if tx.Message.Version == sdk.MessageV0 {
		return 0
	}
	return "legacy"
}
