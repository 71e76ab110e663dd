package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gnomon-chain/gnomon/genesis"
	"github.com/gnomon-chain/gnomon/sdk"
)

// listFlag collects a repeatable flag's values in order.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func genesisCommand(args []string, stdout, stderr io.Writer, log *slog.Logger) error {
	d := genesis.Defaults()
	fs := newFlagSet("genesis", stderr)
	var (
		out, output   string
		identity      = fs.String("identity", "", "bootstrap validator identity keypair `FILE` (required)")
		voteAccount   = fs.String("vote-account", "", "bootstrap validator vote account keypair `FILE` or pubkey (required)")
		faucet        = fs.String("faucet", "", "faucet keypair `FILE` or pubkey (optional)")
		faucetLam     = fs.Uint64("faucet-lamports", genesis.DevFaucetLamports, "lamports of the faucet account")
		identityLam   = fs.Uint64("bootstrap-validator-lamports", genesis.DevIdentityLamports, "lamports of each validator identity account")
		stakeLam      = fs.Uint64("bootstrap-validator-stake-lamports", genesis.DevStakeLamports, "stake of the --identity validator")
		creation      = fs.String("creation-time", "", "genesis time, Unix seconds or RFC 3339 (default now; pass it for byte-identical output)")
		slotMs        = fs.Uint64("slot-ms", uint64(d.SlotDuration/time.Millisecond), "slot duration in milliseconds")
		ticks         = fs.Uint64("ticks-per-slot", d.TicksPerSlot, "PoH ticks per slot")
		hashes        = fs.Uint64("hashes-per-tick", d.HashesPerTick, "PoH hashes per tick (0: low-power mode)")
		epoch         = fs.Uint64("slots-per-epoch", d.SlotsPerEpoch, "slots per epoch")
		age           = fs.Uint64("max-processing-age", d.MaxProcessingAge, "blocks a blockhash stays valid")
		lamportsSig   = fs.Uint64("lamports-per-signature", d.LamportsPerSignature, "fee per signature")
		byteYear      = fs.Uint64("lamports-per-byte-year", d.Rent.LamportsPerByteYear, "rent per byte-year")
		exemption     = fs.Float64("rent-exemption-threshold", d.Rent.ExemptionThreshold, "years of rent that make an account exempt")
		burn          = fs.Uint("rent-burn-percentage", uint(d.Rent.BurnPercent), "percent of collected rent burnt")
		blockCompute  = fs.Uint64("block-compute-limit", d.BlockComputeLimit, "compute units a block may use")
		acctCompute   = fs.Uint64("account-compute-limit", d.AccountComputeLimit, "compute units a block may use per writable account")
		validators    listFlag
		accounts      listFlag
		lamportsSigSo uint64
	)
	fs.Uint64Var(&lamportsSigSo, "target-lamports-per-signature", 0, "same as --lamports-per-signature (solana-genesis name)")
	fs.StringVar(&out, "o", "", "write the genesis to `FILE` (required; never overwritten)")
	fs.StringVar(&output, "output", "", "same as -o")
	fs.Var(&validators, "validator", "another validator, `IDENTITY:VOTE:STAKE_LAMPORTS` (keypair files or pubkeys); repeatable")
	fs.Var(&accounts, "account", "an initial system account, `PUBKEY:LAMPORTS`; repeatable")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if out == "" {
		out = output
	}
	switch {
	case fs.NArg() != 0:
		return usagef("unexpected argument %q", fs.Arg(0))
	case out == "":
		return usagef("-o FILE is required")
	case *identity == "" || *voteAccount == "":
		return usagef("--identity FILE and --vote-account FILE are required")
	case *burn > 100:
		return usagef("--rent-burn-percentage %d above 100", *burn)
	case *slotMs > uint64(genesis.SlotDurationMax/time.Millisecond):
		return usagef("--slot-ms %d above %v", *slotMs, genesis.SlotDurationMax)
	}
	if lamportsSigSo != 0 {
		*lamportsSig = lamportsSigSo
	}
	if _, err := os.Lstat(out); err == nil {
		return fmt.Errorf("%s already exists; a genesis is never overwritten", out)
	}

	g := d
	var err error
	if g.CreationTime, err = parseCreationTime(*creation); err != nil {
		return err
	}
	g.SlotDuration = time.Duration(*slotMs) * time.Millisecond
	g.TicksPerSlot, g.HashesPerTick, g.SlotsPerEpoch = *ticks, *hashes, *epoch
	g.MaxProcessingAge, g.LamportsPerSignature = *age, *lamportsSig
	g.Rent.LamportsPerByteYear, g.Rent.ExemptionThreshold, g.Rent.BurnPercent = *byteYear, *exemption, uint8(*burn)
	g.BlockComputeLimit, g.AccountComputeLimit = *blockCompute, *acctCompute

	id, err := readKeypairPubkey(*identity)
	if err != nil {
		return err
	}
	vote, err := pubkeyOrKeypairFile(*voteAccount)
	if err != nil {
		return err
	}
	g.Validators = []genesis.Validator{{Identity: id, VoteAccount: vote, StakeLamports: *stakeLam, IdentityLamports: *identityLam}}
	for _, v := range validators {
		val, err := parseValidator(v, *identityLam)
		if err != nil {
			return err
		}
		g.Validators = append(g.Validators, val)
	}
	if *faucet != "" {
		k, err := pubkeyOrKeypairFile(*faucet)
		if err != nil {
			return err
		}
		g.Accounts[k] = genesis.Account{Lamports: *faucetLam, Owner: sdk.SystemProgramID}
	}
	for _, a := range accounts {
		k, lamports, err := parseAccount(a)
		if err != nil {
			return err
		}
		if _, dup := g.Accounts[k]; dup {
			return fmt.Errorf("--account %s: account given twice", k)
		}
		g.Accounts[k] = genesis.Account{Lamports: lamports, Owner: sdk.SystemProgramID}
	}
	if err := g.WriteFile(out); err != nil {
		return err
	}
	h := g.Hash()
	log.Info("wrote genesis", "path", out, "hash", h, "shred_version", genesis.ShredVersion(h),
		"validators", len(g.Validators), "accounts", len(g.Accounts), "creation_time", g.CreationTime)
	fmt.Fprintln(stdout, h)
	return nil
}

// parseCreationTime reads Unix seconds or RFC 3339; empty is now, the one
// input that makes two runs differ.
func parseCreationTime(s string) (int64, error) {
	if s == "" {
		return time.Now().Unix(), nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return 0, usagef("--creation-time %q: want Unix seconds or RFC 3339", s)
	}
	return t.Unix(), nil
}

// readKeypairPubkey reads a keypair file: the identity must be one, since
// the node will sign with it.
func readKeypairPubkey(path string) (sdk.Pubkey, error) {
	kp, err := sdk.ReadKeypairFile(path)
	if err != nil {
		return sdk.Pubkey{}, err
	}
	return kp.Pubkey(), nil
}

// pubkeyOrKeypairFile accepts a base58 pubkey or a keypair file's path.
func pubkeyOrKeypairFile(s string) (sdk.Pubkey, error) {
	if k, err := sdk.ParsePubkey(s); err == nil {
		return k, nil
	}
	return readKeypairPubkey(s)
}

// parseValidator reads IDENTITY:VOTE:STAKE_LAMPORTS. Paths may contain ':',
// so the stake is split off the right and the vote from what remains.
func parseValidator(s string, identityLamports uint64) (genesis.Validator, error) {
	rest, stakeStr, ok := cutLast(s)
	idStr, voteStr, ok2 := cutLast(rest)
	if !ok || !ok2 || idStr == "" || voteStr == "" {
		return genesis.Validator{}, usagef("--validator %q: want IDENTITY:VOTE:STAKE_LAMPORTS", s)
	}
	stake, err := strconv.ParseUint(stakeStr, 10, 64)
	if err != nil {
		return genesis.Validator{}, usagef("--validator %q: stake %q is not a lamport count", s, stakeStr)
	}
	id, err := pubkeyOrKeypairFile(idStr)
	if err != nil {
		return genesis.Validator{}, fmt.Errorf("--validator identity: %w", err)
	}
	vote, err := pubkeyOrKeypairFile(voteStr)
	if err != nil {
		return genesis.Validator{}, fmt.Errorf("--validator vote account: %w", err)
	}
	return genesis.Validator{Identity: id, VoteAccount: vote, StakeLamports: stake, IdentityLamports: identityLamports}, nil
}

func parseAccount(s string) (sdk.Pubkey, uint64, error) {
	keyStr, lamStr, ok := strings.Cut(s, ":")
	if !ok {
		return sdk.Pubkey{}, 0, usagef("--account %q: want PUBKEY:LAMPORTS", s)
	}
	k, err := sdk.ParsePubkey(keyStr)
	if err != nil {
		return sdk.Pubkey{}, 0, usagef("--account %q: %v", s, err)
	}
	l, err := strconv.ParseUint(lamStr, 10, 64)
	if err != nil {
		return sdk.Pubkey{}, 0, usagef("--account %q: lamports %q is not a number", s, lamStr)
	}
	return k, l, nil
}

func cutLast(s string) (before, after string, ok bool) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+1:], true
}
