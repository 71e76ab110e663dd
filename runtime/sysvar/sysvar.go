// Package sysvar owns the layouts of Solana's sysvar accounts (Clock, Rent,
// EpochSchedule, SlotHashes, RecentBlockhashes, Instructions): their Go forms,
// their bincode encodings byte for byte as Solana writes them, and the
// arithmetic clients expect of them (rent exemption, epoch of a slot).
//
// It holds no state and decides nothing: the bank writes sysvar accounts,
// programs read them.
package sysvar

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/gnomon-chain/gnomon/sdk"
)

// ErrMalformed is returned when sysvar bytes do not decode.
var ErrMalformed = fmt.Errorf("sysvar: malformed: %w", sdk.ErrMalformed)

// Clock is the bank's view of time, 40 bytes.
type Clock struct {
	Slot                uint64
	EpochStartTimestamp int64
	Epoch               uint64
	LeaderScheduleEpoch uint64
	UnixTimestamp       int64
}

// ClockSize is the encoded length of Clock.
const ClockSize = 40

// Encode returns the bincode form.
func (c Clock) Encode() []byte {
	b := make([]byte, ClockSize)
	binary.LittleEndian.PutUint64(b[0:], c.Slot)
	binary.LittleEndian.PutUint64(b[8:], uint64(c.EpochStartTimestamp))
	binary.LittleEndian.PutUint64(b[16:], c.Epoch)
	binary.LittleEndian.PutUint64(b[24:], c.LeaderScheduleEpoch)
	binary.LittleEndian.PutUint64(b[32:], uint64(c.UnixTimestamp))
	return b
}

// DecodeClock parses the bincode form.
func DecodeClock(b []byte) (Clock, error) {
	if len(b) < ClockSize {
		return Clock{}, fmt.Errorf("clock of %d bytes: %w", len(b), ErrMalformed)
	}
	return Clock{
		Slot:                binary.LittleEndian.Uint64(b[0:]),
		EpochStartTimestamp: int64(binary.LittleEndian.Uint64(b[8:])),
		Epoch:               binary.LittleEndian.Uint64(b[16:]),
		LeaderScheduleEpoch: binary.LittleEndian.Uint64(b[24:]),
		UnixTimestamp:       int64(binary.LittleEndian.Uint64(b[32:])),
	}, nil
}

// AccountStorageOverhead is the bytes of bookkeeping rent charges for on top
// of an account's data.
const AccountStorageOverhead = 128

// Rent prices storage; every account must hold at least MinimumBalance.
type Rent struct {
	LamportsPerByteYear uint64
	ExemptionThreshold  float64
	BurnPercent         uint8
}

// DefaultRent is Solana's: 3,480 lamports per byte-year, two years to be exempt.
var DefaultRent = Rent{LamportsPerByteYear: 3480, ExemptionThreshold: 2.0, BurnPercent: 50}

// RentSize is the encoded length of Rent.
const RentSize = 17

// MinimumBalance is the rent-exempt minimum for an account of dataLen bytes,
// computed as Solana does (through f64, truncated).
func (r Rent) MinimumBalance(dataLen int) uint64 {
	return uint64(float64((AccountStorageOverhead+uint64(dataLen))*r.LamportsPerByteYear) * r.ExemptionThreshold)
}

// IsExempt reports whether lamports keep an account of dataLen bytes exempt.
func (r Rent) IsExempt(lamports uint64, dataLen int) bool {
	return lamports >= r.MinimumBalance(dataLen)
}

// Encode returns the bincode form.
func (r Rent) Encode() []byte {
	b := make([]byte, RentSize)
	binary.LittleEndian.PutUint64(b[0:], r.LamportsPerByteYear)
	binary.LittleEndian.PutUint64(b[8:], math.Float64bits(r.ExemptionThreshold))
	b[16] = r.BurnPercent
	return b
}

// DecodeRent parses the bincode form.
func DecodeRent(b []byte) (Rent, error) {
	if len(b) < RentSize {
		return Rent{}, fmt.Errorf("rent of %d bytes: %w", len(b), ErrMalformed)
	}
	return Rent{
		LamportsPerByteYear: binary.LittleEndian.Uint64(b[0:]),
		ExemptionThreshold:  math.Float64frombits(binary.LittleEndian.Uint64(b[8:])),
		BurnPercent:         b[16],
	}, nil
}

// EpochSchedule maps slots to epochs. Gnomon runs without warm-up, so every
// epoch has SlotsPerEpoch slots; the warm-up fields are kept for the layout.
type EpochSchedule struct {
	SlotsPerEpoch            uint64
	LeaderScheduleSlotOffset uint64
	Warmup                   bool
	FirstNormalEpoch         uint64
	FirstNormalSlot          uint64
}

// EpochScheduleSize is the encoded length of EpochSchedule.
const EpochScheduleSize = 33

// NewEpochSchedule returns a schedule without warm-up.
func NewEpochSchedule(slotsPerEpoch uint64) EpochSchedule {
	return EpochSchedule{SlotsPerEpoch: slotsPerEpoch, LeaderScheduleSlotOffset: slotsPerEpoch}
}

// Epoch returns the epoch of slot and the slot's index within it.
func (e EpochSchedule) Epoch(slot uint64) (epoch, index uint64) {
	if e.SlotsPerEpoch == 0 {
		return 0, slot
	}
	return slot / e.SlotsPerEpoch, slot % e.SlotsPerEpoch
}

// FirstSlot returns the first slot of epoch.
func (e EpochSchedule) FirstSlot(epoch uint64) uint64 { return epoch * e.SlotsPerEpoch }

// LeaderScheduleEpoch is the latest epoch whose leader schedule is known at slot.
func (e EpochSchedule) LeaderScheduleEpoch(slot uint64) uint64 {
	if e.SlotsPerEpoch == 0 {
		return 0
	}
	return (slot + e.LeaderScheduleSlotOffset) / e.SlotsPerEpoch
}

// Encode returns the bincode form.
func (e EpochSchedule) Encode() []byte {
	b := make([]byte, EpochScheduleSize)
	binary.LittleEndian.PutUint64(b[0:], e.SlotsPerEpoch)
	binary.LittleEndian.PutUint64(b[8:], e.LeaderScheduleSlotOffset)
	if e.Warmup {
		b[16] = 1
	}
	binary.LittleEndian.PutUint64(b[17:], e.FirstNormalEpoch)
	binary.LittleEndian.PutUint64(b[25:], e.FirstNormalSlot)
	return b
}

// DecodeEpochSchedule parses the bincode form; warmup is a bincode bool, so
// a byte other than 0 or 1 is malformed.
func DecodeEpochSchedule(b []byte) (EpochSchedule, error) {
	if len(b) < EpochScheduleSize {
		return EpochSchedule{}, fmt.Errorf("epoch schedule of %d bytes: %w", len(b), ErrMalformed)
	}
	if b[16] > 1 {
		return EpochSchedule{}, fmt.Errorf("epoch schedule warmup byte %d: %w", b[16], ErrMalformed)
	}
	return EpochSchedule{
		SlotsPerEpoch:            binary.LittleEndian.Uint64(b[0:]),
		LeaderScheduleSlotOffset: binary.LittleEndian.Uint64(b[8:]),
		Warmup:                   b[16] == 1,
		FirstNormalEpoch:         binary.LittleEndian.Uint64(b[17:]),
		FirstNormalSlot:          binary.LittleEndian.Uint64(b[25:]),
	}, nil
}

// SlotHash is one entry of SlotHashes: a recent slot and its bank hash.
type SlotHash struct {
	Slot uint64
	Hash sdk.Hash
}

// MaxSlotHashes is how many entries SlotHashes keeps, newest first.
const MaxSlotHashes = 512

// EncodeSlotHashes returns the bincode form of a newest-first list.
func EncodeSlotHashes(entries []SlotHash) []byte {
	b := make([]byte, 8, 8+40*len(entries))
	binary.LittleEndian.PutUint64(b, uint64(len(entries)))
	for _, e := range entries {
		b = binary.LittleEndian.AppendUint64(b, e.Slot)
		b = append(b, e.Hash[:]...)
	}
	return b
}

// DecodeSlotHashes parses the bincode form.
func DecodeSlotHashes(b []byte) ([]SlotHash, error) {
	if len(b) < 8 {
		return nil, fmt.Errorf("slot hashes of %d bytes: %w", len(b), ErrMalformed)
	}
	n := binary.LittleEndian.Uint64(b)
	if n > MaxSlotHashes || uint64(len(b)-8) < n*40 {
		return nil, fmt.Errorf("slot hashes claims %d entries in %d bytes: %w", n, len(b), ErrMalformed)
	}
	out := make([]SlotHash, n)
	for i := range out {
		off := 8 + 40*i
		out[i].Slot = binary.LittleEndian.Uint64(b[off:])
		copy(out[i].Hash[:], b[off+8:off+40])
	}
	return out, nil
}

// RecentBlockhash is one entry of the RecentBlockhashes sysvar.
type RecentBlockhash struct {
	Blockhash            sdk.Hash
	LamportsPerSignature uint64
}

// MaxRecentBlockhashes is how many entries the RecentBlockhashes sysvar keeps.
const MaxRecentBlockhashes = 150

// EncodeRecentBlockhashes returns the bincode form of a newest-first list.
func EncodeRecentBlockhashes(entries []RecentBlockhash) []byte {
	b := make([]byte, 8, 8+40*len(entries))
	binary.LittleEndian.PutUint64(b, uint64(len(entries)))
	for _, e := range entries {
		b = append(b, e.Blockhash[:]...)
		b = binary.LittleEndian.AppendUint64(b, e.LamportsPerSignature)
	}
	return b
}

// DecodeRecentBlockhashes parses the bincode form.
func DecodeRecentBlockhashes(b []byte) ([]RecentBlockhash, error) {
	if len(b) < 8 {
		return nil, fmt.Errorf("recent blockhashes of %d bytes: %w", len(b), ErrMalformed)
	}
	n := binary.LittleEndian.Uint64(b)
	if n > MaxRecentBlockhashes || uint64(len(b)-8) < n*40 {
		return nil, fmt.Errorf("recent blockhashes claims %d entries in %d bytes: %w", n, len(b), ErrMalformed)
	}
	out := make([]RecentBlockhash, n)
	for i := range out {
		off := 8 + 40*i
		copy(out[i].Blockhash[:], b[off:off+32])
		out[i].LamportsPerSignature = binary.LittleEndian.Uint64(b[off+32:])
	}
	return out, nil
}

// InstructionsData builds the Instructions sysvar's data for a message, as
// Solana lays it out: u16 instruction count, u16 offset of each instruction,
// then per instruction u16 account count, per account a flags byte (bit 0
// signer, bit 1 writable) and the key, the program id, u16 data length and the
// data; finally the u16 index of the executing instruction, which the runtime
// patches before each instruction (see SetCurrentInstruction).
func InstructionsData(m *sdk.Message, keys []sdk.Pubkey, writable func(i int) bool) []byte {
	n := len(m.Instructions)
	b := binary.LittleEndian.AppendUint16(nil, uint16(n))
	offsets := len(b)
	b = append(b, make([]byte, 2*n)...)
	for i, ix := range m.Instructions {
		binary.LittleEndian.PutUint16(b[offsets+2*i:], uint16(len(b)))
		b = binary.LittleEndian.AppendUint16(b, uint16(len(ix.Accounts)))
		for _, a := range ix.Accounts {
			var flags byte
			if m.IsSigner(int(a)) {
				flags |= 1
			}
			if writable(int(a)) {
				flags |= 2
			}
			b = append(b, flags)
			b = append(b, keys[a][:]...)
		}
		b = append(b, keys[ix.ProgramIDIndex][:]...)
		b = binary.LittleEndian.AppendUint16(b, uint16(len(ix.Data)))
		b = append(b, ix.Data...)
	}
	return binary.LittleEndian.AppendUint16(b, 0)
}

// SetCurrentInstruction writes the executing instruction's index into
// Instructions sysvar data.
func SetCurrentInstruction(data []byte, index int) {
	if len(data) >= 2 {
		binary.LittleEndian.PutUint16(data[len(data)-2:], uint16(index))
	}
}
