package rpc

import (
	"context"
	"sort"

	"github.com/gnomon-chain/gnomon/genesis"
	gnrt "github.com/gnomon-chain/gnomon/runtime"
	"github.com/gnomon-chain/gnomon/runtime/sysvar"
	"github.com/gnomon-chain/gnomon/sdk"
)

// methodTable maps every JSON-RPC method to its handler.
func methodTable() map[string]method {
	return map[string]method{
		"getVersion":                        getVersion,
		"getHealth":                         getHealth,
		"getGenesisHash":                    getGenesisHash,
		"getIdentity":                       getIdentity,
		"getSlot":                           getSlot,
		"getBlockHeight":                    getBlockHeight,
		"getEpochInfo":                      getEpochInfo,
		"getEpochSchedule":                  getEpochSchedule,
		"getLatestBlockhash":                getLatestBlockhash,
		"isBlockhashValid":                  isBlockhashValid,
		"getMinimumBalanceForRentExemption": getMinimumBalanceForRentExemption,
		"getTransactionCount":               getTransactionCount,
		"getSlotLeader":                     getSlotLeader,
		"getSlotLeaders":                    getSlotLeaders,
		"getLeaderSchedule":                 getLeaderSchedule,
		"getClusterNodes":                   getClusterNodes,
		"getVoteAccounts":                   getVoteAccounts,
		"getSupply":                         getSupply,
		"getInflationGovernor":              getInflationGovernor,
		"getStakeMinimumDelegation":         getStakeMinimumDelegation,
		"getRecentPerformanceSamples":       getRecentPerformanceSamples,
		"getRecentPrioritizationFees":       getRecentPrioritizationFees,
		"minimumLedgerSlot":                 minimumLedgerSlot,
		"getFirstAvailableBlock":            getFirstAvailableBlock,
		"getMaxRetransmitSlot":              getMaxRetransmitSlot,
		"getMaxShredInsertSlot":             getMaxShredInsertSlot,

		"getBalance":                 getBalance,
		"getAccountInfo":             getAccountInfo,
		"getMultipleAccounts":        getMultipleAccounts,
		"getProgramAccounts":         getProgramAccounts,
		"getTokenAccountBalance":     getTokenAccountBalance,
		"getTokenSupply":             getTokenSupply,
		"getTokenAccountsByOwner":    getTokenAccountsByOwner,
		"getTokenAccountsByDelegate": getTokenAccountsByDelegate,
		"getTokenLargestAccounts":    getTokenLargestAccounts,

		"sendTransaction":         sendTransaction,
		"simulateTransaction":     simulateTransaction,
		"getFeeForMessage":        getFeeForMessage,
		"getSignatureStatuses":    getSignatureStatuses,
		"getTransaction":          getTransaction,
		"getSignaturesForAddress": getSignaturesForAddress,
		"requestAirdrop":          requestAirdrop,

		"getBlock":           getBlock,
		"getBlockTime":       getBlockTime,
		"getBlocks":          getBlocks,
		"getBlocksWithLimit": getBlocksWithLimit,
	}
}

// bankFor reads the commitment config at parameter i and returns the bank
// it selects, enforcing minContextSlot.
func (s *Server) bankFor(p params, i int) (*gnrt.Bank, *Error) {
	var cfg commitmentConfig
	if err := p.decode(i, &cfg); err != nil {
		return nil, err
	}
	return s.bankAt(cfg)
}

func (s *Server) bankAt(cfg commitmentConfig) (*gnrt.Bank, *Error) {
	c, err := cfg.level()
	if err != nil {
		return nil, err
	}
	b := s.state.Load().bank(c)
	if cfg.MinContextSlot != nil && b.Slot() < *cfg.MinContextSlot {
		return nil, minContextSlotError(b.Slot())
	}
	return b, nil
}

func (s *Server) epochSchedule() sysvar.EpochSchedule {
	return sysvar.NewEpochSchedule(s.cfg.Genesis.SlotsPerEpoch)
}

func getVersion(s *Server, _ context.Context, _ params) (any, *Error) {
	return map[string]any{"solana-core": Version, "feature-set": uint32(featureSet)}, nil
}

func getHealth(s *Server, _ context.Context, _ params) (any, *Error) {
	if !s.healthy() {
		return nil, &Error{Code: codeNodeUnhealthy, Message: "Node is unhealthy", Data: map[string]any{"numSlotsBehind": nil}}
	}
	return "ok", nil
}

func getGenesisHash(s *Server, _ context.Context, _ params) (any, *Error) {
	return s.cfg.GenesisHash.String(), nil
}

func getIdentity(s *Server, _ context.Context, _ params) (any, *Error) {
	return map[string]string{"identity": s.cfg.Identity.Pubkey().String()}, nil
}

func getSlot(s *Server, _ context.Context, p params) (any, *Error) {
	b, err := s.bankFor(p, 0)
	if err != nil {
		return nil, err
	}
	return b.Slot(), nil
}

func getBlockHeight(s *Server, _ context.Context, p params) (any, *Error) {
	b, err := s.bankFor(p, 0)
	if err != nil {
		return nil, err
	}
	return b.BlockHeight(), nil
}

func getTransactionCount(s *Server, _ context.Context, p params) (any, *Error) {
	b, err := s.bankFor(p, 0)
	if err != nil {
		return nil, err
	}
	return s.perf.totalAt(b.Slot()), nil
}

type epochInfo struct {
	AbsoluteSlot     uint64 `json:"absoluteSlot"`
	BlockHeight      uint64 `json:"blockHeight"`
	Epoch            uint64 `json:"epoch"`
	SlotIndex        uint64 `json:"slotIndex"`
	SlotsInEpoch     uint64 `json:"slotsInEpoch"`
	TransactionCount uint64 `json:"transactionCount"`
}

func getEpochInfo(s *Server, _ context.Context, p params) (any, *Error) {
	b, err := s.bankFor(p, 0)
	if err != nil {
		return nil, err
	}
	epoch, index := s.epochSchedule().Epoch(b.Slot())
	return epochInfo{AbsoluteSlot: b.Slot(), BlockHeight: b.BlockHeight(), Epoch: epoch, SlotIndex: index,
		SlotsInEpoch: s.cfg.Genesis.SlotsPerEpoch, TransactionCount: s.perf.totalAt(b.Slot())}, nil
}

func getEpochSchedule(s *Server, _ context.Context, _ params) (any, *Error) {
	e := s.epochSchedule()
	return map[string]any{"slotsPerEpoch": e.SlotsPerEpoch, "leaderScheduleSlotOffset": e.LeaderScheduleSlotOffset,
		"warmup": e.Warmup, "firstNormalEpoch": e.FirstNormalEpoch, "firstNormalSlot": e.FirstNormalSlot}, nil
}

func getLatestBlockhash(s *Server, _ context.Context, p params) (any, *Error) {
	b, err := s.bankFor(p, 0)
	if err != nil {
		return nil, err
	}
	return inContext(b.Slot(), map[string]any{"blockhash": b.LastBlockhash().String(),
		"lastValidBlockHeight": b.BlockHeight() + s.cfg.Genesis.MaxProcessingAge}), nil
}

func isBlockhashValid(s *Server, _ context.Context, p params) (any, *Error) {
	hs, err := p.str(0)
	if err != nil {
		return nil, err
	}
	h, perr := sdk.ParseHash(hs)
	if perr != nil {
		return nil, invalidParams("Invalid param: Invalid")
	}
	b, err := s.bankFor(p, 1)
	if err != nil {
		return nil, err
	}
	return inContext(b.Slot(), b.IsBlockhashValid(h)), nil
}

func getMinimumBalanceForRentExemption(s *Server, _ context.Context, p params) (any, *Error) {
	n, err := p.u64(0)
	if err != nil {
		return nil, err
	}
	if n > 10<<20 {
		return nil, invalidParams("Invalid param: data length %d exceeds the maximum account size", n)
	}
	if _, err := s.bankFor(p, 1); err != nil {
		return nil, err
	}
	return s.cfg.Genesis.Rent.MinimumBalance(int(n)), nil
}

func getSlotLeader(s *Server, _ context.Context, p params) (any, *Error) {
	b, err := s.bankFor(p, 0)
	if err != nil {
		return nil, err
	}
	l, lerr := s.leaders.Leader(b.Slot())
	if lerr != nil {
		return nil, internalError(lerr)
	}
	return l.String(), nil
}

func getSlotLeaders(s *Server, _ context.Context, p params) (any, *Error) {
	start, err := p.u64(0)
	if err != nil {
		return nil, err
	}
	limit, err := p.u64(1)
	if err != nil {
		return nil, err
	}
	if limit > 5000 {
		return nil, invalidParams("Invalid limit; max 5000")
	}
	out := make([]string, 0, limit)
	for slot := start; slot < start+limit; slot++ {
		l, lerr := s.leaders.Leader(slot)
		if lerr != nil {
			return nil, invalidParams("Invalid slot range: leader schedule for epoch is unavailable")
		}
		out = append(out, l.String())
	}
	return out, nil
}

func getLeaderSchedule(s *Server, _ context.Context, p params) (any, *Error) {
	var slot *uint64
	cfgAt := 0
	if p.has(0) {
		var n uint64
		if err := p.decode(0, &n); err == nil {
			slot = &n
			cfgAt = 1
		}
	}
	var cfg struct {
		commitmentConfig
		Identity *string `json:"identity"`
	}
	if err := p.decode(cfgAt, &cfg); err != nil {
		return nil, err
	}
	b, err := s.bankAt(cfg.commitmentConfig)
	if err != nil {
		return nil, err
	}
	at := b.Slot()
	if slot != nil {
		at = *slot
	}
	epoch, _ := s.epochSchedule().Epoch(at)
	ls, lerr := s.leaders.Epoch(epoch)
	if lerr != nil {
		return nil, nil
	}
	first := s.epochSchedule().FirstSlot(epoch)
	out := map[string][]uint64{}
	for i := uint64(0); i < s.cfg.Genesis.SlotsPerEpoch; i++ {
		l, ok := ls.Leader(first + i)
		if !ok {
			break
		}
		key := l.String()
		if cfg.Identity != nil && *cfg.Identity != key {
			continue
		}
		out[key] = append(out[key], i)
	}
	return out, nil
}

func getClusterNodes(s *Server, _ context.Context, _ params) (any, *Error) {
	type node struct {
		Pubkey       string  `json:"pubkey"`
		Gossip       *string `json:"gossip"`
		TPU          *string `json:"tpu"`
		TPUQUIC      *string `json:"tpuQuic"`
		RPC          *string `json:"rpc"`
		PubSub       *string `json:"pubsub"`
		Version      string  `json:"version"`
		FeatureSet   uint32  `json:"featureSet"`
		ShredVersion uint16  `json:"shredVersion"`
	}
	tpu := s.cfg.TPUAddr
	rpcAddr := s.Addr().String()
	n := node{Pubkey: s.cfg.Identity.Pubkey().String(), TPU: &tpu, TPUQUIC: &tpu, RPC: &rpcAddr,
		Version: Version, FeatureSet: featureSet, ShredVersion: genesis.ShredVersion(s.cfg.GenesisHash)}
	if ws := s.WSAddr(); ws != nil {
		a := ws.String()
		n.PubSub = &a
	}
	return []node{n}, nil
}

func getVoteAccounts(s *Server, _ context.Context, p params) (any, *Error) {
	var cfg struct {
		commitmentConfig
		VotePubkey *string `json:"votePubkey"`
	}
	if err := p.decode(0, &cfg); err != nil {
		return nil, err
	}
	b, err := s.bankAt(cfg.commitmentConfig)
	if err != nil {
		return nil, err
	}
	current := []voteAccountInfo{}
	for _, v := range s.cfg.Genesis.Validators {
		if cfg.VotePubkey != nil && *cfg.VotePubkey != v.VoteAccount.String() {
			continue
		}
		info, ok := describeVoteAccount(b, v.VoteAccount, v.Identity, v.StakeLamports)
		if ok {
			current = append(current, info)
		}
	}
	sort.Slice(current, func(i, j int) bool { return current[i].ActivatedStake > current[j].ActivatedStake })
	return map[string]any{"current": current, "delinquent": []voteAccountInfo{}}, nil
}

func getSupply(s *Server, _ context.Context, p params) (any, *Error) {
	var cfg struct {
		commitmentConfig
		ExcludeNonCirculating bool `json:"excludeNonCirculatingAccountsList"`
	}
	if err := p.decode(0, &cfg); err != nil {
		return nil, err
	}
	b, err := s.bankAt(cfg.commitmentConfig)
	if err != nil {
		return nil, err
	}
	total := s.supply(b)
	return inContext(b.Slot(), map[string]any{"total": total, "circulating": total, "nonCirculating": uint64(0),
		"nonCirculatingAccounts": []string{}}), nil
}

// supply is the lamports in existence at b: genesis less what fees burned.
// Gnomon has no inflation, so nothing else creates or destroys lamports.
func (s *Server) supply(b *gnrt.Bank) uint64 {
	return b.Capitalization()
}

func getInflationGovernor(s *Server, _ context.Context, _ params) (any, *Error) {
	// Gnomon mints no inflation rewards: every rate is zero.
	return map[string]any{"initial": 0.0, "terminal": 0.0, "taper": 0.0, "foundation": 0.0, "foundationTerm": 0.0}, nil
}

func getStakeMinimumDelegation(s *Server, _ context.Context, p params) (any, *Error) {
	b, err := s.bankFor(p, 0)
	if err != nil {
		return nil, err
	}
	// Solana's minimum delegation is one lamport since the feature that
	// raised it was reverted; Gnomon has no stake program yet.
	return inContext(b.Slot(), uint64(1)), nil
}

func minimumLedgerSlot(s *Server, _ context.Context, _ params) (any, *Error) {
	first, err := s.firstAvailableBlock()
	if err != nil {
		return nil, internalError(err)
	}
	return first, nil
}

func getFirstAvailableBlock(s *Server, _ context.Context, _ params) (any, *Error) {
	first, err := s.firstAvailableBlock()
	if err != nil {
		return nil, internalError(err)
	}
	return first, nil
}

func getMaxRetransmitSlot(s *Server, _ context.Context, _ params) (any, *Error) {
	return s.state.Load().processed.Slot(), nil
}

func getMaxShredInsertSlot(s *Server, _ context.Context, _ params) (any, *Error) {
	return s.state.Load().processed.Slot(), nil
}
