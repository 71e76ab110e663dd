package rpc

import (
	"context"
	"sync"
	"time"

	gnrt "github.com/gnomon-chain/gnomon/runtime"
	"github.com/gnomon-chain/gnomon/runtime/programs/computebudget"
	"github.com/gnomon-chain/gnomon/runtime/programs/vote"
	"github.com/gnomon-chain/gnomon/sdk"
)

// Bounds of the recent-history answers, as Agave keeps them.
const (
	perfSamplePeriod  = 60 * time.Second
	maxPerfSamples    = 720
	prioritySlots     = 150
	maxPriorityKeys   = 128
	recentTotalsSlots = 1024
)

// perfSamples keeps what getRecentPerformanceSamples, getTransactionCount
// and getRecentPrioritizationFees answer from: per-minute samples, the
// running transaction count per recent slot, and per-slot priority fees.
type perfSamples struct {
	mu      sync.Mutex
	samples []perfSample // newest last
	cur     perfSample
	curAt   time.Time
	total   uint64
	totals  []slotTotal // newest last
	fees    []slotFees  // newest last
}

type perfSample struct {
	Slot                   uint64 `json:"slot"`
	NumTransactions        uint64 `json:"numTransactions"`
	NumNonVoteTransactions uint64 `json:"numNonVoteTransactions"`
	NumSlots               uint64 `json:"numSlots"`
	SamplePeriodSecs       uint16 `json:"samplePeriodSecs"`
}

type slotTotal struct{ slot, total uint64 }

type slotFees struct {
	slot uint64
	min  uint64
	// byAccount is the lowest price paid by a transaction writing each key.
	byAccount map[sdk.Pubkey]uint64
}

func newPerfSamples() *perfSamples { return &perfSamples{} }

// record notes one frozen slot.
func (p *perfSamples) record(u *SlotUpdate) {
	now := time.Now()
	var nonVote uint64
	fees := slotFees{slot: u.Bank.Slot(), byAccount: make(map[sdk.Pubkey]uint64)}
	first := true
	for _, tx := range u.Transactions {
		m := &tx.Message
		if vote.IsVoteTransaction(m) {
			continue
		}
		nonVote++
		b, fail := computebudget.Parse(m, nil)
		price := uint64(0)
		if fail == nil {
			price = b.ComputeUnitPrice
		}
		if first || price < fees.min {
			fees.min, first = price, false
		}
		for i, k := range m.AccountKeys {
			if !m.IsWritableIndex(i) {
				continue
			}
			if cur, ok := fees.byAccount[k]; !ok || price < cur {
				fees.byAccount[k] = price
			}
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.curAt.IsZero() {
		p.curAt = now
	}
	p.cur.Slot = u.Bank.Slot()
	p.cur.NumSlots++
	p.cur.NumTransactions += uint64(len(u.Transactions))
	p.cur.NumNonVoteTransactions += nonVote
	if now.Sub(p.curAt) >= perfSamplePeriod {
		p.cur.SamplePeriodSecs = uint16(now.Sub(p.curAt) / time.Second)
		p.samples = append(p.samples, p.cur)
		if len(p.samples) > maxPerfSamples {
			p.samples = p.samples[1:]
		}
		p.cur, p.curAt = perfSample{}, now
	}
	p.total += u.Bank.TransactionCount()
	p.totals = append(p.totals, slotTotal{u.Bank.Slot(), p.total})
	if len(p.totals) > recentTotalsSlots {
		p.totals = p.totals[1:]
	}
	p.fees = append(p.fees, fees)
	if len(p.fees) > prioritySlots {
		p.fees = p.fees[1:]
	}
}

// totalAt is the number of transactions processed since the node started,
// up to slot.
func (p *perfSamples) totalAt(slot uint64) uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := len(p.totals) - 1; i >= 0; i-- {
		if p.totals[i].slot <= slot {
			return p.totals[i].total
		}
	}
	return 0
}

func getRecentPerformanceSamples(s *Server, _ context.Context, p params) (any, *Error) {
	limit := uint64(maxPerfSamples)
	if p.has(0) {
		n, err := p.u64(0)
		if err != nil {
			return nil, err
		}
		if n > maxPerfSamples {
			return nil, invalidParams("Invalid limit; max %d", maxPerfSamples)
		}
		limit = n
	}
	s.perf.mu.Lock()
	defer s.perf.mu.Unlock()
	out := []perfSample{}
	for i := len(s.perf.samples) - 1; i >= 0 && uint64(len(out)) < limit; i-- {
		out = append(out, s.perf.samples[i])
	}
	return out, nil
}

func getRecentPrioritizationFees(s *Server, _ context.Context, p params) (any, *Error) {
	var addrs []string
	if err := p.decode(0, &addrs); err != nil {
		return nil, err
	}
	if len(addrs) > maxPriorityKeys {
		return nil, invalidParams("Too many inputs provided; max %d", maxPriorityKeys)
	}
	keys := make([]sdk.Pubkey, len(addrs))
	for i, a := range addrs {
		k, err := parsePubkey(a)
		if err != nil {
			return nil, err
		}
		keys[i] = k
	}
	type fee struct {
		Slot              uint64 `json:"slot"`
		PrioritizationFee uint64 `json:"prioritizationFee"`
	}
	s.perf.mu.Lock()
	defer s.perf.mu.Unlock()
	out := make([]fee, 0, len(s.perf.fees))
	for _, f := range s.perf.fees {
		// The fee a transaction writing all of keys would have needed:
		// the highest of the per-account minimums, as Agave computes it.
		v := f.min
		for _, k := range keys {
			if m, ok := f.byAccount[k]; ok && m > v {
				v = m
			}
		}
		out = append(out, fee{Slot: f.slot, PrioritizationFee: v})
	}
	return out, nil
}

// voteAccountInfo is one entry of getVoteAccounts.
type voteAccountInfo struct {
	VotePubkey       string      `json:"votePubkey"`
	NodePubkey       string      `json:"nodePubkey"`
	ActivatedStake   uint64      `json:"activatedStake"`
	EpochVoteAccount bool        `json:"epochVoteAccount"`
	Commission       uint8       `json:"commission"`
	LastVote         uint64      `json:"lastVote"`
	RootSlot         uint64      `json:"rootSlot"`
	EpochCredits     [][3]uint64 `json:"epochCredits"`
}

func describeVoteAccount(b *gnrt.Bank, voteAcct, identity sdk.Pubkey, stake uint64) (voteAccountInfo, bool) {
	a := b.Account(voteAcct)
	if a == nil || a.Owner != vote.ID {
		return voteAccountInfo{}, false
	}
	st, err := vote.DecodeState(a.Data)
	if err != nil {
		return voteAccountInfo{}, false
	}
	info := voteAccountInfo{VotePubkey: voteAcct.String(), NodePubkey: st.NodePubkey.String(), ActivatedStake: stake,
		EpochVoteAccount: true, Commission: st.Commission, EpochCredits: [][3]uint64{}}
	if last, ok := st.LastVotedSlot(); ok {
		info.LastVote = last
	}
	if st.HasRoot {
		info.RootSlot = st.RootSlot
	}
	for _, c := range st.EpochCredits {
		info.EpochCredits = append(info.EpochCredits, [3]uint64{c.Epoch, c.Credits, c.PrevCredits})
	}
	return info, true
}
