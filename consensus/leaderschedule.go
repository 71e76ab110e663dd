package consensus

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/gnomon-chain/gnomon/runtime/sysvar"
	"github.com/gnomon-chain/gnomon/sdk"
)

// StakedNode is a validator and its stake for an epoch.
type StakedNode struct {
	Pubkey sdk.Pubkey
	Stake  uint64
}

// LeaderSchedule says which validator leads each slot of one epoch.
//
// The epoch is cut into runs of NumConsecutiveLeaderSlots slots, and each
// run's leader is drawn with probability proportional to stake. The draw is
// deterministic, so every node computes the same schedule from the same
// stakes: validators are sorted by stake (descending), then pubkey
// (ascending), zero stakes dropped, and a ChaCha8 generator (math/rand/v2)
// seeded with sha256 of the epoch number as 8 little-endian bytes picks a
// point in [0, total stake) for each run. Solana seeds ChaCha20 with the
// epoch number instead; the schedule is our own protocol, not Solana's.
type LeaderSchedule struct {
	epoch     uint64
	firstSlot uint64
	slots     uint64
	nodes     []sdk.Pubkey
	// runs holds, per run of NumConsecutiveLeaderSlots slots, an index
	// into nodes: 4 bytes per run instead of a pubkey per slot.
	runs []uint32
}

// NewLeaderSchedule computes epoch's schedule under schedule from stakes.
func NewLeaderSchedule(epoch uint64, schedule sysvar.EpochSchedule, stakes []StakedNode) (*LeaderSchedule, error) {
	if schedule.SlotsPerEpoch == 0 {
		return nil, ErrEmptyEpoch
	}
	sorted := make([]StakedNode, 0, len(stakes))
	for _, s := range stakes {
		if s.Stake > 0 {
			sorted = append(sorted, s)
		}
	}
	slices.SortFunc(sorted, func(a, b StakedNode) int {
		if c := cmp.Compare(b.Stake, a.Stake); c != 0 {
			return c
		}
		return bytes.Compare(a.Pubkey[:], b.Pubkey[:])
	})
	// cumulative[i] is the stake of nodes 0..i, the upper end of node i's
	// share of [0, total).
	cumulative := make([]uint64, len(sorted))
	nodes := make([]sdk.Pubkey, len(sorted))
	var total uint64
	for i, s := range sorted {
		if i > 0 && s.Pubkey == sorted[i-1].Pubkey {
			return nil, ErrDuplicateNode
		}
		if total+s.Stake < total {
			return nil, ErrStakeOverflow
		}
		total += s.Stake
		cumulative[i], nodes[i] = total, s.Pubkey
	}
	if total == 0 {
		return nil, ErrNoStake
	}
	// A duplicate with a different stake sorts apart; catch it too.
	seen := make(map[sdk.Pubkey]struct{}, len(nodes))
	for _, p := range nodes {
		if _, dup := seen[p]; dup {
			return nil, ErrDuplicateNode
		}
		seen[p] = struct{}{}
	}

	seed := sha256.Sum256(binary.LittleEndian.AppendUint64(nil, epoch))
	rng := rand.NewChaCha8(seed)
	runCount := (schedule.SlotsPerEpoch + NumConsecutiveLeaderSlots - 1) / NumConsecutiveLeaderSlots
	runs := make([]uint32, runCount)
	for i := range runs {
		point := uint64N(rng, total)
		j, _ := slices.BinarySearchFunc(cumulative, point, func(c, p uint64) int {
			// The first node whose upper end is above point.
			if c <= p {
				return -1
			}
			return 1
		})
		runs[i] = uint32(j)
	}
	return &LeaderSchedule{
		epoch:     epoch,
		firstSlot: schedule.FirstSlot(epoch),
		slots:     schedule.SlotsPerEpoch,
		nodes:     nodes,
		runs:      runs,
	}, nil
}

// uint64N draws uniformly from [0, n) by rejection, so that the schedule
// depends only on the ChaCha8 stream and not on math/rand's internals.
func uint64N(rng *rand.ChaCha8, n uint64) uint64 {
	// Reject the top partial block of the u64 range.
	limit := -n % n // (2^64 - n) mod n == 2^64 mod n
	for {
		v := rng.Uint64()
		if v >= limit {
			return v % n
		}
	}
}

// Epoch returns the epoch the schedule is for.
func (l *LeaderSchedule) Epoch() uint64 { return l.epoch }

// Leader returns the leader of slot, or false for a slot outside the epoch.
func (l *LeaderSchedule) Leader(slot uint64) (sdk.Pubkey, bool) {
	if slot < l.firstSlot || slot-l.firstSlot >= l.slots {
		return sdk.Pubkey{}, false
	}
	return l.nodes[l.runs[(slot-l.firstSlot)/NumConsecutiveLeaderSlots]], true
}

// Leaders answers who leads any slot, computing an epoch's schedule the
// first time it is asked for and keeping the latest one: callers ask about
// the same epoch thousands of times in a row (every slot the leader
// produces, every slot getSlotLeaders lists). Safe for concurrent use.
type Leaders struct {
	schedule sysvar.EpochSchedule
	stakes   []StakedNode

	mu  sync.Mutex
	cur *LeaderSchedule
}

// NewLeaders answers from stakes under schedule.
func NewLeaders(schedule sysvar.EpochSchedule, stakes []StakedNode) *Leaders {
	return &Leaders{schedule: schedule, stakes: slices.Clone(stakes)}
}

// Epoch returns epoch's schedule.
func (l *Leaders) Epoch(epoch uint64) (*LeaderSchedule, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cur != nil && l.cur.Epoch() == epoch {
		return l.cur, nil
	}
	ls, err := NewLeaderSchedule(epoch, l.schedule, l.stakes)
	if err != nil {
		return nil, err
	}
	l.cur = ls
	return ls, nil
}

// Leader returns slot's leader.
func (l *Leaders) Leader(slot uint64) (sdk.Pubkey, error) {
	epoch, _ := l.schedule.Epoch(slot)
	ls, err := l.Epoch(epoch)
	if err != nil {
		return sdk.Pubkey{}, fmt.Errorf("leader schedule of epoch %d: %w", epoch, err)
	}
	leader, ok := ls.Leader(slot)
	if !ok {
		return sdk.Pubkey{}, fmt.Errorf("no leader for slot %d in epoch %d", slot, epoch)
	}
	return leader, nil
}
