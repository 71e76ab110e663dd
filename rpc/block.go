package rpc

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/gnomon-chain/gnomon/ledger"
	"github.com/gnomon-chain/gnomon/poh"
	"github.com/gnomon-chain/gnomon/sdk"
)

// block is a stored slot decoded for RPC: its transactions in block order
// and what getBlock reports beside them.
type block struct {
	slot, parent uint64
	blockhash    sdk.Hash
	blockTime    *int64
	blockHeight  *uint64
	txs          []*sdk.Transaction
}

// blockCache keeps recently decoded blocks: getTransaction for a block's
// transactions one by one would otherwise decode the block each time.
type blockCache struct {
	mu    sync.Mutex
	max   int
	m     map[uint64]*block
	order []uint64
}

func newBlockCache(max int) *blockCache { return &blockCache{max: max, m: make(map[uint64]*block)} }

// get decodes slot from the ledger, or returns it from the cache.
func (c *blockCache) get(s *Server, slot uint64) (*block, error) {
	c.mu.Lock()
	if b, ok := c.m[slot]; ok {
		c.mu.Unlock()
		return b, nil
	}
	c.mu.Unlock()
	b, err := s.loadBlock(slot)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if _, ok := c.m[slot]; !ok {
		c.m[slot] = b
		c.order = append(c.order, slot)
		if len(c.order) > c.max {
			delete(c.m, c.order[0])
			c.order = c.order[1:]
		}
	}
	c.mu.Unlock()
	return b, nil
}

func (s *Server) loadBlock(slot uint64) (*block, error) {
	b := &block{slot: slot}
	if slot == 0 {
		b.blockhash = s.cfg.GenesisHash
		t, h := s.cfg.Genesis.CreationTime, uint64(0)
		b.blockTime, b.blockHeight = &t, &h
		return b, nil
	}
	meta, err := s.cfg.Ledger.SlotMeta(slot)
	if err != nil {
		return nil, fmt.Errorf("block %d: %w", slot, err)
	}
	data, err := s.cfg.Ledger.SlotData(slot)
	if err != nil {
		return nil, fmt.Errorf("block %d: %w", slot, err)
	}
	entries, err := poh.DecodeEntries(data)
	if err != nil || len(entries) == 0 {
		return nil, fmt.Errorf("block %d entries: %v", slot, err)
	}
	b.parent = meta.ParentSlot
	b.blockhash = entries[len(entries)-1].Hash
	if meta.HasBlockTime {
		t := meta.BlockTime
		b.blockTime = &t
	}
	if meta.HasBlockHeight {
		h := meta.BlockHeight
		b.blockHeight = &h
	}
	for _, e := range entries {
		b.txs = append(b.txs, e.Transactions...)
	}
	return b, nil
}

func (s *Server) firstAvailableBlock() (uint64, error) {
	return s.cfg.Ledger.LowestSlot(), nil
}

// blockAt checks that slot is a block clients may read at level and
// returns it, with Agave's errors for the slots that are not.
func (s *Server) blockAt(snap *snapshot, slot uint64, level commitment) (*block, *Error) {
	if first, _ := s.firstAvailableBlock(); slot < first {
		return nil, blockCleanedUp(slot, first)
	}
	if slot > snap.bank(level).Slot() {
		return nil, blockNotAvailable(slot)
	}
	if !s.onFork(snap, slot, level) {
		if slot <= snap.finalized.Slot() {
			return nil, slotSkipped(slot)
		}
		return nil, blockNotAvailable(slot)
	}
	b, err := s.blocks.get(s, slot)
	if errors.Is(err, ledger.ErrSlotNotFound) {
		return nil, slotSkipped(slot)
	}
	if err != nil {
		return nil, internalError(err)
	}
	return b, nil
}

func getBlock(s *Server, _ context.Context, p params) (any, *Error) {
	slot, err := p.u64(0)
	if err != nil {
		return nil, err
	}
	var cfg historyConfig
	level, enc, err := cfg.decode(p, 1)
	if err != nil {
		return nil, err
	}
	opts := blockOptions{enc: enc, details: "full", rewards: cfg.Rewards == nil || *cfg.Rewards,
		maxVersion: cfg.MaxSupportedTransactionVersion}
	if cfg.TransactionDetails != nil {
		opts.details = *cfg.TransactionDetails
	}
	out, rerr := s.renderBlock(s.state.Load(), slot, level, opts)
	if rerr != nil {
		return nil, rerr
	}
	return out, nil
}

// renderBlock is getBlock's result for slot at level.
func (s *Server) renderBlock(snap *snapshot, slot uint64, level commitment, opts blockOptions) (map[string]any, *Error) {
	details := opts.details
	switch details {
	case "full", "signatures", "none", "accounts":
	default:
		return nil, invalidParams("Invalid params: unknown variant `%s`, expected one of `full`, `signatures`, `none`, `accounts`", details)
	}
	blk, err := s.blockAt(snap, slot, level)
	if err != nil {
		return nil, err
	}
	prev := s.cfg.GenesisHash
	if slot > 0 {
		pb, perr := s.blocks.get(s, blk.parent)
		if perr != nil {
			return nil, internalError(perr)
		}
		prev = pb.blockhash
	}
	out := map[string]any{"blockhash": blk.blockhash.String(), "previousBlockhash": prev.String(),
		"parentSlot": blk.parent, "blockHeight": blk.blockHeight, "blockTime": blk.blockTime}
	if opts.rewards {
		out["rewards"] = []any{}
	}
	switch details {
	case "signatures":
		sigs := make([]string, len(blk.txs))
		for i, tx := range blk.txs {
			sigs[i] = tx.Signatures[0].String()
		}
		out["signatures"] = sigs
	case "full", "accounts":
		txs := make([]any, 0, len(blk.txs))
		for _, tx := range blk.txs {
			if tx.Message.Version == sdk.MessageV0 && opts.maxVersion == nil {
				return nil, unsupportedVersion()
			}
			st, serr := s.cfg.Ledger.GetStatus(tx.Signatures[0])
			if serr != nil {
				return nil, internalError(serr)
			}
			entry := txWithMeta{Meta: encodeMeta(&st, opts.enc)}
			if details == "accounts" {
				entry.Transaction = accountsOnly(tx, st)
				entry.Meta.LogMessages, entry.Meta.InnerInstructions = nil, nil
			} else {
				ui, eerr := encodeTransaction(tx, opts.enc, st.LoadedAddresses)
				if eerr != nil {
					return nil, internalError(eerr)
				}
				entry.Transaction = ui
			}
			if opts.maxVersion != nil {
				entry.Version = txVersion(tx)
			}
			txs = append(txs, entry)
		}
		out["transactions"] = txs
	}
	return out, nil
}

// accountsOnly is getBlock's transactionDetails "accounts" form.
func accountsOnly(tx *sdk.Transaction, st ledger.StatusRecord) any {
	keys := make([]uiParsedKey, 0, len(tx.Message.AccountKeys))
	for i, k := range tx.Message.AccountKeys {
		keys = append(keys, uiParsedKey{Pubkey: k.String(), Signer: tx.Message.IsSigner(i),
			Writable: tx.Message.IsWritableIndex(i), Source: "transaction"})
	}
	sigs := make([]string, len(tx.Signatures))
	for i, sig := range tx.Signatures {
		sigs[i] = sig.String()
	}
	return map[string]any{"signatures": sigs, "accountKeys": keys}
}

func getBlockTime(s *Server, _ context.Context, p params) (any, *Error) {
	slot, err := p.u64(0)
	if err != nil {
		return nil, err
	}
	blk, err := s.blockAt(s.state.Load(), slot, confirmed)
	if err != nil {
		return nil, err
	}
	if blk.blockTime == nil {
		return nil, &Error{Code: codeBlockStatusNotAvailable, Message: fmt.Sprintf("Block status not yet available for slot %d", slot)}
	}
	return *blk.blockTime, nil
}

// blocksFrom lists the blocks of the node's fork at level from start up to
// end inclusive, at most limit of them.
func (s *Server) blocksFrom(start, end uint64, limit int, level commitment) ([]uint64, *Error) {
	snap := s.state.Load()
	end = min(end, snap.bank(level).Slot())
	if first, _ := s.firstAvailableBlock(); start < first {
		start = first
	}
	out := []uint64{}
	for slot := start; slot <= end && len(out) < limit; slot++ {
		if s.onFork(snap, slot, level) {
			out = append(out, slot)
		}
	}
	return out, nil
}

func getBlocks(s *Server, _ context.Context, p params) (any, *Error) {
	start, err := p.u64(0)
	if err != nil {
		return nil, err
	}
	end := ^uint64(0)
	cfgAt := 1
	if p.has(1) && len(p[1]) > 0 && p[1][0] != '{' {
		if end, err = p.u64(1); err != nil {
			return nil, err
		}
		cfgAt = 2
	}
	var cfg commitmentConfig
	if err := p.decode(cfgAt, &cfg); err != nil {
		return nil, err
	}
	level, err := historyCommitment(cfg.Commitment)
	if err != nil {
		return nil, err
	}
	if end != ^uint64(0) && end >= start && end-start > maxGetBlocksRange {
		return nil, invalidParams("Slot range too large; max %d", maxGetBlocksRange)
	}
	if end < start {
		return []uint64{}, nil
	}
	return s.blocksFrom(start, end, maxGetBlocksRange+1, level)
}

func getBlocksWithLimit(s *Server, _ context.Context, p params) (any, *Error) {
	start, err := p.u64(0)
	if err != nil {
		return nil, err
	}
	limit, err := p.u64(1)
	if err != nil {
		return nil, err
	}
	if limit > maxGetBlocksRange {
		return nil, invalidParams("Limit too large; max %d", maxGetBlocksRange)
	}
	var cfg commitmentConfig
	if err := p.decode(2, &cfg); err != nil {
		return nil, err
	}
	level, err := historyCommitment(cfg.Commitment)
	if err != nil {
		return nil, err
	}
	return s.blocksFrom(start, ^uint64(0), int(limit), level)
}
