package vote

import (
	"encoding/binary"
	"math"
	"slices"

	"github.com/gnomon-chain/gnomon/runtime/invoke"
	"github.com/gnomon-chain/gnomon/sdk"
)

// Bounds of the vote state. StateSize is what a vote account is created
// with; the bounds are chosen so that a state at every bound encodes to
// exactly StateSize bytes, which is Solana's VoteState (V3) size.
const (
	// MaxLockoutHistory is the deepest tower: a 32nd vote roots the oldest.
	MaxLockoutHistory = 31
	// MaxEpochCreditsHistory is how many epochs of credits a state keeps.
	MaxEpochCreditsHistory = 64
	// MaxAuthorizedVoters bounds the epoch-keyed voter map. A voter change
	// takes effect at leader_schedule_epoch+1 and entries before the current
	// epoch are purged, so with a leader schedule one epoch ahead at most
	// three entries exist at once.
	MaxAuthorizedVoters = 4
	// MaxPriorVoters is the size of the ring of replaced voters.
	MaxPriorVoters = 32
	// StateSize is the data length of every vote account.
	StateSize = 3762
)

// stateVersionCurrent is the leading u32 of an initialized state: Solana's
// VoteStateVersions::Current (V3) tag, whose layout this is.
const stateVersionCurrent = 2

// Lockout is one vote in a tower: the slot and how many later votes have
// confirmed it.
type Lockout struct {
	Slot              uint64
	ConfirmationCount uint32
}

// Lockout is the number of slots this vote forbids voting on another fork:
// 2^confirmation_count.
func (l Lockout) Lockout() uint64 {
	return uint64(1) << min(l.ConfirmationCount, MaxLockoutHistory)
}

// LastLockedOutSlot is the last slot on which a vote for a different fork
// would violate this lockout.
func (l Lockout) LastLockedOutSlot() uint64 {
	s := l.Slot + l.Lockout()
	if s < l.Slot {
		return math.MaxUint64
	}
	return s
}

// IsLockedOutAtSlot reports whether a vote at slot may not pop this one.
func (l Lockout) IsLockedOutAtSlot(slot uint64) bool { return l.LastLockedOutSlot() >= slot }

// LandedVote is a Lockout with the latency at which it landed, which decides
// the credits it earns when it roots.
type LandedVote struct {
	Latency uint8
	Lockout
}

// AuthorizedVoter is the key allowed to vote from Epoch on.
type AuthorizedVoter struct {
	Epoch  uint64
	Pubkey sdk.Pubkey
}

// PriorVoter records a voter that was replaced, kept for slashing evidence.
type PriorVoter struct {
	Pubkey     sdk.Pubkey
	StartEpoch uint64
	EndEpoch   uint64
}

// PriorVoters is Solana's CircBuf of the last MaxPriorVoters replaced voters.
type PriorVoters struct {
	Buf     [MaxPriorVoters]PriorVoter
	Idx     uint64
	IsEmpty bool
}

func newPriorVoters() PriorVoters { return PriorVoters{Idx: MaxPriorVoters - 1, IsEmpty: true} }

func (p *PriorVoters) append(v PriorVoter) {
	p.Idx = (p.Idx + 1) % MaxPriorVoters
	p.Buf[p.Idx] = v
	p.IsEmpty = false
}

// Last is the most recently replaced voter.
func (p *PriorVoters) Last() (PriorVoter, bool) {
	if p.IsEmpty {
		return PriorVoter{}, false
	}
	return p.Buf[p.Idx], true
}

// EpochCredits is the credits counter at the end of Epoch and at its start.
type EpochCredits struct {
	Epoch       uint64
	Credits     uint64
	PrevCredits uint64
}

// BlockTimestamp is the last (slot, unix time) a voter asserted.
type BlockTimestamp struct {
	Slot      uint64
	Timestamp int64
}

// State is a vote account's contents: one validator's on-chain tower and
// its authorities.
type State struct {
	NodePubkey           sdk.Pubkey
	AuthorizedWithdrawer sdk.Pubkey
	Commission           uint8
	// Votes is the tower, oldest first.
	Votes    []LandedVote
	HasRoot  bool
	RootSlot uint64
	// AuthorizedVoters is sorted by epoch; an entry holds from its epoch
	// until the next entry's.
	AuthorizedVoters []AuthorizedVoter
	PriorVoters      PriorVoters
	// EpochCredits is oldest first, one entry per epoch that earned credits.
	EpochCredits  []EpochCredits
	LastTimestamp BlockTimestamp
}

// Init is what InitializeAccount sets.
type Init struct {
	NodePubkey           sdk.Pubkey
	AuthorizedVoter      sdk.Pubkey
	AuthorizedWithdrawer sdk.Pubkey
	Commission           uint8
}

// NewState returns the state InitializeAccount writes in epoch.
func NewState(init Init, epoch uint64) *State {
	return &State{
		NodePubkey:           init.NodePubkey,
		AuthorizedWithdrawer: init.AuthorizedWithdrawer,
		Commission:           init.Commission,
		AuthorizedVoters:     []AuthorizedVoter{{Epoch: epoch, Pubkey: init.AuthorizedVoter}},
		PriorVoters:          newPriorVoters(),
	}
}

// LastVotedSlot is the newest slot in the tower.
func (s *State) LastVotedSlot() (uint64, bool) {
	if len(s.Votes) == 0 {
		return 0, false
	}
	return s.Votes[len(s.Votes)-1].Slot, true
}

// Credits is the total credits earned so far.
func (s *State) Credits() uint64 {
	if len(s.EpochCredits) == 0 {
		return 0
	}
	return s.EpochCredits[len(s.EpochCredits)-1].Credits
}

// Clone returns a deep copy.
func (s *State) Clone() *State {
	c := *s
	c.Votes = append([]LandedVote(nil), s.Votes...)
	c.AuthorizedVoters = append([]AuthorizedVoter(nil), s.AuthorizedVoters...)
	c.EpochCredits = append([]EpochCredits(nil), s.EpochCredits...)
	return &c
}

// Encoded sizes of the variable parts.
const (
	landedVoteSize      = 1 + 8 + 4
	authorizedVoterSize = 8 + 32
	priorVoterSize      = 32 + 8 + 8
	epochCreditsSize    = 8 + 8 + 8
)

// EncodedLen is the number of meaningful bytes Encode writes; the rest of
// the account is zero.
func (s *State) EncodedLen() int {
	n := 4 + 32 + 32 + 1
	n += 8 + landedVoteSize*len(s.Votes)
	n += 1
	if s.HasRoot {
		n += 8
	}
	n += 8 + authorizedVoterSize*len(s.AuthorizedVoters)
	n += MaxPriorVoters*priorVoterSize + 8 + 1
	n += 8 + epochCreditsSize*len(s.EpochCredits)
	return n + 16
}

// EncodeInto writes the state into dst and zeroes the rest of dst, so that
// one state has exactly one byte form. A dst too short for the state is
// AccountDataTooSmall, as Agave reports it.
func (s *State) EncodeInto(dst []byte) error {
	if s.EncodedLen() > len(dst) {
		return invoke.Err(invoke.AccountDataTooSmall)
	}
	b := s.appendTo(dst[:0])
	clear(dst[len(b):])
	return nil
}

// Encode returns the state as a StateSize-byte account (longer only if the
// state breaks the bounds, which Decode would then refuse).
func (s *State) Encode() []byte {
	b := make([]byte, max(StateSize, s.EncodedLen()))
	s.appendTo(b[:0])
	return b
}

func (s *State) appendTo(b []byte) []byte {
	le := binary.LittleEndian
	b = le.AppendUint32(b, stateVersionCurrent)
	b = append(b, s.NodePubkey[:]...)
	b = append(b, s.AuthorizedWithdrawer[:]...)
	b = append(b, s.Commission)
	b = le.AppendUint64(b, uint64(len(s.Votes)))
	for _, v := range s.Votes {
		b = append(b, v.Latency)
		b = le.AppendUint64(b, v.Slot)
		b = le.AppendUint32(b, v.ConfirmationCount)
	}
	if s.HasRoot {
		b = append(b, 1)
		b = le.AppendUint64(b, s.RootSlot)
	} else {
		b = append(b, 0)
	}
	b = le.AppendUint64(b, uint64(len(s.AuthorizedVoters)))
	for _, v := range s.AuthorizedVoters {
		b = le.AppendUint64(b, v.Epoch)
		b = append(b, v.Pubkey[:]...)
	}
	for _, v := range s.PriorVoters.Buf {
		b = append(b, v.Pubkey[:]...)
		b = le.AppendUint64(b, v.StartEpoch)
		b = le.AppendUint64(b, v.EndEpoch)
	}
	b = le.AppendUint64(b, s.PriorVoters.Idx)
	b = append(b, boolByte(s.PriorVoters.IsEmpty))
	b = le.AppendUint64(b, uint64(len(s.EpochCredits)))
	for _, c := range s.EpochCredits {
		b = le.AppendUint64(b, c.Epoch)
		b = le.AppendUint64(b, c.Credits)
		b = le.AppendUint64(b, c.PrevCredits)
	}
	b = le.AppendUint64(b, s.LastTimestamp.Slot)
	return le.AppendUint64(b, uint64(s.LastTimestamp.Timestamp))
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

// Errors of DecodeState, as the program reports them.
var (
	// ErrUninitialized: the account holds no vote state yet (or was closed).
	ErrUninitialized = invoke.Err(invoke.UninitializedAccount)
	// ErrInvalidState: the bytes are not a vote state this program wrote.
	ErrInvalidState = invoke.Err(invoke.InvalidAccountData)
)

// DecodeState parses account data. All-zero data (version 0), and a
// Current state with no authorized voter (what closing an account writes),
// are ErrUninitialized; anything else that is not a well-formed state within
// the bounds above is ErrInvalidState. Bytes after the state are ignored.
func DecodeState(data []byte) (*State, error) {
	s := new(State)
	if err := s.Decode(data); err != nil {
		return nil, err
	}
	return s, nil
}

// Decode parses data into s, reusing s's slices.
func (s *State) Decode(data []byte) error {
	d := reader{b: data}
	switch d.u32() {
	case 0:
		if d.bad {
			return ErrInvalidState
		}
		return ErrUninitialized
	case stateVersionCurrent:
	default:
		return ErrInvalidState
	}
	s.NodePubkey = d.key()
	s.AuthorizedWithdrawer = d.key()
	s.Commission = d.u8()
	n := d.u64()
	if n > MaxLockoutHistory {
		return ErrInvalidState
	}
	s.Votes = slices.Grow(s.Votes[:0], int(n))
	for range n {
		var v LandedVote
		v.Latency = d.u8()
		v.Slot = d.u64()
		v.ConfirmationCount = d.u32()
		s.Votes = append(s.Votes, v)
	}
	s.HasRoot, s.RootSlot = d.optionU64()
	n = d.u64()
	if n > MaxAuthorizedVoters {
		return ErrInvalidState
	}
	s.AuthorizedVoters = slices.Grow(s.AuthorizedVoters[:0], int(n))
	for i := range n {
		v := AuthorizedVoter{Epoch: d.u64(), Pubkey: d.key()}
		// A BTreeMap serializes sorted and without duplicates; anything
		// else was not written by us.
		if i > 0 && v.Epoch <= s.AuthorizedVoters[i-1].Epoch {
			return ErrInvalidState
		}
		s.AuthorizedVoters = append(s.AuthorizedVoters, v)
	}
	for i := range s.PriorVoters.Buf {
		s.PriorVoters.Buf[i] = PriorVoter{Pubkey: d.key(), StartEpoch: d.u64(), EndEpoch: d.u64()}
	}
	s.PriorVoters.Idx = d.u64()
	s.PriorVoters.IsEmpty = d.bool()
	if s.PriorVoters.Idx >= MaxPriorVoters {
		return ErrInvalidState
	}
	n = d.u64()
	if n > MaxEpochCreditsHistory {
		return ErrInvalidState
	}
	s.EpochCredits = slices.Grow(s.EpochCredits[:0], int(n))
	for range n {
		s.EpochCredits = append(s.EpochCredits, EpochCredits{Epoch: d.u64(), Credits: d.u64(), PrevCredits: d.u64()})
	}
	s.LastTimestamp = BlockTimestamp{Slot: d.u64(), Timestamp: int64(d.u64())}
	if d.bad {
		return ErrInvalidState
	}
	if len(s.AuthorizedVoters) == 0 {
		return ErrUninitialized
	}
	return nil
}

// reader reads bincode fields; a shortfall or a bad tag sets bad and yields
// zeros, so a caller checks once at the end.
type reader struct {
	b   []byte
	bad bool
}

func (r *reader) take(n int) []byte {
	if r.bad || len(r.b) < n {
		r.bad = true
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) u8() uint8 {
	if v := r.take(1); v != nil {
		return v[0]
	}
	return 0
}

func (r *reader) u32() uint32 {
	if v := r.take(4); v != nil {
		return binary.LittleEndian.Uint32(v)
	}
	return 0
}

func (r *reader) u64() uint64 {
	if v := r.take(8); v != nil {
		return binary.LittleEndian.Uint64(v)
	}
	return 0
}

func (r *reader) key() (p sdk.Pubkey) {
	copy(p[:], r.take(32))
	return p
}

func (r *reader) hash() (h sdk.Hash) {
	copy(h[:], r.take(32))
	return h
}

// bool reads a bincode bool, which is 0 or 1 and nothing else.
func (r *reader) bool() bool {
	switch r.u8() {
	case 0:
		return false
	case 1:
		return true
	}
	r.bad = true
	return false
}

// optionU64 reads a bincode Option<u64>.
func (r *reader) optionU64() (bool, uint64) {
	if !r.bool() {
		return false, 0
	}
	return true, r.u64()
}
