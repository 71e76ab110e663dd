package genesis

// The genesis file is a fixed, hand-written little-endian layout rather than
// RLP: it is read once per node start, it holds a float (the rent exemption
// threshold) that RLP has no form for, and a layout with one byte form per
// value makes "same inputs, same bytes, same hash" easy to check: Decode
// accepts exactly the bytes Encode produces for a valid Genesis.
//
//	magic                  4  "GNMG"
//	version                u32 (1)
//	creation_time          i64 Unix seconds
//	slot_duration_ns       i64
//	ticks_per_slot         u64
//	hashes_per_tick        u64
//	slots_per_epoch        u64
//	max_processing_age     u64
//	lamports_per_signature u64
//	rent.lamports_per_byte_year u64
//	rent.exemption_threshold    f64 (IEEE-754 bits)
//	rent.burn_percent           u8
//	block_compute_limit    u64
//	account_compute_limit  u64
//	validator count        u32, then per validator, sorted by identity:
//	    identity 32, vote_account 32, stake_lamports u64, identity_lamports u64
//	account count          u32, then per account, sorted by address:
//	    address 32, lamports u64, owner 32, executable u8 (0|1), data_len u32, data

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"math"
	"time"

	"github.com/gnomon-chain/gnomon/sdk"
)

var magic = [4]byte{'G', 'N', 'M', 'G'}

const (
	validatorSize  = 32 + 32 + 8 + 8
	accountMinSize = 32 + 8 + 32 + 1 + 4
)

func hashBytes(b []byte) sdk.Hash { return sdk.Hash(sha256.Sum256(b)) }

// Encode returns the canonical bytes of g. It does not validate: WriteFile
// and Decode do.
func (g *Genesis) Encode() []byte {
	le := binary.LittleEndian
	n := 4 + 4 + 8*10 + 8 + 1 + 4 + validatorSize*len(g.Validators) + 4
	for _, a := range g.Accounts {
		n += accountMinSize + len(a.Data)
	}
	b := make([]byte, 0, n)
	b = append(b, magic[:]...)
	b = le.AppendUint32(b, Version)
	b = le.AppendUint64(b, uint64(g.CreationTime))
	b = le.AppendUint64(b, uint64(g.SlotDuration.Nanoseconds()))
	b = le.AppendUint64(b, g.TicksPerSlot)
	b = le.AppendUint64(b, g.HashesPerTick)
	b = le.AppendUint64(b, g.SlotsPerEpoch)
	b = le.AppendUint64(b, g.MaxProcessingAge)
	b = le.AppendUint64(b, g.LamportsPerSignature)
	b = le.AppendUint64(b, g.Rent.LamportsPerByteYear)
	b = le.AppendUint64(b, math.Float64bits(g.Rent.ExemptionThreshold))
	b = append(b, g.Rent.BurnPercent)
	b = le.AppendUint64(b, g.BlockComputeLimit)
	b = le.AppendUint64(b, g.AccountComputeLimit)
	b = le.AppendUint32(b, uint32(len(g.Validators)))
	for _, v := range sortedValidators(g.Validators) {
		b = append(b, v.Identity[:]...)
		b = append(b, v.VoteAccount[:]...)
		b = le.AppendUint64(b, v.StakeLamports)
		b = le.AppendUint64(b, v.IdentityLamports)
	}
	b = le.AppendUint32(b, uint32(len(g.Accounts)))
	for _, k := range sortedKeys(g.Accounts) {
		a := g.Accounts[k]
		b = append(b, k[:]...)
		b = le.AppendUint64(b, a.Lamports)
		b = append(b, a.Owner[:]...)
		if a.Executable {
			b = append(b, 1)
		} else {
			b = append(b, 0)
		}
		b = le.AppendUint32(b, uint32(len(a.Data)))
		b = append(b, a.Data...)
	}
	return b
}

// reader consumes a buffer front to back and remembers the first error, so
// Decode reads straight through and checks once per section.
type reader struct {
	b   []byte
	off int
	err error
}

func (r *reader) take(n int, what string) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || len(r.b)-r.off < n {
		r.err = invalid("truncated at byte %d reading %s", r.off, what)
		return nil
	}
	s := r.b[r.off : r.off+n]
	r.off += n
	return s
}

func (r *reader) u64(what string) uint64 {
	if s := r.take(8, what); s != nil {
		return binary.LittleEndian.Uint64(s)
	}
	return 0
}

func (r *reader) u32(what string) uint32 {
	if s := r.take(4, what); s != nil {
		return binary.LittleEndian.Uint32(s)
	}
	return 0
}

func (r *reader) u8(what string) uint8 {
	if s := r.take(1, what); s != nil {
		return s[0]
	}
	return 0
}

func (r *reader) key(what string) (k sdk.Pubkey) {
	copy(k[:], r.take(32, what))
	return k
}

func (r *reader) remaining() int { return len(r.b) - r.off }

// Decode parses and validates a genesis. It accepts only the canonical form
// Encode writes: a known version, validators and accounts strictly sorted
// (so no duplicates), booleans 0 or 1, no trailing bytes, and parameters that
// pass Validate. Every error wraps ErrInvalid; no input makes it panic.
func Decode(b []byte) (Genesis, error) { return decode(b, true) }

// DecodeWithoutAccounts is Decode for a node that restarts from a ledger
// already holding its rooted state: the accounts section is checked (sizes,
// flags, strictly sorted addresses) but not kept, so Accounts is nil and a
// genesis with a million accounts decodes in milliseconds instead of
// seconds. The other parameters are decoded and validated as Decode does.
func DecodeWithoutAccounts(b []byte) (Genesis, error) { return decode(b, false) }

func decode(b []byte, keepAccounts bool) (Genesis, error) {
	r := &reader{b: b}
	if m := r.take(4, "magic"); r.err == nil && !bytes.Equal(m, magic[:]) {
		return Genesis{}, invalid("not a genesis file (magic %q)", m)
	}
	if v := r.u32("version"); r.err == nil && v != Version {
		return Genesis{}, invalid("unknown version %d (this build reads %d)", v, Version)
	}
	var g Genesis
	g.CreationTime = int64(r.u64("creation time"))
	slotNs := r.u64("slot duration")
	if slotNs > math.MaxInt64 {
		slotNs = 0 // out of range; Validate reports it
	}
	g.SlotDuration = time.Duration(slotNs)
	g.TicksPerSlot = r.u64("ticks per slot")
	g.HashesPerTick = r.u64("hashes per tick")
	g.SlotsPerEpoch = r.u64("slots per epoch")
	g.MaxProcessingAge = r.u64("max processing age")
	g.LamportsPerSignature = r.u64("lamports per signature")
	g.Rent.LamportsPerByteYear = r.u64("rent lamports per byte-year")
	g.Rent.ExemptionThreshold = math.Float64frombits(r.u64("rent exemption threshold"))
	g.Rent.BurnPercent = r.u8("rent burn percent")
	g.BlockComputeLimit = r.u64("block compute limit")
	g.AccountComputeLimit = r.u64("account compute limit")

	nv := r.u32("validator count")
	if r.err != nil {
		return Genesis{}, r.err
	}
	if nv > ValidatorsMax || int(nv)*validatorSize > r.remaining() {
		return Genesis{}, invalid("validator count %d impossible for %d remaining bytes (at most %d)", nv, r.remaining(), ValidatorsMax)
	}
	g.Validators = make([]Validator, nv)
	for i := range g.Validators {
		v := &g.Validators[i]
		v.Identity = r.key("validator identity")
		v.VoteAccount = r.key("validator vote account")
		v.StakeLamports = r.u64("validator stake")
		v.IdentityLamports = r.u64("validator identity lamports")
		if i > 0 && r.err == nil {
			switch c := bytes.Compare(g.Validators[i-1].Identity[:], v.Identity[:]); {
			case c == 0:
				return Genesis{}, invalid("duplicate validator identity %s", v.Identity)
			case c > 0:
				return Genesis{}, invalid("validators not sorted by identity at %d", i)
			}
		}
	}

	na := r.u32("account count")
	if r.err != nil {
		return Genesis{}, r.err
	}
	if na > AccountsMax || int(na)*accountMinSize > r.remaining() {
		return Genesis{}, invalid("account count %d impossible for %d remaining bytes (at most %d)", na, r.remaining(), AccountsMax)
	}
	if keepAccounts {
		g.Accounts = make(map[sdk.Pubkey]Account, na)
	}
	var prev sdk.Pubkey
	for i := 0; i < int(na); i++ {
		k := r.key("account address")
		var a Account
		a.Lamports = r.u64("account lamports")
		a.Owner = r.key("account owner")
		switch e := r.u8("account executable"); e {
		case 0, 1:
			a.Executable = e == 1
		default:
			return Genesis{}, invalid("account %s executable flag %d, want 0 or 1", k, e)
		}
		n := r.u32("account data length")
		if r.err == nil && n > sdk.MaxAccountDataLen {
			return Genesis{}, invalid("account %s data length %d above %d", k, n, sdk.MaxAccountDataLen)
		}
		if d := r.take(int(n), "account data"); d != nil && keepAccounts {
			a.Data = bytes.Clone(d)
		}
		if r.err != nil {
			return Genesis{}, r.err
		}
		if i > 0 {
			switch c := bytes.Compare(prev[:], k[:]); {
			case c == 0:
				return Genesis{}, invalid("duplicate account %s", k)
			case c > 0:
				return Genesis{}, invalid("accounts not sorted by address at %d", i)
			}
		}
		prev = k
		if !keepAccounts {
			// Validate cannot see a dropped account; check here what it
			// would check of each.
			if a.Lamports == 0 {
				return Genesis{}, invalid("account %s has zero lamports", k)
			}
			continue
		}
		g.Accounts[k] = a
	}
	if r.err != nil {
		return Genesis{}, r.err
	}
	if r.remaining() != 0 {
		return Genesis{}, invalid("%d trailing bytes", r.remaining())
	}
	if err := g.Validate(); err != nil {
		return Genesis{}, err
	}
	return g, nil
}
