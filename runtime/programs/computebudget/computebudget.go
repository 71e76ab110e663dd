// Package computebudget is the Compute Budget program
// (ComputeBudget111111111111111111111111111111). Its instructions take effect
// before execution: Parse reads them from a message and yields the
// transaction's compute limit, price, heap size and loaded-data limit, or the
// transaction error Solana gives. Executing one only charges its cost.
//
// It must not decide fees or limits beyond what the instructions say; the
// bank applies them.
package computebudget

import (
	"encoding/binary"

	"github.com/gnomon-chain/gnomon/runtime/invoke"
	"github.com/gnomon-chain/gnomon/sdk"
)

// ID is the program's address.
var ID = sdk.ComputeBudgetProgramID

// Instruction tags (u8).
const (
	TagRequestHeapFrame               = 1
	TagSetComputeUnitLimit            = 2
	TagSetComputeUnitPrice            = 3
	TagSetLoadedAccountsDataSizeLimit = 4
)

// Limits, as Solana sets them.
const (
	ComputeUnits                   = 150
	DefaultInstructionComputeUnits = 200_000
	// DefaultBuiltinComputeUnits is what an instruction of a native builtin
	// (System, Vote, Address Lookup Table) reserves when the transaction sets
	// no limit, as Agave reserves since builtins became cheap to schedule; a
	// program that is a BPF program on Solana (Token, Memo...) reserves
	// DefaultInstructionComputeUnits.
	DefaultBuiltinComputeUnits     = 3_000
	MaxComputeUnitLimit            = 1_400_000
	MinHeapFrameBytes              = 32 * 1024
	MaxHeapFrameBytes              = 256 * 1024
	HeapFrameGranularity           = 1024
	MaxLoadedAccountsDataSizeBytes = 64 * 1024 * 1024
	microLamportsPerLamport        = 1_000_000
)

// Builtin charges the instruction's cost; its effect was applied by Parse.
var Builtin = &invoke.Builtin{Name: "compute_budget", Execute: func(c *invoke.Context) error {
	return c.Consume(ComputeUnits)
}}

// Budget is what a transaction's compute budget instructions ask for.
type Budget struct {
	ComputeUnitLimit          uint64
	ComputeUnitPrice          uint64 // micro-lamports per compute unit
	HeapFrameBytes            uint32
	LoadedAccountsDataSizeMax uint32
}

// PriorityFee is ceil(limit × price / 1,000,000) lamports.
func (b Budget) PriorityFee() uint64 {
	hi, lo := mul64(b.ComputeUnitLimit, b.ComputeUnitPrice)
	if hi != 0 {
		return ^uint64(0)
	}
	fee := lo / microLamportsPerLamport
	if lo%microLamportsPerLamport != 0 {
		fee++
	}
	return fee
}

func mul64(a, b uint64) (hi, lo uint64) {
	const mask32 = 1<<32 - 1
	a0, a1 := a&mask32, a>>32
	b0, b1 := b&mask32, b>>32
	w0 := a0 * b0
	t := a1*b0 + w0>>32
	w1 := t&mask32 + a0*b1
	return a1*b1 + t>>32 + w1>>32, a * b
}

// Failure says which instruction made the budget invalid and how, so the
// bank can report InstructionError(index, InvalidInstructionData),
// DuplicateInstruction(index) or InvalidLoadedAccountsDataSizeLimit.
type Failure struct {
	Index     int
	Duplicate bool
	// InvalidLoadedDataLimit: SetLoadedAccountsDataSizeLimit(0).
	InvalidLoadedDataLimit bool
}

// Parse reads the compute budget instructions of m (whose static keys name
// the programs). native reports which programs are native builtins, for the
// default limit; nil counts every program as non-native. It returns the
// budget, or a Failure.
func Parse(m *sdk.Message, native func(sdk.Pubkey) bool) (Budget, *Failure) {
	var (
		limit, price         uint64
		heap, loaded         uint32
		haveLimit, havePrice bool
		haveHeap, haveLoaded bool
		defaultLimit         uint64
	)
	for i := range m.Instructions {
		ix := &m.Instructions[i]
		if int(ix.ProgramIDIndex) >= len(m.AccountKeys) || m.AccountKeys[ix.ProgramIDIndex] != ID {
			if native != nil && int(ix.ProgramIDIndex) < len(m.AccountKeys) && native(m.AccountKeys[ix.ProgramIDIndex]) {
				defaultLimit += DefaultBuiltinComputeUnits
			} else {
				defaultLimit += DefaultInstructionComputeUnits
			}
			continue
		}
		d := ix.Data
		if len(d) == 0 {
			return Budget{}, &Failure{Index: i}
		}
		dup := func(seen *bool) *Failure {
			if *seen {
				return &Failure{Index: i, Duplicate: true}
			}
			*seen = true
			return nil
		}
		switch d[0] {
		case TagRequestHeapFrame:
			if len(d) < 5 {
				return Budget{}, &Failure{Index: i}
			}
			if f := dup(&haveHeap); f != nil {
				return Budget{}, f
			}
			heap = binary.LittleEndian.Uint32(d[1:])
			if heap < MinHeapFrameBytes || heap > MaxHeapFrameBytes || heap%HeapFrameGranularity != 0 {
				return Budget{}, &Failure{Index: i}
			}
		case TagSetComputeUnitLimit:
			if len(d) < 5 {
				return Budget{}, &Failure{Index: i}
			}
			if f := dup(&haveLimit); f != nil {
				return Budget{}, f
			}
			limit = uint64(binary.LittleEndian.Uint32(d[1:]))
		case TagSetComputeUnitPrice:
			if len(d) < 9 {
				return Budget{}, &Failure{Index: i}
			}
			if f := dup(&havePrice); f != nil {
				return Budget{}, f
			}
			price = binary.LittleEndian.Uint64(d[1:])
		case TagSetLoadedAccountsDataSizeLimit:
			if len(d) < 5 {
				return Budget{}, &Failure{Index: i}
			}
			if f := dup(&haveLoaded); f != nil {
				return Budget{}, f
			}
			loaded = binary.LittleEndian.Uint32(d[1:])
		default:
			return Budget{}, &Failure{Index: i}
		}
	}
	b := Budget{ComputeUnitPrice: price, HeapFrameBytes: MinHeapFrameBytes, LoadedAccountsDataSizeMax: MaxLoadedAccountsDataSizeBytes}
	if haveHeap {
		b.HeapFrameBytes = heap
	}
	if haveLimit {
		b.ComputeUnitLimit = limit
	} else {
		b.ComputeUnitLimit = defaultLimit
	}
	b.ComputeUnitLimit = min(b.ComputeUnitLimit, MaxComputeUnitLimit)
	if haveLoaded {
		if loaded == 0 {
			return Budget{}, &Failure{Index: -1, InvalidLoadedDataLimit: true}
		}
		b.LoadedAccountsDataSizeMax = min(loaded, MaxLoadedAccountsDataSizeBytes)
	}
	return b, nil
}

// SetComputeUnitLimitData, SetComputeUnitPriceData, RequestHeapFrameData and
// SetLoadedAccountsDataSizeLimitData encode the instructions.
func SetComputeUnitLimitData(units uint32) []byte {
	return binary.LittleEndian.AppendUint32([]byte{TagSetComputeUnitLimit}, units)
}

// SetComputeUnitPriceData encodes SetComputeUnitPrice(micro-lamports per CU).
func SetComputeUnitPriceData(microLamports uint64) []byte {
	return binary.LittleEndian.AppendUint64([]byte{TagSetComputeUnitPrice}, microLamports)
}

// RequestHeapFrameData encodes RequestHeapFrame(bytes).
func RequestHeapFrameData(bytes uint32) []byte {
	return binary.LittleEndian.AppendUint32([]byte{TagRequestHeapFrame}, bytes)
}

// SetLoadedAccountsDataSizeLimitData encodes SetLoadedAccountsDataSizeLimit(bytes).
func SetLoadedAccountsDataSizeLimitData(bytes uint32) []byte {
	return binary.LittleEndian.AppendUint32([]byte{TagSetLoadedAccountsDataSizeLimit}, bytes)
}
