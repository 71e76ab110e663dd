package system

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/gnomon-chain/gnomon/runtime/invoke"
	"github.com/gnomon-chain/gnomon/runtime/sysvar"
	"github.com/gnomon-chain/gnomon/sdk"
)

var (
	alice    = sdk.Pubkey{1}
	bob      = sdk.Pubkey{2}
	carol    = sdk.Pubkey{3}
	someProg = sdk.Pubkey{9, 9}
)

func testEnv() *invoke.Env {
	return &invoke.Env{
		Programs:             invoke.Programs{ID: Builtin},
		Rent:                 sysvar.DefaultRent,
		RecentBlockhashes:    []sysvar.RecentBlockhash{{Blockhash: sdk.Hash{7}, LamportsPerSignature: 5000}},
		Blockhash:            sdk.Hash{7},
		LamportsPerSignature: 5000,
	}
}

// acct is a test account: key, lamports, owner (System if zero), signer, writable.
type acct struct {
	key              sdk.Pubkey
	lamports         uint64
	owner            sdk.Pubkey
	data             []byte
	signer, writable bool
}

// run executes one System instruction over accts (the program account is
// appended last) and returns the transaction state and the error.
func run(t *testing.T, env *invoke.Env, data []byte, accts ...acct) (*invoke.Transaction, error) {
	t.Helper()
	var tas []invoke.TxAccount
	idx := make([]uint8, len(accts))
	for i, a := range accts {
		tas = append(tas, invoke.TxAccount{Key: a.key, Signer: a.signer, Writable: a.writable,
			Account: sdk.Account{Lamports: a.lamports, Owner: a.owner, Data: slices.Clone(a.data)}})
		idx[i] = uint8(i)
	}
	tas = append(tas, invoke.TxAccount{Key: ID, Account: sdk.Account{Lamports: 1, Owner: sdk.NativeLoaderID, Executable: true}})
	tx := invoke.NewTransaction(env, tas, 200_000)
	err := tx.ExecuteInstruction(0, &sdk.CompiledInstruction{ProgramIDIndex: uint8(len(accts)), Accounts: idx, Data: data})
	if err == nil {
		return tx, nil
	}
	return tx, err
}

func lamports(tx *invoke.Transaction, i int) uint64 { return tx.Accounts[i].Account.Lamports }

func TestTransferMovesLamportsAndLogs(t *testing.T) {
	tx, err := run(t, testEnv(), TransferData(300),
		acct{key: alice, lamports: 1000, signer: true, writable: true},
		acct{key: bob, lamports: 5, writable: true})
	if err != nil {
		t.Fatal(err)
	}
	if lamports(tx, 0) != 700 || lamports(tx, 1) != 305 {
		t.Fatalf("balances %d %d", lamports(tx, 0), lamports(tx, 1))
	}
	want := []string{"Program 11111111111111111111111111111111 invoke [1]", "Program 11111111111111111111111111111111 success"}
	if !slices.Equal(tx.Logs, want) {
		t.Fatalf("logs %q", tx.Logs)
	}
	if tx.ComputeUsed() != ComputeUnits {
		t.Fatalf("compute %d", tx.ComputeUsed())
	}
}

// TestSystemErrors reaches every error the System program returns, with the
// exact code a client sees.
func TestSystemErrors(t *testing.T) {
	env := testEnv()
	payer := acct{key: alice, lamports: 10_000_000, signer: true, writable: true}
	fresh := acct{key: bob, signer: true, writable: true}
	seedAddr, _ := CreateWithSeed(alice, []byte("s"), someProg)
	withNonce := func(s NonceState, lamports uint64) acct {
		d := make([]byte, NonceAccountSize)
		copy(d, s.Encode())
		return acct{key: carol, lamports: lamports, data: d, writable: true}
	}
	initialized := NonceState{Initialized: true, Authority: alice, DurableNonce: sdk.Hash{1}}
	rbh := acct{key: sdk.SysvarRecentBlockhashes}
	rent := acct{key: sdk.SysvarRentID}
	noBlockhashes := testEnv()
	noBlockhashes.RecentBlockhashes = nil
	cases := []struct {
		name  string
		env   *invoke.Env
		data  []byte
		accts []acct
		want  error
	}{
		{"AccountAlreadyInUse: create over a funded account", env, CreateAccountData(1, 0, someProg),
			[]acct{payer, {key: bob, lamports: 1, signer: true, writable: true}}, invoke.CustomErr(ErrAccountAlreadyInUse)},
		{"AccountAlreadyInUse: allocate an account with data", env, AllocateData(10),
			[]acct{{key: bob, data: []byte{1}, signer: true, writable: true}}, invoke.CustomErr(ErrAccountAlreadyInUse)},
		{"ResultWithNegativeLamports: transfer more than the balance", env, TransferData(20_000_000),
			[]acct{payer, fresh}, invoke.CustomErr(ErrResultWithNegativeLamports)},
		{"InvalidAccountDataLength: allocate past 10 MiB", env, AllocateData(sdk.MaxAccountDataLen + 1),
			[]acct{fresh}, invoke.CustomErr(ErrInvalidAccountDataLength)},
		{"MaxSeedLengthExceeded: a 33-byte seed", env, AssignWithSeedData(alice, strings.Repeat("x", 33), someProg),
			[]acct{{key: seedAddr, writable: true}, payer}, invoke.CustomErr(ErrMaxSeedLengthExceeded)},
		{"AddressWithSeedMismatch: wrong derived address", env, AssignWithSeedData(alice, "t", someProg),
			[]acct{{key: seedAddr, writable: true}, payer}, invoke.CustomErr(ErrAddressWithSeedMismatch)},
		{"NonceNoRecentBlockhashes: advance with an empty sysvar", noBlockhashes, AdvanceNonceData(),
			[]acct{withNonce(initialized, 2_000_000), rbh, payer}, invoke.CustomErr(ErrNonceNoRecentBlockhashes)},
		{"NonceBlockhashNotExpired: advance twice in a slot", env, AdvanceNonceData(),
			[]acct{withNonce(NonceState{Initialized: true, Authority: alice, DurableNonce: DurableNonceOf(sdk.Hash{7})}, 2_000_000), rbh, payer},
			invoke.CustomErr(ErrNonceBlockhashNotExpired)},
		{"MissingRequiredSignature: transfer from a non-signer", env, TransferData(1),
			[]acct{{key: alice, lamports: 10, writable: true}, fresh}, invoke.Err(invoke.MissingRequiredSignature)},
		{"MissingRequiredSignature: create without the new account's signature", env, CreateAccountData(1, 0, someProg),
			[]acct{payer, {key: bob, writable: true}}, invoke.Err(invoke.MissingRequiredSignature)},
		{"InvalidArgument: transfer from an account with data", env, TransferData(1),
			[]acct{{key: alice, lamports: 10, data: []byte{0}, signer: true, writable: true}, fresh}, invoke.Err(invoke.InvalidArgument)},
		{"ReadonlyLamportChange: transfer to a read-only account", env, TransferData(0),
			[]acct{payer, {key: bob}}, invoke.Err(invoke.ReadonlyLamportChange)},
		{"ExternalAccountLamportSpend: transfer from an account another program owns", env, TransferData(1),
			[]acct{{key: alice, lamports: 10, owner: someProg, signer: true, writable: true}, fresh}, invoke.Err(invoke.ExternalAccountLamportSpend)},
		{"ModifiedProgramId: assign an account another program owns", env, AssignData(sdk.Pubkey{4}),
			[]acct{{key: bob, owner: someProg, signer: true, writable: true}}, invoke.Err(invoke.ModifiedProgramID)},
		{"IllegalOwner: seed owner ending in the PDA marker", env, AssignWithSeedData(alice, "s",
			sdk.Pubkey([]byte("01234567890ProgramDerivedAddress"))),
			[]acct{{key: seedAddr, writable: true}, payer}, invoke.Err(invoke.IllegalOwner)},
		{"InvalidInstructionData: unknown tag", env, []byte{13, 0, 0, 0}, []acct{payer}, invoke.Err(invoke.InvalidInstructionData)},
		{"InvalidInstructionData: truncated transfer", env, TransferData(1)[:10], []acct{payer, fresh}, invoke.Err(invoke.InvalidInstructionData)},
		{"InvalidInstructionData: seed is not UTF-8", env, AssignWithSeedData(alice, "\xff", someProg),
			[]acct{{key: seedAddr, writable: true}, payer}, invoke.Err(invoke.InvalidInstructionData)},
		{"NotEnoughAccountKeys: transfer with one account", env, TransferData(1), []acct{payer}, invoke.Err(invoke.NotEnoughAccountKeys)},
		{"InvalidAccountData: advance an uninitialized nonce", env, AdvanceNonceData(),
			[]acct{withNonce(NonceState{}, 2_000_000), rbh, payer}, invoke.Err(invoke.InvalidAccountData)},
		{"InvalidArgument: advance with the wrong sysvar", env, AdvanceNonceData(),
			[]acct{withNonce(initialized, 2_000_000), rent, payer}, invoke.Err(invoke.InvalidArgument)},
		{"InsufficientFunds: initialize a nonce below rent exemption", env, InitializeNonceData(alice),
			[]acct{withNonce(NonceState{}, 1000), rbh, rent}, invoke.Err(invoke.InsufficientFunds)},
		{"InsufficientFunds: withdraw into the rent reserve", env, WithdrawNonceData(1_000_000),
			[]acct{withNonce(initialized, 2_000_000), {key: bob, writable: true}, rbh, rent, payer}, invoke.Err(invoke.InsufficientFunds)},
		{"MissingRequiredSignature: withdraw without the nonce authority", env, WithdrawNonceData(1),
			[]acct{withNonce(initialized, 2_000_000), {key: bob, writable: true}, rbh, rent}, invoke.Err(invoke.MissingRequiredSignature)},
		{"InvalidArgument: upgrade a current-version nonce", env, UpgradeNonceData(),
			[]acct{withNonce(initialized, 2_000_000)}, invoke.Err(invoke.InvalidArgument)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tx, err := run(t, c.env, c.data, c.accts...)
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			last := tx.Logs[len(tx.Logs)-1]
			if !strings.HasSuffix(last, " failed: "+c.want.Error()) {
				t.Fatalf("last log %q", last)
			}
		})
	}
}

func TestCreateAccountWithSeedAllocatesAssignsAndFunds(t *testing.T) {
	addr, err := CreateWithSeed(alice, []byte("vault"), someProg)
	if err != nil {
		t.Fatal(err)
	}
	rentMin := sysvar.DefaultRent.MinimumBalance(64)
	tx, err := run(t, testEnv(), CreateAccountWithSeedData(alice, "vault", rentMin, 64, someProg),
		acct{key: alice, lamports: 10_000_000, signer: true, writable: true},
		acct{key: addr, writable: true})
	if err != nil {
		t.Fatal(err, tx.Logs)
	}
	got := tx.Accounts[1].Account
	if got.Lamports != rentMin || len(got.Data) != 64 || got.Owner != someProg {
		t.Fatalf("created %+v", got)
	}
	if lamports(tx, 0) != 10_000_000-rentMin {
		t.Fatal("payer not debited")
	}
}

func TestTransferWithSeed(t *testing.T) {
	from, _ := CreateWithSeed(alice, []byte("pot"), ID)
	tx, err := run(t, testEnv(), TransferWithSeedData(40, "pot", ID),
		acct{key: from, lamports: 100, writable: true}, acct{key: bob, writable: true}, acct{key: alice, signer: true})
	if err != nil {
		t.Fatal(err)
	}
	if lamports(tx, 0) != 60 || lamports(tx, 1) != 40 {
		t.Fatal("wrong balances")
	}
	_, err = run(t, testEnv(), TransferWithSeedData(40, "pot", ID),
		acct{key: from, lamports: 100, writable: true}, acct{key: bob, writable: true}, acct{key: alice})
	if !errors.Is(err, invoke.Err(invoke.MissingRequiredSignature)) {
		t.Fatalf("unsigned base: %v", err)
	}
}

// TestNonceLifecycle: initialize, advance (only once per blockhash),
// authorize, withdraw part, then all of it, which closes the nonce.
func TestNonceLifecycle(t *testing.T) {
	env := testEnv()
	min := env.Rent.MinimumBalance(NonceAccountSize)
	nonce := acct{key: carol, lamports: min + 1000, data: make([]byte, NonceAccountSize), writable: true}
	rbh, rent := acct{key: sdk.SysvarRecentBlockhashes}, acct{key: sdk.SysvarRentID}
	tx, err := run(t, env, InitializeNonceData(alice), nonce, rbh, rent)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := DecodeNonce(tx.Accounts[0].Account.Data)
	if !s.Initialized || s.Authority != alice || s.DurableNonce != DurableNonceOf(env.Blockhash) || s.LamportsPerSignature != 5000 {
		t.Fatalf("state %+v", s)
	}
	nonce.data = tx.Accounts[0].Account.Data
	if _, err := run(t, env, AdvanceNonceData(), nonce, rbh, acct{key: alice, signer: true}); !errors.Is(err, invoke.CustomErr(ErrNonceBlockhashNotExpired)) {
		t.Fatalf("advance in the same slot: %v", err)
	}
	next := testEnv()
	next.Blockhash = sdk.Hash{8}
	tx, err = run(t, next, AdvanceNonceData(), nonce, rbh, acct{key: alice, signer: true})
	if err != nil {
		t.Fatal(err)
	}
	s, _ = DecodeNonce(tx.Accounts[0].Account.Data)
	if s.DurableNonce != DurableNonceOf(sdk.Hash{8}) {
		t.Fatal("nonce did not advance")
	}
	nonce.data = tx.Accounts[0].Account.Data
	tx, err = run(t, next, AuthorizeNonceData(bob), nonce, acct{key: alice, signer: true})
	if err != nil {
		t.Fatal(err)
	}
	nonce.data = tx.Accounts[0].Account.Data
	if _, err := run(t, next, WithdrawNonceData(1000), nonce, acct{key: alice, writable: true}, rbh, rent, acct{key: alice, signer: true}); !errors.Is(err, invoke.Err(invoke.MissingRequiredSignature)) {
		t.Fatalf("old authority withdrew: %v", err)
	}
	tx, err = run(t, next, WithdrawNonceData(1000), nonce, acct{key: dave, writable: true}, rbh, rent, acct{key: bob, signer: true})
	if err != nil {
		t.Fatal(err)
	}
	if lamports(tx, 0) != min || lamports(tx, 1) != 1000 {
		t.Fatal("partial withdraw balances")
	}
	nonce.lamports = min
	later := testEnv()
	later.Blockhash = sdk.Hash{9}
	tx, err = run(t, later, WithdrawNonceData(min), nonce, acct{key: dave, writable: true}, rbh, rent, acct{key: bob, signer: true})
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := DecodeNonce(tx.Accounts[0].Account.Data); s.Initialized || lamports(tx, 0) != 0 {
		t.Fatal("full withdraw did not close the nonce")
	}
}

var dave = sdk.Pubkey{4}

func TestLegacyNonceUpgrades(t *testing.T) {
	legacy := NonceState{Legacy: true, Initialized: true, Authority: alice, DurableNonce: sdk.Hash{5}}
	d := make([]byte, NonceAccountSize)
	copy(d, legacy.Encode())
	tx, err := run(t, testEnv(), UpgradeNonceData(), acct{key: carol, lamports: 2_000_000, data: d, writable: true})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := DecodeNonce(tx.Accounts[0].Account.Data)
	if s.Legacy || s.DurableNonce != DurableNonceOf(sdk.Hash{5}) {
		t.Fatalf("upgraded %+v", s)
	}
}

// FuzzExecute runs arbitrary instruction data over a fixed set of accounts:
// never a panic, and a successful instruction conserves lamports. (A failed
// one may leave partial changes: the bank discards every change of a failed
// transaction but its fee.)
func FuzzExecute(f *testing.F) {
	f.Add(TransferData(5), uint8(3))
	f.Add(CreateAccountData(10, 8, someProg), uint8(7))
	f.Add(CreateAccountWithSeedData(alice, "s", 1, 1, someProg), uint8(1))
	f.Add(AdvanceNonceData(), uint8(0))
	f.Add(WithdrawNonceData(3), uint8(255))
	f.Fuzz(func(t *testing.T, data []byte, flags uint8) {
		d := make([]byte, NonceAccountSize)
		copy(d, NonceState{Initialized: true, Authority: alice}.Encode())
		accts := []acct{
			{key: alice, lamports: 1_000_000, signer: flags&1 != 0, writable: flags&2 != 0},
			{key: bob, lamports: uint64(flags), signer: flags&4 != 0, writable: flags&8 != 0},
			{key: sdk.SysvarRecentBlockhashes},
			{key: sdk.SysvarRentID},
			{key: carol, lamports: 3_000_000, data: d, writable: flags&16 != 0, owner: ID},
		}
		var total uint64
		for _, a := range accts {
			total += a.lamports
		}
		tx, err := run(t, testEnv(), data, accts...)
		if err != nil {
			return
		}
		var after uint64
		for i := range accts {
			after += tx.Accounts[i].Account.Lamports
		}
		if after != total {
			t.Fatalf("lamports %d -> %d", total, after)
		}
	})
}

func BenchmarkTransfer(b *testing.B) {
	env := testEnv()
	tas := []invoke.TxAccount{
		{Key: alice, Signer: true, Writable: true, Account: sdk.Account{Lamports: 1 << 62}},
		{Key: bob, Writable: true},
		{Key: ID, Account: sdk.Account{Lamports: 1, Owner: sdk.NativeLoaderID, Executable: true}},
	}
	ix := &sdk.CompiledInstruction{ProgramIDIndex: 2, Accounts: []uint8{0, 1}, Data: TransferData(1)}
	tx := invoke.NewTransaction(env, tas, 200_000)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		tx.Reset(env, tas, 200_000)
		if err := tx.ExecuteInstruction(0, ix); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "tx/s")
}
