package vote

import (
	"encoding/binary"
	"math"

	"github.com/gnomon-chain/gnomon/runtime/invoke"
	"github.com/gnomon-chain/gnomon/sdk"
)

// Instruction tags: Solana's VoteInstruction variant numbers, a u32 at the
// start of the data.
const (
	TagInitializeAccount            uint32 = 0
	TagAuthorize                    uint32 = 1
	TagVote                         uint32 = 2 // legacy, refused
	TagWithdraw                     uint32 = 3
	TagUpdateValidatorIdentity      uint32 = 4
	TagUpdateCommission             uint32 = 5
	TagVoteSwitch                   uint32 = 6 // legacy, refused
	TagAuthorizeChecked             uint32 = 7
	TagUpdateVoteState              uint32 = 8  // legacy, refused
	TagUpdateVoteStateSwitch        uint32 = 9  // legacy, refused
	TagAuthorizeWithSeed            uint32 = 10 // not implemented
	TagAuthorizeCheckedWithSeed     uint32 = 11 // not implemented
	TagCompactUpdateVoteState       uint32 = 12 // legacy, refused
	TagCompactUpdateVoteStateSwitch uint32 = 13 // legacy, refused
	TagTowerSync                    uint32 = 14
	TagTowerSyncSwitch              uint32 = 15
	numTags                                = 16
)

// Authorize says which authority an Authorize instruction replaces; a u32.
type Authorize uint32

// The VoteAuthorize variants.
const (
	AuthorizeVoter      Authorize = 0
	AuthorizeWithdrawer Authorize = 1
)

// Instruction is a decoded vote instruction; the fields its Tag uses are set.
type Instruction struct {
	Tag        uint32
	Init       Init       // InitializeAccount
	NewKey     sdk.Pubkey // Authorize
	Authorize  Authorize  // Authorize, AuthorizeChecked
	Lamports   uint64     // Withdraw
	Commission uint8      // UpdateCommission
	TowerSync  TowerSync  // TowerSync, TowerSyncSwitch
	SwitchHash sdk.Hash   // TowerSyncSwitch
}

// ErrInvalidInstruction is every instruction data the program cannot parse.
var ErrInvalidInstruction = invoke.Err(invoke.InvalidInstructionData)

// DecodeInstruction parses instruction data as Agave's limited_deserialize
// does: bincode, fixed-width integers, trailing bytes allowed. TowerSync is
// in Solana's compact form (see doc.go). Instructions this program refuses
// (legacy votes, authorize-with-seed) are ErrInvalidInstruction too.
func DecodeInstruction(data []byte) (Instruction, error) {
	r := reader{b: data}
	ix := Instruction{Tag: r.u32()}
	switch ix.Tag {
	case TagInitializeAccount:
		ix.Init = Init{NodePubkey: r.key(), AuthorizedVoter: r.key(), AuthorizedWithdrawer: r.key(), Commission: r.u8()}
	case TagAuthorize:
		ix.NewKey = r.key()
		ix.Authorize = r.authorize()
	case TagAuthorizeChecked:
		ix.Authorize = r.authorize()
	case TagWithdraw:
		ix.Lamports = r.u64()
	case TagUpdateValidatorIdentity:
	case TagUpdateCommission:
		ix.Commission = r.u8()
	case TagTowerSync, TagTowerSyncSwitch:
		ix.TowerSync = r.towerSync()
		if ix.Tag == TagTowerSyncSwitch {
			ix.SwitchHash = r.hash()
		}
	default:
		return Instruction{}, ErrInvalidInstruction
	}
	if r.bad {
		return Instruction{}, ErrInvalidInstruction
	}
	return ix, nil
}

func (r *reader) authorize() Authorize {
	a := Authorize(r.u32())
	if a != AuthorizeVoter && a != AuthorizeWithdrawer {
		r.bad = true
	}
	return a
}

// towerSync reads Solana's CompactTowerSync: root u64 (MaxUint64 for none),
// short_vec of (varint offset, u8 confirmation count), hash, Option<i64>
// timestamp, block id. Each offset is from the previous slot, the first
// from the root (or 0).
func (r *reader) towerSync() TowerSync {
	var ts TowerSync
	root := r.u64()
	if root != math.MaxUint64 {
		ts.HasRoot, ts.Root = true, root
	}
	n := r.shortU16()
	if r.bad {
		return ts
	}
	// Each lockout takes at least two bytes, which bounds the allocation by
	// the input.
	ts.Lockouts = make([]Lockout, 0, min(n, len(r.b)/2))
	slot := ts.Root
	for range n {
		off := r.varint()
		cc := r.u8()
		if r.bad {
			return ts
		}
		if slot+off < slot {
			r.bad = true
			return ts
		}
		slot += off
		ts.Lockouts = append(ts.Lockouts, Lockout{Slot: slot, ConfirmationCount: uint32(cc)})
	}
	ts.Hash = r.hash()
	if r.bool() {
		ts.HasTimestamp, ts.Timestamp = true, int64(r.u64())
	}
	ts.BlockID = r.hash()
	return ts
}

// shortU16 reads Solana's compact-u16, accepting only the shortest encoding
// of a value up to 0xffff, as Solana's short_vec does.
func (r *reader) shortU16() int {
	v := 0
	for i := 0; i < 3; i++ {
		c := r.u8()
		if r.bad || (c == 0 && i > 0) || (i == 2 && c > 3) {
			r.bad = true
			return 0
		}
		v |= int(c&0x7f) << (7 * i)
		if c&0x80 == 0 {
			return v
		}
	}
	r.bad = true
	return 0
}

// varint reads serde_varint's LEB128 u64. Like Solana we refuse a last byte
// of zero (a longer form of a shorter encoding); we also refuse bits past
// the 64th, which Solana silently drops, so every value has one encoding.
func (r *reader) varint() uint64 {
	var v uint64
	for shift := 0; shift < 64; shift += 7 {
		c := r.u8()
		if r.bad {
			return 0
		}
		if shift == 63 && c > 1 {
			r.bad = true
			return 0
		}
		v |= uint64(c&0x7f) << shift
		if c&0x80 == 0 {
			if c == 0 && shift > 0 {
				r.bad = true
				return 0
			}
			return v
		}
	}
	r.bad = true
	return 0
}

// Instruction data builders, for voters, clients, tests and benchmarks.

func tagged(tag uint32) []byte { return binary.LittleEndian.AppendUint32(nil, tag) }

// InitializeAccountData encodes InitializeAccount(VoteInit).
func InitializeAccountData(init Init) []byte {
	b := append(tagged(TagInitializeAccount), init.NodePubkey[:]...)
	b = append(b, init.AuthorizedVoter[:]...)
	b = append(b, init.AuthorizedWithdrawer[:]...)
	return append(b, init.Commission)
}

// AuthorizeData encodes Authorize(newAuthority, which).
func AuthorizeData(newAuthority sdk.Pubkey, which Authorize) []byte {
	b := append(tagged(TagAuthorize), newAuthority[:]...)
	return binary.LittleEndian.AppendUint32(b, uint32(which))
}

// AuthorizeCheckedData encodes AuthorizeChecked(which); the new authority
// is the fourth account and signs.
func AuthorizeCheckedData(which Authorize) []byte {
	return binary.LittleEndian.AppendUint32(tagged(TagAuthorizeChecked), uint32(which))
}

// WithdrawData encodes Withdraw(lamports).
func WithdrawData(lamports uint64) []byte {
	return binary.LittleEndian.AppendUint64(tagged(TagWithdraw), lamports)
}

// UpdateValidatorIdentityData encodes UpdateValidatorIdentity.
func UpdateValidatorIdentityData() []byte { return tagged(TagUpdateValidatorIdentity) }

// UpdateCommissionData encodes UpdateCommission(commission).
func UpdateCommissionData(commission uint8) []byte {
	return append(tagged(TagUpdateCommission), commission)
}

// TowerSyncData encodes TowerSync in the compact form. As Solana's
// serializer, it refuses a lockout below the previous slot (or the root) and
// a confirmation count above 255; equal slots encode (offset 0) and are left
// for the program to refuse.
func TowerSyncData(ts *TowerSync) ([]byte, error) {
	return appendTowerSync(tagged(TagTowerSync), ts)
}

// TowerSyncSwitchData encodes TowerSyncSwitch(tower, switching proof hash).
func TowerSyncSwitchData(ts *TowerSync, proof sdk.Hash) ([]byte, error) {
	b, err := appendTowerSync(tagged(TagTowerSyncSwitch), ts)
	if err != nil {
		return nil, err
	}
	return append(b, proof[:]...), nil
}

func appendTowerSync(b []byte, ts *TowerSync) ([]byte, error) {
	le := binary.LittleEndian
	root := uint64(math.MaxUint64)
	if ts.HasRoot {
		root = ts.Root
	}
	b = le.AppendUint64(b, root)
	if len(ts.Lockouts) > math.MaxUint16 {
		return nil, ErrInvalidInstruction
	}
	b = appendShortU16(b, len(ts.Lockouts))
	var prev uint64
	if ts.HasRoot {
		prev = ts.Root
	}
	for _, l := range ts.Lockouts {
		if l.Slot < prev || l.ConfirmationCount > math.MaxUint8 {
			return nil, ErrInvalidInstruction
		}
		b = binary.AppendUvarint(b, l.Slot-prev)
		b = append(b, uint8(l.ConfirmationCount))
		prev = l.Slot
	}
	b = append(b, ts.Hash[:]...)
	if ts.HasTimestamp {
		b = append(b, 1)
		b = le.AppendUint64(b, uint64(ts.Timestamp))
	} else {
		b = append(b, 0)
	}
	return append(b, ts.BlockID[:]...), nil
}

func appendShortU16(b []byte, v int) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}
