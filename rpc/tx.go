package rpc

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/mr-tron/base58"

	"github.com/gnomon-chain/gnomon/ledger"
	gnrt "github.com/gnomon-chain/gnomon/runtime"
	"github.com/gnomon-chain/gnomon/sdk"
)

// Agave's bounds on an encoded transaction: the base58 and base64 lengths
// of the largest wire transaction.
const (
	maxBase58Tx = 1683
	maxBase64Tx = 1644
)

// decodeWire decodes and sanitizes an encoded transaction as Agave's
// decode_and_deserialize does, with its messages.
func decodeWire(data string, encoding *string) ([]byte, *sdk.Transaction, *Error) {
	enc := "base58"
	if encoding != nil {
		enc = *encoding
	}
	var raw []byte
	var err error
	switch enc {
	case "base58":
		if len(data) > maxBase58Tx {
			return nil, nil, invalidParams("base58 encoded solana_sdk::transaction::versioned::VersionedTransaction too large: %d bytes (max: encoded/raw %d/%d)",
				len(data), maxBase58Tx, sdk.MaxTransactionSize)
		}
		raw, err = base58.Decode(data)
	case "base64":
		if len(data) > maxBase64Tx {
			return nil, nil, invalidParams("base64 encoded solana_sdk::transaction::versioned::VersionedTransaction too large: %d bytes (max: encoded/raw %d/%d)",
				len(data), maxBase64Tx, sdk.MaxTransactionSize)
		}
		raw, err = base64.StdEncoding.DecodeString(data)
	default:
		return nil, nil, invalidParams("unsupported encoding: %s. Supported encodings: base58, base64", enc)
	}
	if err != nil {
		return nil, nil, invalidParams("failed to decode string as %s: %v", enc, err)
	}
	tx, err := sdk.ParseTransaction(raw)
	if err != nil {
		return nil, nil, invalidParams("invalid transaction: %v", err)
	}
	return raw, tx, nil
}

// verifySignatures applies the one signature rule to every signature.
func verifySignatures(tx *sdk.Transaction) bool {
	msg, err := tx.MessageBytes()
	if err != nil {
		return false
	}
	for i, sig := range tx.Signatures {
		if !sdk.Verify(tx.Message.AccountKeys[i], msg, sig) {
			return false
		}
	}
	return true
}

// simulationResult is simulateTransaction's value and the data of a
// failed preflight.
type simulationResult struct {
	Err                    json.RawMessage `json:"err"`
	Logs                   []string        `json:"logs"`
	Accounts               []*uiAccount    `json:"accounts"`
	UnitsConsumed          uint64          `json:"unitsConsumed"`
	ReturnData             *uiReturnData   `json:"returnData"`
	InnerInstructions      []any           `json:"innerInstructions"`
	ReplacementBlockhash   *blockhashInfo  `json:"replacementBlockhash"`
	LoadedAccountsDataSize uint32          `json:"loadedAccountsDataSize"`
	Fee                    *uint64         `json:"fee"`
	PreBalances            []uint64        `json:"preBalances"`
	PostBalances           []uint64        `json:"postBalances"`
}

type blockhashInfo struct {
	Blockhash            string `json:"blockhash"`
	LastValidBlockHeight uint64 `json:"lastValidBlockHeight"`
}

func simulationOf(sim *gnrt.Simulation) simulationResult {
	r := &sim.Result
	out := simulationResult{Err: json.RawMessage("null"), Logs: orEmptyStrings(r.Logs), UnitsConsumed: r.ComputeUnits,
		PreBalances: r.PreBalances, PostBalances: r.PostBalances}
	if r.Err != nil {
		b, _ := r.Err.MarshalJSON()
		out.Err = b
	}
	if r.Committed {
		fee := r.Fee
		out.Fee = &fee
	}
	if len(r.ReturnData.Data) > 0 {
		out.ReturnData = &uiReturnData{ProgramID: r.ReturnData.ProgramID.String(),
			Data: [2]string{base64.StdEncoding.EncodeToString(r.ReturnData.Data), "base64"}}
	}
	return out
}

func sendTransaction(s *Server, ctx context.Context, p params) (any, *Error) {
	data, err := p.str(0)
	if err != nil {
		return nil, err
	}
	var cfg struct {
		SkipPreflight       bool    `json:"skipPreflight"`
		PreflightCommitment *string `json:"preflightCommitment"`
		Encoding            *string `json:"encoding"`
		MaxRetries          *uint64 `json:"maxRetries"`
		MinContextSlot      *uint64 `json:"minContextSlot"`
	}
	if err := p.decode(1, &cfg); err != nil {
		return nil, err
	}
	raw, tx, err := decodeWire(data, cfg.Encoding)
	if err != nil {
		return nil, err
	}
	bank, err := s.bankAt(commitmentConfig{Commitment: cfg.PreflightCommitment, MinContextSlot: cfg.MinContextSlot})
	if err != nil {
		return nil, err
	}
	if !cfg.SkipPreflight {
		if !verifySignatures(tx) {
			return nil, &Error{Code: codeTxSignatureVerification, Message: "Transaction signature verification failure"}
		}
		sim := bank.Simulate(tx)
		if sim.Result.Err != nil {
			return nil, &Error{Code: codeSendTxPreflightFailure,
				Message: "Transaction simulation failed: " + sim.Result.Err.Error(), Data: simulationOf(&sim)}
		}
	}
	// Expiry is judged where the blockhash is best known: the processed bank.
	lastValid := bank.BlockHeight() + s.cfg.Genesis.MaxProcessingAge
	s.sender.enqueue(pendingTx{raw: raw, sig: tx.Signatures[0], blockhash: tx.Message.RecentBlockhash,
		lastValid: lastValid, maxRetries: cfg.MaxRetries})
	return tx.Signatures[0].String(), nil
}

func simulateTransaction(s *Server, _ context.Context, p params) (any, *Error) {
	data, err := p.str(0)
	if err != nil {
		return nil, err
	}
	var cfg struct {
		commitmentConfig
		SigVerify              bool    `json:"sigVerify"`
		ReplaceRecentBlockhash bool    `json:"replaceRecentBlockhash"`
		Encoding               *string `json:"encoding"`
		Accounts               *struct {
			Addresses []string `json:"addresses"`
			Encoding  *string  `json:"encoding"`
		} `json:"accounts"`
		InnerInstructions bool `json:"innerInstructions"`
	}
	if err := p.decode(1, &cfg); err != nil {
		return nil, err
	}
	if cfg.SigVerify && cfg.ReplaceRecentBlockhash {
		return nil, invalidParams("sigVerify may not be used with replaceRecentBlockhash")
	}
	_, tx, err := decodeWire(data, cfg.Encoding)
	if err != nil {
		return nil, err
	}
	bank, err := s.bankAt(cfg.commitmentConfig)
	if err != nil {
		return nil, err
	}
	if cfg.SigVerify && !verifySignatures(tx) {
		return nil, &Error{Code: codeTxSignatureVerification, Message: "Transaction signature verification failure"}
	}
	var replacement *blockhashInfo
	if cfg.ReplaceRecentBlockhash {
		tx.Message.RecentBlockhash = bank.LastBlockhash()
		replacement = &blockhashInfo{Blockhash: bank.LastBlockhash().String(),
			LastValidBlockHeight: bank.BlockHeight() + s.cfg.Genesis.MaxProcessingAge}
	}
	var enc accountEncoding = encBase64
	var addrs []sdk.Pubkey
	if cfg.Accounts != nil {
		if len(cfg.Accounts.Addresses) > maxMultipleAccounts {
			return nil, invalidParams("Too many accounts provided; max %d", maxMultipleAccounts)
		}
		if enc, err = parseAccountEncoding(cfg.Accounts.Encoding, encBase64); err != nil {
			return nil, err
		}
		if enc == encBinary || enc == encBase58 {
			return nil, invalidParams("base58 encoding not supported")
		}
		for _, a := range cfg.Accounts.Addresses {
			k, err := parsePubkey(a)
			if err != nil {
				return nil, err
			}
			addrs = append(addrs, k)
		}
	}
	sim := bank.Simulate(tx)
	out := simulationOf(&sim)
	out.ReplacementBlockhash = replacement
	if cfg.InnerInstructions {
		// Agave reports simulated inner instructions parsed.
		keys := append(append(append([]sdk.Pubkey(nil), tx.Message.AccountKeys...),
			sim.Result.LoadedAddresses.Writable...), sim.Result.LoadedAddresses.Readonly...)
		out.InnerInstructions = innerInstructions(sim.Result.InnerInstructions, keys, true)
	}
	if cfg.Accounts != nil && sim.Result.Err == nil {
		out.Accounts = make([]*uiAccount, len(addrs))
		for i, k := range addrs {
			if a := sim.PostAccount(k); a != nil {
				ui, err := encodeAccount(bank, k, a, enc, nil)
				if err != nil {
					return nil, err
				}
				out.Accounts[i] = &ui
			}
		}
	}
	return inContext(bank.Slot(), out), nil
}

func getFeeForMessage(s *Server, _ context.Context, p params) (any, *Error) {
	data, err := p.str(0)
	if err != nil {
		return nil, err
	}
	msg, derr := base64.StdEncoding.DecodeString(data)
	if derr != nil || len(msg) == 0 {
		return nil, invalidParams("invalid message: failed to decode base64")
	}
	// A message is a transaction without its signatures: prefix as many
	// empty ones as the header asks for, and the transaction parser
	// sanitizes it.
	hdr := msg[0]
	if hdr&0x80 != 0 {
		if len(msg) < 2 {
			return nil, invalidParams("invalid message: too short")
		}
		hdr = msg[1]
	}
	if hdr >= 0x80 {
		return nil, invalidParams("invalid message: bad header")
	}
	wire := make([]byte, 0, 1+int(hdr)*sdk.SignatureSize+len(msg))
	wire = append(wire, hdr)
	wire = append(wire, make([]byte, int(hdr)*sdk.SignatureSize)...)
	wire = append(wire, msg...)
	tx, perr := sdk.ParseTransaction(wire)
	if perr != nil {
		return nil, invalidParams("invalid message: %v", perr)
	}
	b, err := s.bankFor(p, 1)
	if err != nil {
		return nil, err
	}
	fee, ok := b.FeeFor(&tx.Message)
	if !ok {
		return inContext(b.Slot(), nil), nil
	}
	return inContext(b.Slot(), fee), nil
}

type signatureStatus struct {
	Slot               uint64          `json:"slot"`
	Confirmations      *uint64         `json:"confirmations"`
	Err                json.RawMessage `json:"err"`
	Status             map[string]any  `json:"status"`
	ConfirmationStatus string          `json:"confirmationStatus"`
}

// recentStatusSlots is how far back getSignatureStatuses looks without
// searchTransactionHistory: Agave answers those from its status cache,
// which spans about this many slots.
const recentStatusSlots = 300

func getSignatureStatuses(s *Server, _ context.Context, p params) (any, *Error) {
	if err := p.need(1); err != nil {
		return nil, err
	}
	var sigs []string
	if err := p.decode(0, &sigs); err != nil {
		return nil, err
	}
	if len(sigs) > maxSignatureStatuses {
		return nil, invalidParams("Too many inputs provided; max %d", maxSignatureStatuses)
	}
	var cfg struct {
		SearchTransactionHistory bool `json:"searchTransactionHistory"`
	}
	if err := p.decode(1, &cfg); err != nil {
		return nil, err
	}
	snap := s.state.Load()
	out := make([]*signatureStatus, len(sigs))
	for i, ss := range sigs {
		sig, err := parseSignature(ss)
		if err != nil {
			return nil, err
		}
		st, found, lerr := s.visibleStatus(snap, sig, processed)
		if lerr != nil {
			return nil, internalError(lerr)
		}
		if !found {
			continue
		}
		if !cfg.SearchTransactionHistory && st.Slot+recentStatusSlots < snap.processed.Slot() {
			continue
		}
		level, _ := snap.statusOf(st.Slot)
		out[i] = &signatureStatus{Slot: st.Slot, Err: errJSON(st.Err), Status: statusJSON(st.Err),
			ConfirmationStatus: level.String()}
		if level != finalized {
			n := snap.processed.Slot() - st.Slot
			out[i].Confirmations = &n
		}
	}
	return inContext(snap.processed.Slot(), out), nil
}

// visibleStatus returns sig's stored status if its slot has reached at
// least level in snap and is on the node's fork.
func (s *Server) visibleStatus(snap *snapshot, sig sdk.Signature, level commitment) (ledger.StatusRecord, bool, error) {
	st, err := s.cfg.Ledger.GetStatus(sig)
	if errors.Is(err, ledger.ErrStatusNotFound) {
		return st, false, nil
	}
	if err != nil {
		return st, false, err
	}
	if !s.onFork(snap, st.Slot, level) {
		return st, false, nil
	}
	return st, true, nil
}

// onFork reports whether slot is a block of the node's fork that has
// reached level: rooted, or a live bank at or below the level's slot.
func (s *Server) onFork(snap *snapshot, slot uint64, level commitment) bool {
	at, ok := snap.statusOf(slot)
	if !ok || at < level {
		return false
	}
	if slot <= snap.finalized.Slot() {
		rooted, err := s.cfg.Ledger.IsRoot(slot)
		return err == nil && (rooted || slot == 0)
	}
	return s.cfg.Forks.Get(slot) != nil || slot <= s.cfg.Forks.Root().Slot()
}

// historyConfig is the config of getTransaction and getBlock.
type historyConfig struct {
	Commitment                     *string `json:"commitment"`
	Encoding                       *string `json:"encoding"`
	MaxSupportedTransactionVersion *uint8  `json:"maxSupportedTransactionVersion"`
	TransactionDetails             *string `json:"transactionDetails"`
	Rewards                        *bool   `json:"rewards"`
}

// decode reads the config at parameter i (Solana also accepts a bare
// encoding string there) and returns its commitment and encoding.
func (c *historyConfig) decode(p params, i int) (commitment, txEncoding, *Error) {
	if p.has(i) && len(p[i]) > 0 && p[i][0] == '"' {
		var e string
		if err := p.decode(i, &e); err != nil {
			return 0, 0, err
		}
		c.Encoding = &e
	} else if err := p.decode(i, c); err != nil {
		return 0, 0, err
	}
	level, err := historyCommitment(c.Commitment)
	if err != nil {
		return 0, 0, err
	}
	enc, err := parseTxEncoding(c.Encoding)
	return level, enc, err
}

// historyCommitment parses the commitment of a method that refuses
// processed (getTransaction, getBlock, getSignaturesForAddress).
func historyCommitment(c *string) (commitment, *Error) {
	if c == nil {
		return finalized, nil
	}
	level, err := parseCommitment(*c)
	if err != nil {
		return 0, err
	}
	if level == processed {
		return 0, invalidParams("Method does not support commitment below `confirmed`")
	}
	return level, nil
}

func getTransaction(s *Server, _ context.Context, p params) (any, *Error) {
	ss, err := p.str(0)
	if err != nil {
		return nil, err
	}
	sig, err := parseSignature(ss)
	if err != nil {
		return nil, err
	}
	var cfg historyConfig
	level, enc, err := cfg.decode(p, 1)
	if err != nil {
		return nil, err
	}
	snap := s.state.Load()
	st, found, lerr := s.visibleStatus(snap, sig, level)
	if lerr != nil {
		return nil, internalError(lerr)
	}
	if !found {
		return nil, nil
	}
	blk, berr := s.blocks.get(s, st.Slot)
	if berr != nil {
		return nil, internalError(berr)
	}
	if int(st.Position) >= len(blk.txs) || blk.txs[st.Position].Signatures[0] != sig {
		return nil, internalError(fmt.Errorf("status of %s names position %d of slot %d, which holds another transaction", sig, st.Position, st.Slot))
	}
	tx := blk.txs[st.Position]
	if tx.Message.Version == sdk.MessageV0 && cfg.MaxSupportedTransactionVersion == nil {
		return nil, unsupportedVersion()
	}
	ui, eerr := encodeTransaction(tx, enc, st.LoadedAddresses)
	if eerr != nil {
		return nil, internalError(eerr)
	}
	out := map[string]any{"slot": st.Slot, "blockTime": blk.blockTime, "meta": encodeMeta(&st, enc),
		"transaction": ui}
	if cfg.MaxSupportedTransactionVersion != nil {
		out["version"] = txVersion(tx)
	}
	return out, nil
}

type addressSignature struct {
	Signature          string          `json:"signature"`
	Slot               uint64          `json:"slot"`
	Err                json.RawMessage `json:"err"`
	Memo               *string         `json:"memo"`
	BlockTime          *int64          `json:"blockTime"`
	ConfirmationStatus string          `json:"confirmationStatus"`
}

func getSignaturesForAddress(s *Server, _ context.Context, p params) (any, *Error) {
	addr, err := p.pubkey(0)
	if err != nil {
		return nil, err
	}
	var cfg struct {
		Commitment     *string `json:"commitment"`
		MinContextSlot *uint64 `json:"minContextSlot"`
		Limit          *int    `json:"limit"`
		Before         *string `json:"before"`
		Until          *string `json:"until"`
	}
	if err := p.decode(1, &cfg); err != nil {
		return nil, err
	}
	level, err := historyCommitment(cfg.Commitment)
	if err != nil {
		return nil, err
	}
	q := ledger.SignatureQuery{Limit: maxSignaturesForAddress}
	if cfg.Limit != nil {
		if *cfg.Limit < 1 || *cfg.Limit > maxSignaturesForAddress {
			return nil, invalidParams("Invalid limit; max %d", maxSignaturesForAddress)
		}
		q.Limit = *cfg.Limit
	}
	for _, b := range []struct {
		in  *string
		out **sdk.Signature
	}{{cfg.Before, &q.Before}, {cfg.Until, &q.Until}} {
		if b.in != nil {
			sig, err := parseSignature(*b.in)
			if err != nil {
				return nil, err
			}
			*b.out = &sig
		}
	}
	snap := s.state.Load()
	if cfg.MinContextSlot != nil && snap.bank(level).Slot() < *cfg.MinContextSlot {
		return nil, minContextSlotError(snap.bank(level).Slot())
	}
	q.Visible = func(slot uint64) bool { return s.onFork(snap, slot, level) }
	list, lerr := s.cfg.Ledger.SignaturesForAddress(addr, q)
	if lerr != nil {
		return nil, internalError(lerr)
	}
	times := map[uint64]*int64{}
	out := make([]addressSignature, len(list))
	for i, e := range list {
		bt, ok := times[e.Slot]
		if !ok {
			if m, err := s.cfg.Ledger.SlotMeta(e.Slot); err == nil && m.HasBlockTime {
				t := m.BlockTime
				bt = &t
			}
			times[e.Slot] = bt
		}
		level, _ := snap.statusOf(e.Slot)
		out[i] = addressSignature{Signature: e.Signature.String(), Slot: e.Slot, Err: errJSON(e.Err),
			BlockTime: bt, ConfirmationStatus: level.String()}
	}
	return out, nil
}

func requestAirdrop(s *Server, ctx context.Context, p params) (any, *Error) {
	to, err := p.pubkey(0)
	if err != nil {
		return nil, err
	}
	lamports, err := p.u64(1)
	if err != nil {
		return nil, err
	}
	if s.faucet == nil {
		return nil, invalidRequest("Invalid request")
	}
	if _, err := s.bankFor(p, 2); err != nil {
		return nil, err
	}
	// The faucet signs against the newest blockhash so the airdrop lands
	// at once whatever commitment the caller reads at.
	latest := s.state.Load().processed
	tx, ferr := s.faucet.grant(to, lamports, latest.LastBlockhash())
	if ferr != nil {
		if errors.Is(ferr, errAirdropLimit) {
			return nil, &Error{Code: codeInternal, Message: "airdrop request failed. This can happen when the rate limit is reached."}
		}
		return nil, invalidParams("%v", ferr)
	}
	raw, merr := tx.MarshalBinary()
	if merr != nil {
		return nil, internalError(merr)
	}
	s.sender.enqueue(pendingTx{raw: raw, sig: tx.Signatures[0], blockhash: tx.Message.RecentBlockhash,
		lastValid: latest.BlockHeight() + s.cfg.Genesis.MaxProcessingAge})
	return tx.Signatures[0].String(), nil
}
