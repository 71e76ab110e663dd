package genesis

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gnomon-chain/gnomon/runtime"
	"github.com/gnomon-chain/gnomon/runtime/programs/vote"
	"github.com/gnomon-chain/gnomon/sdk"
)

func key(b byte) sdk.Pubkey {
	var s [32]byte
	s[0] = b
	return sdk.KeypairFromSeed(s).Pubkey()
}

var testTime = time.Unix(1_750_000_000, 0)

// twoValidatorGenesis has two validators, a faucet and a program-owned
// account with data, built in the order given.
func twoValidatorGenesis(reverse bool) Genesis {
	g := DevGenesis(key(1), key(2), key(3), testTime)
	g.Validators = append(g.Validators, Validator{Identity: key(4), VoteAccount: key(5), StakeLamports: 7, IdentityLamports: 9})
	extra := []struct {
		k sdk.Pubkey
		a Account
	}{
		{key(6), Account{Lamports: 10, Owner: key(7), Data: []byte{1, 2, 3}}},
		{key(8), Account{Lamports: 11, Owner: sdk.SystemProgramID, Executable: true}},
	}
	if reverse {
		g.Validators[0], g.Validators[1] = g.Validators[1], g.Validators[0]
		extra[0], extra[1] = extra[1], extra[0]
	}
	for _, e := range extra {
		g.Accounts[e.k] = e.a
	}
	return g
}

func TestEncodeIsDeterministic(t *testing.T) {
	a, b := twoValidatorGenesis(false), twoValidatorGenesis(true)
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	ea := a.Encode()
	for range 20 { // map iteration order varies from run to run
		if !bytes.Equal(ea, b.Encode()) || !bytes.Equal(ea, a.Encode()) {
			t.Fatal("same genesis encoded to different bytes")
		}
	}
	if a.Hash() != b.Hash() || a.Hash() != hashBytes(ea) {
		t.Fatal("same genesis hashed differently")
	}
	d, err := Decode(ea)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(d.Encode(), ea) || d.Hash() != a.Hash() {
		t.Fatal("Decode then Encode changed the bytes")
	}
	c := twoValidatorGenesis(false)
	c.CreationTime++
	if c.Hash() == a.Hash() {
		t.Fatal("a different creation time kept the hash")
	}
}

func TestShredVersionIsNeverZero(t *testing.T) {
	if v := ShredVersion(sdk.Hash{}); v != 1 {
		t.Fatalf("zero hash: shred version %d, want 1", v)
	}
	var h sdk.Hash
	h[0], h[1] = 0xff, 0xff
	if v := ShredVersion(h); v != math.MaxUint16 {
		t.Fatalf("shred version %d, want saturated %d", v, math.MaxUint16)
	}
	g := twoValidatorGenesis(false)
	if g.ShredVersion() == 0 || g.ShredVersion() != ShredVersion(g.Hash()) {
		t.Fatal("genesis shred version wrong")
	}
}

func TestRuntimeAcceptsGenesis(t *testing.T) {
	g := twoValidatorGenesis(false)
	cfg := g.RuntimeConfig()
	if cfg.GenesisHash != g.Hash() || cfg.SlotDurationNs != 100_000_000 || cfg.MaxProcessingAge != 600 {
		t.Fatalf("runtime config %+v", cfg)
	}
	bank, err := runtime.NewGenesisBank(cfg, g.GenesisAccounts(), runtime.NewAccounts(), runtime.NewStatusCache())
	if err != nil {
		t.Fatal(err)
	}
	if f := bank.Account(key(3)); f == nil || f.Lamports != 500_000_000*LamportsPerSOL {
		t.Fatalf("faucet account %+v", f)
	}
	if id := bank.Account(key(4)); id == nil || id.Lamports != 9 || id.Owner != sdk.SystemProgramID {
		t.Fatalf("identity account %+v", id)
	}
	va := bank.Account(key(2))
	if va == nil || va.Owner != vote.ID || len(va.Data) != vote.StateSize || va.Lamports < g.Rent.MinimumBalance(vote.StateSize) {
		t.Fatalf("vote account %+v", va)
	}
	st, err := vote.DecodeState(va.Data)
	if err != nil {
		t.Fatal(err)
	}
	if st.NodePubkey != key(1) || st.AuthorizedWithdrawer != key(1) || st.Commission != VoteCommission ||
		len(st.AuthorizedVoters) != 1 || st.AuthorizedVoters[0].Pubkey != key(1) {
		t.Fatalf("vote state %+v", st)
	}
	if a := bank.Account(key(6)); a == nil || !bytes.Equal(a.Data, []byte{1, 2, 3}) || a.Owner != key(7) {
		t.Fatalf("initial account %+v", a)
	}
	if p := g.PohConfig(); p.Validate() != nil || p.TicksPerSlot != DevTicksPerSlot {
		t.Fatalf("poh config %+v", p)
	}
}

func TestValidateRejectsBadParameters(t *testing.T) {
	cases := map[string]func(g *Genesis){
		"creation time":          func(g *Genesis) { g.CreationTime = 0 },
		"slot duration":          func(g *Genesis) { g.SlotDuration = 0 },
		"slot duration ":         func(g *Genesis) { g.SlotDuration = time.Hour },
		"ticks per slot":         func(g *Genesis) { g.TicksPerSlot = 0 },
		"hashes per tick":        func(g *Genesis) { g.HashesPerTick = 1 },
		"slots per epoch":        func(g *Genesis) { g.SlotsPerEpoch = 0 },
		"max processing age":     func(g *Genesis) { g.MaxProcessingAge = 10 },
		"lamports per signature": func(g *Genesis) { g.LamportsPerSignature = 0 },
		"lamports per byte-year": func(g *Genesis) { g.Rent.LamportsPerByteYear = 0 },
		"exemption threshold":    func(g *Genesis) { g.Rent.ExemptionThreshold = math.NaN() },
		"burn percent":           func(g *Genesis) { g.Rent.BurnPercent = 101 },
		"block compute limit":    func(g *Genesis) { g.BlockComputeLimit = 0 },
		"account compute limit":  func(g *Genesis) { g.AccountComputeLimit = g.BlockComputeLimit + 1 },
		"no validators":          func(g *Genesis) { g.Validators = nil },
		"zero stake":             func(g *Genesis) { g.Validators[0].StakeLamports = 0 },
		"is also":                func(g *Genesis) { g.Validators[1].VoteAccount = g.Validators[0].Identity },
		"sysvar":                 func(g *Genesis) { g.Accounts[sdk.SysvarClockID] = Account{Lamports: 1} },
		"zero lamports":          func(g *Genesis) { g.Accounts[key(9)] = Account{} },
		"overflow":               func(g *Genesis) { g.Accounts[key(9)] = Account{Lamports: math.MaxUint64} },
	}
	for want, mutate := range cases {
		g := twoValidatorGenesis(false)
		mutate(&g)
		err := g.Validate()
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), strings.TrimSpace(want)) {
			t.Errorf("%s: Validate = %v", want, err)
		}
		if _, err := Decode(g.Encode()); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: Decode = %v", want, err)
		}
	}
}

// offsets in the fixed layout, for corrupting encoded bytes.
const (
	offVersion    = 4
	offValidators = 4 + 4 + 8*10 + 1 + 8 // the validator count
)

func TestDecodeRejectsNonCanonicalBytes(t *testing.T) {
	good := twoValidatorGenesis(false)
	enc := good.Encode()
	offAccounts := offValidators + 4 + 2*validatorSize
	firstAccount := offAccounts + 4
	cases := map[string]func() []byte{
		"truncated":       func() []byte { return nil },
		"not a genesis":   func() []byte { b := bytes.Clone(enc); b[0] = 'X'; return b },
		"unknown version": func() []byte { b := bytes.Clone(enc); b[offVersion] = 2; return b },
		"trailing bytes":  func() []byte { return append(bytes.Clone(enc), 0) },
		"truncated ":      func() []byte { return enc[:len(enc)-1] },
		"validator count": func() []byte {
			b := bytes.Clone(enc)
			binary.LittleEndian.PutUint32(b[offValidators:], math.MaxUint32)
			return b
		},
		"account count": func() []byte {
			b := bytes.Clone(enc)
			binary.LittleEndian.PutUint32(b[offAccounts:], math.MaxUint32)
			return b
		},
		"duplicate validator": func() []byte {
			b := bytes.Clone(enc)
			v := offValidators + 4
			copy(b[v+validatorSize:v+validatorSize+32], b[v:v+32])
			return b
		},
		"validators not sorted": func() []byte {
			b := bytes.Clone(enc)
			v := offValidators + 4
			one := bytes.Clone(b[v : v+validatorSize])
			copy(b[v:], b[v+validatorSize:v+2*validatorSize])
			copy(b[v+validatorSize:], one)
			return b
		},
		"duplicate account": func() []byte {
			g := twoValidatorGenesis(false)
			g.Accounts = map[sdk.Pubkey]Account{key(3): {Lamports: 1}}
			b := g.Encode()
			binary.LittleEndian.PutUint32(b[offAccounts:], 2)
			return append(b, b[firstAccount:]...)
		},
		"accounts not sorted": func() []byte {
			g := twoValidatorGenesis(false)
			g.Accounts = map[sdk.Pubkey]Account{{1}: {Lamports: 1}}
			b := g.Encode()
			h := twoValidatorGenesis(false)
			h.Accounts = map[sdk.Pubkey]Account{{0}: {Lamports: 1}}
			binary.LittleEndian.PutUint32(b[offAccounts:], 2)
			return append(b, h.Encode()[firstAccount:]...)
		},
		"executable flag": func() []byte {
			b := bytes.Clone(enc)
			b[firstAccount+32+8+32] = 2
			return b
		},
		"data length": func() []byte {
			b := bytes.Clone(enc)
			binary.LittleEndian.PutUint32(b[firstAccount+32+8+32+1:], math.MaxUint32)
			return b
		},
	}
	for want, corrupt := range cases {
		_, err := Decode(corrupt())
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), strings.TrimSpace(want)) {
			t.Errorf("%s: Decode = %v", want, err)
		}
	}
}

func TestWriteFileRefusesToOverwrite(t *testing.T) {
	g := twoValidatorGenesis(false)
	path := filepath.Join(t.TempDir(), "genesis.bin")
	if err := g.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o644 {
		t.Fatalf("stat %v, %v", fi, err)
	}
	if err := g.WriteFile(path); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("second write: %v", err)
	}
	r, err := ReadFile(path)
	if err != nil || r.Hash() != g.Hash() {
		t.Fatalf("read back: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("left %d files behind", len(entries))
	}
	bad := Genesis{}
	if err := bad.WriteFile(filepath.Join(t.TempDir(), "g")); !errors.Is(err, ErrInvalid) {
		t.Fatalf("invalid genesis written: %v", err)
	}
	if _, err := ReadFile(filepath.Join(t.TempDir(), "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
}

// TestGenesisDelegatesEachValidatorsStake: each validator gets a stake
// account in Solana's StakeStateV2 layout, delegating its stake to its vote
// account, active from genesis, and the runtime loads it.
func TestGenesisDelegatesEachValidatorsStake(t *testing.T) {
	id, vote, faucet := sdk.Pubkey{1}, sdk.Pubkey{2}, sdk.Pubkey{3}
	g := DevGenesis(id, vote, faucet, time.Unix(1_700_000_000, 0))
	accts := g.GenesisAccounts()
	addr := StakeAccountAddress(id)
	a, ok := accts[addr]
	if !ok {
		t.Fatal("no stake account")
	}
	reserve := g.Rent.MinimumBalance(StakeAccountSize)
	le := binary.LittleEndian
	switch {
	case a.Owner != sdk.StakeProgramID || len(a.Data) != StakeAccountSize:
		t.Fatalf("owner %s, %d bytes", a.Owner, len(a.Data))
	case le.Uint32(a.Data) != 2 || le.Uint64(a.Data[4:]) != reserve:
		t.Fatalf("tag %d reserve %d", le.Uint32(a.Data), le.Uint64(a.Data[4:]))
	case sdk.Pubkey(a.Data[124:156]) != vote || le.Uint64(a.Data[156:]) != DevStakeLamports:
		t.Fatal("delegation does not name the vote account and stake")
	case le.Uint64(a.Data[164:]) != ^uint64(0) || a.Lamports != DevStakeLamports+reserve:
		t.Fatal("not a bootstrap stake")
	}
	if StakeAccountAddress(id) == StakeAccountAddress(vote) {
		t.Fatal("stake addresses do not depend on the identity")
	}
}

func TestReadFileHashedMatchesHash(t *testing.T) {
	g := DevGenesis(sdk.Pubkey{1}, sdk.Pubkey{2}, sdk.Pubkey{3}, time.Unix(1_700_000_000, 0))
	for i := 0; i < 50; i++ {
		g.Accounts[sdk.Pubkey{0xee, byte(i)}] = Account{Lamports: uint64(i + 1), Owner: sdk.SystemProgramID}
	}
	path := filepath.Join(t.TempDir(), "genesis.bin")
	if err := g.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	got, h, err := ReadFileHashed(path)
	if err != nil {
		t.Fatal(err)
	}
	if h != g.Hash() || h != got.Hash() {
		t.Fatalf("file hash %s, Hash %s", h, g.Hash())
	}
}

func TestDecodeWithoutAccountsChecksTheirOrder(t *testing.T) {
	g := DevGenesis(sdk.Pubkey{1}, sdk.Pubkey{2}, sdk.Pubkey{3}, time.Unix(1_700_000_000, 0))
	g.Accounts[sdk.Pubkey{0xf0}] = Account{Lamports: 7, Owner: sdk.SystemProgramID, Data: []byte{1, 2}}
	b := g.Encode()
	lean, err := DecodeWithoutAccounts(b)
	if err != nil || lean.Accounts != nil || lean.SlotsPerEpoch != g.SlotsPerEpoch || len(lean.Validators) != 1 {
		t.Fatalf("lean decode %+v %v", lean, err)
	}
	// The last account's address lowered below its predecessor's: unsorted.
	bad := bytes.Clone(b)
	i := bytes.LastIndex(bad, []byte{0xf0})
	bad[i] = 0x00
	if _, err := DecodeWithoutAccounts(bad); err == nil {
		t.Fatal("accepted unsorted accounts")
	}
}
