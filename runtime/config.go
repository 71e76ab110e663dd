package runtime

import (
	"fmt"

	"github.com/gnomon-chain/gnomon/runtime/invoke"
	"github.com/gnomon-chain/gnomon/runtime/programs/alt"
	"github.com/gnomon-chain/gnomon/runtime/programs/ata"
	"github.com/gnomon-chain/gnomon/runtime/programs/computebudget"
	"github.com/gnomon-chain/gnomon/runtime/programs/memo"
	"github.com/gnomon-chain/gnomon/runtime/programs/system"
	"github.com/gnomon-chain/gnomon/runtime/programs/token"
	"github.com/gnomon-chain/gnomon/runtime/programs/vote"
	"github.com/gnomon-chain/gnomon/runtime/sysvar"
	"github.com/gnomon-chain/gnomon/sdk"
)

// Config is the genesis parameters a bank runs under. Every node of a cluster
// must use the same values; they are not constants because a dev cluster and
// production want different ones.
type Config struct {
	// GenesisHash is the first blockhash.
	GenesisHash sdk.Hash
	// CreationTime is the genesis Unix time in seconds, and SlotDurationNs the
	// nominal slot length: the Clock sysvar's timestamp of slot s is
	// CreationTime + s × SlotDurationNs, so time needs no clock reading.
	CreationTime   int64
	SlotDurationNs int64
	SlotsPerEpoch  uint64
	// MaxProcessingAge is how many newer blocks a blockhash survives.
	MaxProcessingAge     uint64
	LamportsPerSignature uint64
	Rent                 sysvar.Rent
	// BlockComputeLimit and AccountComputeLimit bound the compute a block may
	// pack, in total and per writable account.
	BlockComputeLimit   uint64
	AccountComputeLimit uint64
	// Programs are the builtins, by address.
	Programs invoke.Programs

	// reserved is every address a transaction may not write (builtin
	// programs and sysvars), built by validate so the check per account is
	// one map lookup; reservedFilter answers "not reserved", the common
	// case, without the lookup.
	reserved       map[sdk.Pubkey]struct{}
	reservedFilter *keyFilter
}

// DefaultConfig returns a dev configuration: 100 ms slots, 600-block
// blockhash age (about 60 s), Solana's fee and rent, and compute limits of
// Solana's 400 ms block scaled to 100 ms.
func DefaultConfig() Config {
	return Config{
		SlotDurationNs:       100_000_000,
		SlotsPerEpoch:        8192,
		MaxProcessingAge:     600,
		LamportsPerSignature: 5000,
		Rent:                 sysvar.DefaultRent,
		BlockComputeLimit:    15_000_000,
		AccountComputeLimit:  3_000_000,
		Programs:             DefaultPrograms(),
	}
}

// DefaultPrograms returns the builtins every Gnomon node runs.
func DefaultPrograms() invoke.Programs {
	return invoke.Programs{
		system.ID:        system.Builtin,
		computebudget.ID: computebudget.Builtin,
		memo.ID:          memo.Builtin,
		memo.IDV1:        memo.BuiltinV1,
		vote.ID:          vote.Builtin,
		alt.ID:           alt.Builtin,
		token.ID:         token.Builtin,
		ata.ID:           ata.Builtin,
	}
}

func (c *Config) validate() error {
	c.reserved = make(map[sdk.Pubkey]struct{}, len(c.Programs)+8)
	for k := range c.Programs {
		c.reserved[k] = struct{}{}
	}
	for _, k := range []sdk.Pubkey{sdk.SysvarClockID, sdk.SysvarRentID, sdk.SysvarEpochScheduleID, sdk.SysvarSlotHashesID,
		sdk.SysvarRecentBlockhashes, sdk.SysvarInstructionsID, sdk.SysvarOwnerID, sdk.NativeLoaderID} {
		c.reserved[k] = struct{}{}
	}
	c.reservedFilter = new(keyFilter)
	for k := range c.reserved {
		c.reservedFilter.add(k)
	}
	if c.MaxProcessingAge < sysvar.MaxRecentBlockhashes {
		return fmt.Errorf("max processing age %d below the %d blockhashes nonces need", c.MaxProcessingAge, sysvar.MaxRecentBlockhashes)
	}
	if c.SlotsPerEpoch == 0 || c.LamportsPerSignature == 0 || c.BlockComputeLimit == 0 || c.AccountComputeLimit == 0 {
		return fmt.Errorf("config has a zero parameter: %+v", *c)
	}
	return nil
}

// isReserved reports whether k may never be written by a transaction:
// builtin programs and sysvars, which Solana demotes to read-only.
func (c *Config) isReserved(k sdk.Pubkey) bool {
	if !c.reservedFilter.mayHave(&k) {
		return false
	}
	_, ok := c.reserved[k]
	return ok
}

// nativePrograms are the builtins that are native on Solana too; the others
// (Token, Associated Token, Memo) are BPF programs there, which matters for
// how much compute an instruction reserves by default.
var nativePrograms = map[sdk.Pubkey]bool{
	sdk.SystemProgramID: true, sdk.ComputeBudgetProgramID: true, sdk.VoteProgramID: true, sdk.AddressLookupTableID: true,
}

func (c *Config) isNativeBuiltin(k sdk.Pubkey) bool { return nativePrograms[k] }
