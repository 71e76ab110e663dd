package genesis

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/gnomon-chain/gnomon/consensus"
	"github.com/gnomon-chain/gnomon/poh"
	"github.com/gnomon-chain/gnomon/runtime"
	"github.com/gnomon-chain/gnomon/runtime/programs/system"
	"github.com/gnomon-chain/gnomon/runtime/programs/vote"
	"github.com/gnomon-chain/gnomon/runtime/sysvar"
	"github.com/gnomon-chain/gnomon/sdk"
)

// ErrInvalid marks a genesis that cannot be used: bytes that do not decode,
// an unknown version, or parameters that are zero, absurd or contradictory.
var ErrInvalid = errors.New("genesis: invalid")

// LamportsPerSOL is the number of lamports in one SOL.
const LamportsPerSOL = 1_000_000_000

// Bounds on the parameters. A value outside them is a typo or an attack, not
// a cluster anyone means to run, so Validate refuses it.
const (
	SlotDurationMin     = time.Millisecond
	SlotDurationMax     = time.Minute
	TicksPerSlotMax     = 10_000
	HashesPerTickMax    = 1_000_000_000
	SlotsPerEpochMin    = 32 // Solana's MINIMUM_SLOTS_PER_EPOCH
	SlotsPerEpochMax    = 1 << 32
	MaxProcessingAgeMax = 1_000_000
	// MaxProcessingAgeMin is what durable nonces need: the RecentBlockhashes
	// sysvar keeps this many hashes.
	MaxProcessingAgeMin     = sysvar.MaxRecentBlockhashes
	LamportsPerSignatureMax = LamportsPerSOL
	LamportsPerByteYearMax  = LamportsPerSOL
	ExemptionThresholdMax   = 1000.0
	ComputeLimitMax         = 1 << 40
	ValidatorsMax           = 10_000
	AccountsMax             = 1 << 20
)

// Version is the encoding version this package writes and reads.
const Version = 1

// Validator is one bootstrap validator: its node identity, its vote account
// and the stake the leader schedule of the first epochs counts for it.
type Validator struct {
	Identity    sdk.Pubkey
	VoteAccount sdk.Pubkey
	// StakeLamports is the validator's stake; Gnomon has no stake program
	// yet, so it lives here rather than in a stake account.
	StakeLamports uint64
	// IdentityLamports funds the identity account, which pays for votes.
	IdentityLamports uint64
}

// Account is one initial account.
type Account struct {
	Lamports   uint64
	Owner      sdk.Pubkey
	Data       []byte
	Executable bool
}

// Genesis is every parameter a cluster starts from. Two nodes with equal
// Genesis values compute the same Hash.
type Genesis struct {
	// CreationTime is the Unix time in seconds of slot 0.
	CreationTime int64
	// SlotDuration is the nominal length of a slot.
	SlotDuration  time.Duration
	TicksPerSlot  uint64
	HashesPerTick uint64 // 0 is PoH's low-power mode
	SlotsPerEpoch uint64
	// MaxProcessingAge is how many newer blocks a blockhash survives.
	MaxProcessingAge     uint64
	LamportsPerSignature uint64
	Rent                 sysvar.Rent
	BlockComputeLimit    uint64
	AccountComputeLimit  uint64
	// Validators are encoded sorted by identity, so their order here does
	// not change the hash.
	Validators []Validator
	// Accounts are encoded sorted by address.
	Accounts map[sdk.Pubkey]Account
}

// Dev defaults: DESIGN.md's 100 ms slots and 10 ticks per slot, a short
// epoch, and a faucet large enough that nobody runs out while testing.
const (
	DevSlotDuration     = 100 * time.Millisecond
	DevTicksPerSlot     = 10
	DevHashesPerTick    = 1_000 // well under a millisecond of SHA-256 per 10 ms tick
	DevSlotsPerEpoch    = 8192
	DevMaxProcessingAge = 600
	DevFaucetLamports   = 500_000_000 * LamportsPerSOL
	DevStakeLamports    = 1_000_000 * LamportsPerSOL
	DevIdentityLamports = 500 * LamportsPerSOL
	// VoteCommission is the commission genesis vote accounts start with, as
	// solana-genesis sets for its bootstrap validator.
	VoteCommission = 100
)

// Defaults returns a Genesis with the dev parameters and no validators or
// accounts; callers set CreationTime and add those.
func Defaults() Genesis {
	rc := runtime.DefaultConfig()
	return Genesis{
		SlotDuration:         DevSlotDuration,
		TicksPerSlot:         DevTicksPerSlot,
		HashesPerTick:        DevHashesPerTick,
		SlotsPerEpoch:        DevSlotsPerEpoch,
		MaxProcessingAge:     DevMaxProcessingAge,
		LamportsPerSignature: rc.LamportsPerSignature,
		Rent:                 rc.Rent,
		BlockComputeLimit:    rc.BlockComputeLimit,
		AccountComputeLimit:  rc.AccountComputeLimit,
		Accounts:             map[sdk.Pubkey]Account{},
	}
}

// DevGenesis is the genesis of a one-validator dev cluster: identity and
// vote as its only validator, and faucet holding DevFaucetLamports. now is
// passed in because this package never reads the clock.
func DevGenesis(identity, voteAccount, faucet sdk.Pubkey, now time.Time) Genesis {
	g := Defaults()
	g.CreationTime = now.Unix()
	g.Validators = []Validator{{Identity: identity, VoteAccount: voteAccount, StakeLamports: DevStakeLamports, IdentityLamports: DevIdentityLamports}}
	g.Accounts[faucet] = Account{Lamports: DevFaucetLamports, Owner: sdk.SystemProgramID}
	return g
}

// PohConfig is the PoH shape of every slot.
func (g *Genesis) PohConfig() poh.Config {
	return poh.Config{HashesPerTick: g.HashesPerTick, TicksPerSlot: g.TicksPerSlot}
}

// Hash is the genesis hash: SHA-256 of Encode. It is the first blockhash and
// the seed of the PoH chain, which is SHA-256 (DESIGN.md), and Solana's
// genesis hash is likewise a SHA-256 of the genesis bytes; blake3 is for our
// Merkle trees and account and bank hashes, not for this one value.
func (g *Genesis) Hash() sdk.Hash {
	return hashBytes(g.Encode())
}

// ShredVersion tags every shred and gossip message of the cluster, so nodes
// with another genesis ignore them. It XOR-folds the genesis hash into 16
// bits (big-endian pairs) and adds one, saturating, so it is never zero.
func ShredVersion(h sdk.Hash) uint16 {
	var v uint16
	for i := 0; i < len(h); i += 2 {
		v ^= uint16(h[i])<<8 | uint16(h[i+1])
	}
	if v < math.MaxUint16 {
		v++
	}
	return v
}

// StakedNodes are the validators' identities and stakes, what the leader
// schedule of the first epochs is drawn from.
func (g *Genesis) StakedNodes() []consensus.StakedNode {
	out := make([]consensus.StakedNode, 0, len(g.Validators))
	for _, v := range g.Validators {
		out = append(out, consensus.StakedNode{Pubkey: v.Identity, Stake: v.StakeLamports})
	}
	return out
}

// ShredVersion is ShredVersion(g.Hash()).
func (g *Genesis) ShredVersion() uint16 { return ShredVersion(g.Hash()) }

// reservedAddresses are the builtins and sysvars, which the runtime creates
// itself; a genesis account there would shadow one.
func reservedAddresses() map[sdk.Pubkey]bool {
	r := map[sdk.Pubkey]bool{}
	for k := range runtime.DefaultPrograms() {
		r[k] = true
	}
	for _, k := range []sdk.Pubkey{sdk.SysvarClockID, sdk.SysvarRentID, sdk.SysvarEpochScheduleID, sdk.SysvarSlotHashesID,
		sdk.SysvarRecentBlockhashes, sdk.SysvarInstructionsID, sdk.SysvarOwnerID, sdk.NativeLoaderID, sdk.NativeMintID} {
		r[k] = true
	}
	return r
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// Validate reports the first parameter that is zero, out of its bounds, or
// in conflict with another; every error wraps ErrInvalid.
func (g *Genesis) Validate() error {
	switch {
	case g.CreationTime <= 0:
		return invalid("creation time %d is not a Unix time after 1970", g.CreationTime)
	case g.SlotDuration < SlotDurationMin || g.SlotDuration > SlotDurationMax:
		return invalid("slot duration %v outside [%v, %v]", g.SlotDuration, SlotDurationMin, SlotDurationMax)
	case g.TicksPerSlot == 0 || g.TicksPerSlot > TicksPerSlotMax:
		return invalid("ticks per slot %d outside [1, %d]", g.TicksPerSlot, TicksPerSlotMax)
	case g.HashesPerTick == 1 || g.HashesPerTick > HashesPerTickMax:
		return invalid("hashes per tick %d: want 0 (low power) or [2, %d]", g.HashesPerTick, HashesPerTickMax)
	case g.SlotsPerEpoch < SlotsPerEpochMin || g.SlotsPerEpoch > SlotsPerEpochMax:
		return invalid("slots per epoch %d outside [%d, %d]", g.SlotsPerEpoch, SlotsPerEpochMin, uint64(SlotsPerEpochMax))
	case g.MaxProcessingAge < MaxProcessingAgeMin || g.MaxProcessingAge > MaxProcessingAgeMax:
		return invalid("max processing age %d outside [%d, %d]", g.MaxProcessingAge, MaxProcessingAgeMin, MaxProcessingAgeMax)
	case g.LamportsPerSignature == 0 || g.LamportsPerSignature > LamportsPerSignatureMax:
		return invalid("lamports per signature %d outside [1, %d]", g.LamportsPerSignature, LamportsPerSignatureMax)
	case g.Rent.LamportsPerByteYear == 0 || g.Rent.LamportsPerByteYear > LamportsPerByteYearMax:
		return invalid("rent lamports per byte-year %d outside [1, %d]", g.Rent.LamportsPerByteYear, LamportsPerByteYearMax)
	case !(g.Rent.ExemptionThreshold > 0 && g.Rent.ExemptionThreshold <= ExemptionThresholdMax):
		return invalid("rent exemption threshold %v outside (0, %v]", g.Rent.ExemptionThreshold, ExemptionThresholdMax)
	case g.Rent.BurnPercent > 100:
		return invalid("rent burn percent %d above 100", g.Rent.BurnPercent)
	case g.BlockComputeLimit == 0 || g.BlockComputeLimit > ComputeLimitMax:
		return invalid("block compute limit %d outside [1, %d]", g.BlockComputeLimit, uint64(ComputeLimitMax))
	case g.AccountComputeLimit == 0 || g.AccountComputeLimit > g.BlockComputeLimit:
		return invalid("account compute limit %d outside [1, block compute limit %d]", g.AccountComputeLimit, g.BlockComputeLimit)
	case len(g.Validators) == 0:
		return invalid("no validators")
	case len(g.Validators) > ValidatorsMax:
		return invalid("%d validators, at most %d", len(g.Validators), ValidatorsMax)
	case len(g.Accounts) > AccountsMax:
		return invalid("%d accounts, at most %d", len(g.Accounts), AccountsMax)
	}
	reserved := reservedAddresses()
	seen := map[sdk.Pubkey]string{}
	claim := func(k sdk.Pubkey, what string) error {
		if reserved[k] {
			return invalid("%s %s is a builtin program or sysvar address", what, k)
		}
		if prev, ok := seen[k]; ok {
			return invalid("%s %s is also %s", what, k, prev)
		}
		seen[k] = what
		return nil
	}
	var supply uint64
	add := func(l uint64, what string, k sdk.Pubkey) error {
		s, carry := addU64(supply, l)
		if carry {
			return invalid("%s %s: total lamports overflow", what, k)
		}
		supply = s
		return nil
	}
	for i, v := range g.Validators {
		what := fmt.Sprintf("validator %d", i)
		if v.StakeLamports == 0 {
			return invalid("%s %s has zero stake", what, v.Identity)
		}
		if v.IdentityLamports == 0 {
			return invalid("%s identity %s has zero lamports", what, v.Identity)
		}
		if err := claim(v.Identity, what+" identity"); err != nil {
			return err
		}
		if err := claim(v.VoteAccount, what+" vote account"); err != nil {
			return err
		}
		if err := add(v.IdentityLamports, what+" identity", v.Identity); err != nil {
			return err
		}
		if err := add(g.voteAccountLamports(), what+" vote account", v.VoteAccount); err != nil {
			return err
		}
	}
	for _, k := range sortedKeys(g.Accounts) {
		a := g.Accounts[k]
		if err := claim(k, "account"); err != nil {
			return err
		}
		if a.Lamports == 0 {
			return invalid("account %s has zero lamports", k)
		}
		if len(a.Data) > sdk.MaxAccountDataLen {
			return invalid("account %s has %d bytes of data, at most %d", k, len(a.Data), sdk.MaxAccountDataLen)
		}
		if err := add(a.Lamports, "account", k); err != nil {
			return err
		}
	}
	return nil
}

func addU64(a, b uint64) (uint64, bool) {
	s := a + b
	return s, s < a
}

func sortedKeys(m map[sdk.Pubkey]Account) []sdk.Pubkey {
	keys := make([]sdk.Pubkey, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	// Comparing the first eight bytes as one integer settles almost every
	// pair at once: a million-account genesis sorts about twice as fast.
	slices.SortFunc(keys, func(a, b sdk.Pubkey) int {
		if x, y := binary.BigEndian.Uint64(a[:8]), binary.BigEndian.Uint64(b[:8]); x != y {
			return cmp.Compare(x, y)
		}
		return bytes.Compare(a[8:], b[8:])
	})
	return keys
}

func sortedValidators(vs []Validator) []Validator {
	out := slices.Clone(vs)
	slices.SortStableFunc(out, func(a, b Validator) int { return bytes.Compare(a.Identity[:], b.Identity[:]) })
	return out
}

// voteAccountLamports is what a genesis vote account holds: the rent-exempt
// minimum of a vote state.
func (g *Genesis) voteAccountLamports() uint64 {
	return max(g.Rent.MinimumBalance(vote.StateSize), 1)
}

// RuntimeConfig is the runtime's view of the genesis, with the builtins every
// Gnomon node runs.
func (g *Genesis) RuntimeConfig() runtime.Config { return g.RuntimeConfigFor(g.Hash()) }

// RuntimeConfigFor is RuntimeConfig for a caller that already holds g's
// hash: hashing encodes every genesis account, which takes about a second
// per million accounts, and a restarting node should pay it once.
func (g *Genesis) RuntimeConfigFor(hash sdk.Hash) runtime.Config {
	return runtime.Config{
		GenesisHash:          hash,
		CreationTime:         g.CreationTime,
		SlotDurationNs:       g.SlotDuration.Nanoseconds(),
		SlotsPerEpoch:        g.SlotsPerEpoch,
		MaxProcessingAge:     g.MaxProcessingAge,
		LamportsPerSignature: g.LamportsPerSignature,
		Rent:                 g.Rent,
		BlockComputeLimit:    g.BlockComputeLimit,
		AccountComputeLimit:  g.AccountComputeLimit,
		Programs:             runtime.DefaultPrograms(),
	}
}

// GenesisAccounts is the account state of slot 0, for runtime.NewGenesisBank:
// the initial accounts, and for each validator a funded identity account and
// a vote account initialized as the vote program's InitializeAccount would
// (the identity as node, voter and withdrawer; commission VoteCommission),
// and a stake account delegating StakeLamports to that vote account.
func (g *Genesis) GenesisAccounts() map[sdk.Pubkey]sdk.Account {
	out := make(map[sdk.Pubkey]sdk.Account, len(g.Accounts)+2*len(g.Validators))
	for k, a := range g.Accounts {
		out[k] = sdk.Account{Lamports: a.Lamports, Owner: a.Owner, Data: slices.Clone(a.Data), Executable: a.Executable}
	}
	for _, v := range g.Validators {
		out[v.Identity] = sdk.Account{Lamports: v.IdentityLamports, Owner: sdk.SystemProgramID}
		st := vote.NewState(vote.Init{
			NodePubkey:           v.Identity,
			AuthorizedVoter:      v.Identity,
			AuthorizedWithdrawer: v.Identity,
			Commission:           VoteCommission,
		}, 0)
		out[v.VoteAccount] = sdk.Account{Lamports: g.voteAccountLamports(), Owner: vote.ID, Data: st.Encode()}
		reserve := g.Rent.MinimumBalance(StakeAccountSize)
		out[StakeAccountAddress(v.Identity)] = sdk.Account{Lamports: v.StakeLamports + reserve, Owner: sdk.StakeProgramID,
			Data: stakeState(v, reserve)}
	}
	return out
}

// StakeAccountSize is the size of a stake account, Solana's StakeStateV2.
const StakeAccountSize = 200

// StakeAccountAddress is where genesis puts a validator's stake account: the
// address with seed "stake" of the identity under the Stake program, so it
// needs no keypair of its own and every node derives the same one.
func StakeAccountAddress(identity sdk.Pubkey) sdk.Pubkey {
	a, err := system.CreateWithSeed(identity, []byte("stake"), sdk.StakeProgramID)
	if err != nil {
		panic(err) // a constant 5-byte seed and the Stake program id cannot fail
	}
	return a
}

// stakeState is a bootstrap stake delegated to v's vote account, in
// Solana's StakeStateV2::Stake layout (u32 tag 2, Meta, Stake, flags), so
// clients and RPC read it as they read Solana's. Like Solana's bootstrap
// stakes it is active from genesis: activation and deactivation epochs are
// both u64::MAX. There is no Stake program yet; the account records the
// stake the leader schedule and vote accounts report.
func stakeState(v Validator, reserve uint64) []byte {
	b := make([]byte, StakeAccountSize)
	le := binary.LittleEndian
	le.PutUint32(b[0:], 2)
	le.PutUint64(b[4:], reserve)
	copy(b[12:44], v.Identity[:]) // staker
	copy(b[44:76], v.Identity[:]) // withdrawer
	// lockup (unix timestamp, epoch, custodian) stays zero: none.
	copy(b[124:156], v.VoteAccount[:])
	le.PutUint64(b[156:], v.StakeLamports)
	le.PutUint64(b[164:], math.MaxUint64) // activation epoch: bootstrap
	le.PutUint64(b[172:], math.MaxUint64) // deactivation epoch: never
	le.PutUint64(b[180:], math.Float64bits(0.25))
	// credits_observed and flags stay zero.
	return b
}
