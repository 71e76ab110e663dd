package ata

import (
	"crypto/sha256"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/gnomon-chain/gnomon/runtime/invoke"
	"github.com/gnomon-chain/gnomon/runtime/programs/system"
	"github.com/gnomon-chain/gnomon/runtime/programs/token"
	"github.com/gnomon-chain/gnomon/runtime/sysvar"
	"github.com/gnomon-chain/gnomon/sdk"
)

const (
	accountRent  = 2_039_280
	mintRent     = 1_461_600
	computeLimit = 1_400_000
)

var (
	ataIDString   = ID.String()
	tokenIDString = token.ID.String()
	systemString  = sdk.SystemProgramID.String()
)

func key(name string) sdk.Pubkey { return sdk.Pubkey(sha256.Sum256([]byte(name))) }

// world is a transaction's accounts with the System, Token and ATA programs,
// driven through the real executor; state persists across run calls.
type world struct {
	t     *testing.T
	env   *invoke.Env
	accts []invoke.TxAccount
}

func newWorld(t *testing.T) *world {
	w := &world{t: t, env: &invoke.Env{Rent: sysvar.DefaultRent, Programs: invoke.Programs{
		system.ID: system.Builtin, token.ID: token.Builtin, ID: Builtin}}}
	for _, p := range []sdk.Pubkey{system.ID, token.ID, ID} {
		w.put(p, sdk.Account{Lamports: 1, Owner: sdk.NativeLoaderID, Executable: true}, false, false)
	}
	return w
}

func (w *world) put(k sdk.Pubkey, a sdk.Account, signer, writable bool) sdk.Pubkey {
	ta := invoke.TxAccount{Key: k, Account: a, Signer: signer, Writable: writable}
	if i := w.find(k); i >= 0 {
		w.accts[i] = ta
	} else {
		w.accts = append(w.accts, ta)
	}
	return k
}

func (w *world) find(k sdk.Pubkey) int {
	for i := range w.accts {
		if w.accts[i].Key == k {
			return i
		}
	}
	return -1
}

func (w *world) get(k sdk.Pubkey) *invoke.TxAccount {
	i := w.find(k)
	if i < 0 {
		w.t.Fatalf("no account %s", k)
	}
	return &w.accts[i]
}

func (w *world) wallet(name string) sdk.Pubkey {
	return w.put(key(name), sdk.Account{Lamports: 10_000_000_000}, true, true)
}

func (w *world) mint(name string, authority sdk.Pubkey, decimals uint8) sdk.Pubkey {
	m := token.Mint{MintAuthority: token.SomePubkey(authority), Decimals: decimals, IsInitialized: true}
	return w.put(key(name), sdk.Account{Lamports: mintRent, Data: m.Encode(), Owner: token.ID}, false, true)
}

// emptyAt adds the (not yet existing) account at an address, as a
// transaction that names it loads it: zero lamports, system-owned, writable.
func (w *world) emptyAt(k sdk.Pubkey) sdk.Pubkey {
	if w.find(k) < 0 {
		w.put(k, sdk.Account{}, false, true)
	}
	return k
}

func (w *world) tokenState(k sdk.Pubkey) token.Account {
	w.t.Helper()
	a, err := token.DecodeAccount(w.get(k).Account.Data)
	if err != nil {
		w.t.Fatalf("decode %s: %v", k, err)
	}
	return a
}

func (w *world) run(program sdk.Pubkey, data []byte, keys ...sdk.Pubkey) (*invoke.Transaction, *invoke.InstructionError) {
	w.t.Helper()
	ix := &sdk.CompiledInstruction{ProgramIDIndex: uint8(w.find(program)), Data: data}
	for _, k := range keys {
		i := w.find(k)
		if i < 0 {
			w.t.Fatalf("unknown account %s", k)
		}
		ix.Accounts = append(ix.Accounts, uint8(i))
	}
	tx := invoke.NewTransaction(w.env, w.accts, computeLimit)
	return tx, tx.ExecuteInstruction(0, ix)
}

func (w *world) mustRun(program sdk.Pubkey, data []byte, keys ...sdk.Pubkey) *invoke.Transaction {
	w.t.Helper()
	tx, err := w.run(program, data, keys...)
	if err != nil {
		w.t.Fatalf("failed: %v\n%s", err, strings.Join(tx.Logs, "\n"))
	}
	return tx
}

func (w *world) wantErr(want *invoke.InstructionError, program sdk.Pubkey, data []byte, keys ...sdk.Pubkey) *invoke.Transaction {
	w.t.Helper()
	tx, err := w.run(program, data, keys...)
	if err == nil || !errors.Is(err, want) {
		w.t.Fatalf("err %v, want %v\n%s", err, want, strings.Join(tx.Logs, "\n"))
	}
	return tx
}

// createKeys are Create's accounts for wallet and mint, paid by payer.
func (w *world) createKeys(payer, wallet, mint sdk.Pubkey) []sdk.Pubkey {
	return []sdk.Pubkey{payer, w.emptyAt(Address(wallet, mint)), wallet, mint, system.ID, token.ID}
}

func TestAddressIsTheProgramDerivedAddressOfWalletTokenMint(t *testing.T) {
	wallet, mint := key("wallet"), key("mint")
	a := Address(wallet, mint)
	if a.IsOnCurve() {
		t.Fatal("associated address is on the curve")
	}
	_, bump, err := AddressWithProgram(wallet, token.ID, mint)
	if err != nil {
		t.Fatal(err)
	}
	// The seeds are in Solana's order: wallet, token program, mint.
	again, err := sdk.CreateProgramAddress([][]byte{wallet[:], token.ID[:], mint[:], {bump}}, ID)
	if err != nil || again != a {
		t.Fatalf("re-derived %s %v, want %s", again, err, a)
	}
	if Address(mint, wallet) == a || Address(wallet, key("other")) == a {
		t.Fatal("address does not depend on its seeds' order and values")
	}
}

func TestCreateInitializesTheAssociatedAccount(t *testing.T) {
	w := newWorld(t)
	payer := w.wallet("payer")
	owner := key("owner")
	w.put(owner, sdk.Account{}, false, false)
	mint := w.mint("mint", key("auth"), 6)
	keys := w.createKeys(payer, owner, mint)
	assoc := keys[1]
	tx := w.mustRun(ID, CreateData(), keys...)

	a := w.get(assoc).Account
	if a.Owner != token.ID || len(a.Data) != token.AccountSize || a.Lamports != accountRent {
		t.Fatalf("account owner %s len %d lamports %d", a.Owner, len(a.Data), a.Lamports)
	}
	if st := w.tokenState(assoc); st.Owner != owner || st.Mint != mint || st.State != token.StateInitialized || st.Amount != 0 {
		t.Fatalf("state %+v", st)
	}
	if got := w.get(payer).Account.Lamports; got != 10_000_000_000-accountRent {
		t.Fatalf("payer lamports %d", got)
	}

	want := []string{
		"Program " + ataIDString + " invoke [1]",
		"Program log: Create",
		"Program " + tokenIDString + " invoke [2]",
		"Program log: Instruction: GetAccountDataSize",
		"Program return: " + tokenIDString + " pQAAAAAAAAA=",
		"Program " + tokenIDString + " consumed 1622 of ",
		"Program " + tokenIDString + " success",
		"Program " + systemString + " invoke [2]",
		"Program " + systemString + " success",
		"Program log: Initialize the associated token account",
		"Program " + tokenIDString + " invoke [2]",
		"Program log: Instruction: InitializeImmutableOwner",
		"Program log: Please upgrade to SPL Token 2022 for immutable owner support",
		"Program " + tokenIDString + " consumed 1405 of ",
		"Program " + tokenIDString + " success",
		"Program " + tokenIDString + " invoke [2]",
		"Program log: Instruction: InitializeAccount3",
		"Program " + tokenIDString + " consumed 4188 of ",
		"Program " + tokenIDString + " success",
		"Program " + ataIDString + " consumed ",
		"Program " + ataIDString + " success",
	}
	matchLogs(t, tx.Logs, want)
	// A Create costs about what it costs on mainnet (~20k with its callees).
	if used := tx.ComputeUsed(); used < 15_000 || used > 30_000 {
		t.Fatalf("create used %d compute units", used)
	}
}

// matchLogs compares logs with want, where a want line ending in a space is
// a prefix (the rest holds compute figures).
func matchLogs(t *testing.T, logs, want []string) {
	t.Helper()
	ok := len(logs) == len(want)
	for i := 0; ok && i < len(want); i++ {
		if strings.HasSuffix(want[i], " ") {
			ok = strings.HasPrefix(logs[i], want[i])
		} else {
			ok = logs[i] == want[i]
		}
	}
	if !ok {
		t.Fatalf("logs:\n%s\nwant:\n%s", strings.Join(logs, "\n"), strings.Join(want, "\n"))
	}
}

func TestCreateOnExistingAccountIsIllegalOwner(t *testing.T) {
	w := newWorld(t)
	payer := w.wallet("payer")
	mint := w.mint("mint", key("auth"), 6)
	keys := w.createKeys(payer, payer, mint)
	w.mustRun(ID, CreateData(), keys...)
	w.wantErr(invoke.Err(invoke.IllegalOwner), ID, CreateData(), keys...)
}

func TestCreateIdempotent(t *testing.T) {
	w := newWorld(t)
	payer := w.wallet("payer")
	mint := w.mint("mint", key("auth"), 6)
	keys := w.createKeys(payer, payer, mint)
	assoc := keys[1]
	tx := w.mustRun(ID, CreateIdempotentData(), keys...)
	if !slices.Contains(tx.Logs, "Program log: CreateIdempotent") {
		t.Fatalf("logs %q", tx.Logs)
	}
	before := w.get(payer).Account.Lamports
	tx = w.mustRun(ID, CreateIdempotentData(), keys...)
	if w.get(payer).Account.Lamports != before {
		t.Fatal("second CreateIdempotent charged the payer")
	}
	matchLogs(t, tx.Logs, []string{
		"Program " + ataIDString + " invoke [1]",
		"Program log: CreateIdempotent",
		"Program " + ataIDString + " consumed ",
		"Program " + ataIDString + " success",
	})

	// The account was handed to another owner: InvalidOwner, Custom(0).
	newOwner := w.wallet("newowner")
	w.mustRun(token.ID, token.SetAuthorityData(token.AuthorityAccountOwner, &newOwner), assoc, payer)
	tx = w.wantErr(ErrInvalidOwner, ID, CreateIdempotentData(), keys...)
	if !slices.Contains(tx.Logs, "Program log: Associated token account owner does not match address derivation") {
		t.Fatalf("logs %q", tx.Logs)
	}
	// Data naming another mint: InvalidAccountData.
	st := w.tokenState(assoc)
	st.Owner, st.Mint = payer, key("other mint")
	st.EncodeInto(w.get(assoc).Account.Data)
	w.wantErr(invoke.Err(invoke.InvalidAccountData), ID, CreateIdempotentData(), keys...)
}

func TestCreateAtPrefundedAddressTopsUpAllocatesAndAssigns(t *testing.T) {
	w := newWorld(t)
	payer := w.wallet("payer")
	mint := w.mint("mint", key("auth"), 6)
	keys := w.createKeys(payer, payer, mint)
	assoc := keys[1]
	w.get(assoc).Account.Lamports = 1_000
	tx := w.mustRun(ID, CreateData(), keys...)
	if a := w.get(assoc).Account; a.Lamports != accountRent || a.Owner != token.ID || len(a.Data) != token.AccountSize {
		t.Fatalf("account %d lamports, owner %s, %d bytes", a.Lamports, a.Owner, len(a.Data))
	}
	if got := w.get(payer).Account.Lamports; got != 10_000_000_000-(accountRent-1_000) {
		t.Fatalf("payer lamports %d", got)
	}
	if n := strings.Count(strings.Join(tx.Logs, "\n"), "Program "+systemString+" invoke [2]"); n != 3 {
		t.Fatalf("%d System invocations, want 3 (transfer, allocate, assign)\n%s", n, strings.Join(tx.Logs, "\n"))
	}
	// Already rent-exempt: no transfer, just allocate and assign.
	w2 := newWorld(t)
	payer2 := w2.wallet("payer")
	mint2 := w2.mint("mint", key("auth"), 6)
	keys2 := w2.createKeys(payer2, payer2, mint2)
	w2.get(keys2[1]).Account.Lamports = accountRent + 5
	tx = w2.mustRun(ID, CreateData(), keys2...)
	if n := strings.Count(strings.Join(tx.Logs, "\n"), "Program "+systemString+" invoke [2]"); n != 2 {
		t.Fatalf("%d System invocations, want 2", n)
	}
	if w2.get(payer2).Account.Lamports != 10_000_000_000 || w2.tokenState(keys2[1]).Owner != payer2 {
		t.Fatal("prefunded create charged the payer or did not initialize")
	}
}

func TestCreateRejectsWrongAddress(t *testing.T) {
	w := newWorld(t)
	payer := w.wallet("payer")
	mint := w.mint("mint", key("auth"), 6)
	keys := w.createKeys(payer, payer, mint)
	keys[1] = w.emptyAt(key("not the address"))
	tx := w.wantErr(invoke.Err(invoke.InvalidSeeds), ID, CreateData(), keys...)
	if !slices.Contains(tx.Logs, "Program log: Error: Associated address does not match seed derivation") {
		t.Fatalf("logs %q", tx.Logs)
	}
	w.wantErr(invoke.Err(invoke.NotEnoughAccountKeys), ID, CreateData(), keys[:5]...)
}

func TestCreateNeedsPayerSignatureAndValidMint(t *testing.T) {
	w := newWorld(t)
	payer := w.wallet("payer")
	mint := w.mint("mint", key("auth"), 6)
	keys := w.createKeys(payer, payer, mint)
	w.get(payer).Signer = false
	w.wantErr(invoke.Err(invoke.PrivilegeEscalation), ID, CreateData(), keys...)
	w.get(payer).Signer = true

	bad := w.put(key("badmint"), sdk.Account{Lamports: mintRent, Data: make([]byte, token.MintSize), Owner: token.ID}, false, false)
	w.wantErr(token.ErrInvalidMint, ID, CreateData(), w.createKeys(payer, payer, bad)...)
}

func TestInstructionDataIsABorshTag(t *testing.T) {
	w := newWorld(t)
	payer := w.wallet("payer")
	mint := w.mint("mint", key("auth"), 6)
	keys := w.createKeys(payer, payer, mint)
	for _, data := range [][]byte{{3}, {0, 0}, {1, 2}} {
		tx := w.wantErr(invoke.Err(invoke.InvalidInstructionData), ID, data, keys...)
		if slices.Contains(tx.Logs, "Program log: Create") {
			t.Fatalf("data %v logged an instruction", data)
		}
	}
	tx := w.mustRun(ID, nil, keys...)
	if !slices.Contains(tx.Logs, "Program log: Create") {
		t.Fatalf("empty data is Create; logs %q", tx.Logs)
	}
}

func TestRecoverNested(t *testing.T) {
	w := newWorld(t)
	wallet := w.wallet("wallet")
	auth := w.wallet("auth")
	ownerMint := w.mint("owner mint", auth, 0)
	nestedMint := w.mint("nested mint", auth, 3)
	ownerATA := w.createKeys(wallet, wallet, ownerMint)[1]
	w.mustRun(ID, CreateData(), w.createKeys(wallet, wallet, ownerMint)...)
	// Someone sent nested-mint tokens to the owner ATA's own associated account.
	nestedKeys := w.createKeys(wallet, ownerATA, nestedMint)
	nested := nestedKeys[1]
	w.mustRun(ID, CreateData(), nestedKeys...)
	w.mustRun(token.ID, token.MintToData(250), nestedMint, nested, auth)
	dest := w.createKeys(wallet, wallet, nestedMint)[1]
	w.mustRun(ID, CreateData(), w.createKeys(wallet, wallet, nestedMint)...)

	keys := []sdk.Pubkey{nested, nestedMint, dest, ownerATA, ownerMint, wallet, token.ID}
	w.get(wallet).Signer = false
	tx := w.wantErr(invoke.Err(invoke.MissingRequiredSignature), ID, RecoverNestedData(), keys...)
	if !slices.Contains(tx.Logs, "Program log: Wallet of the owner associated token account must sign") {
		t.Fatalf("logs %q", tx.Logs)
	}
	w.get(wallet).Signer = true
	wrong := slices.Clone(keys)
	wrong[2] = ownerATA
	w.wantErr(invoke.Err(invoke.InvalidSeeds), ID, RecoverNestedData(), wrong...)

	before := w.get(wallet).Account.Lamports
	tx = w.mustRun(ID, RecoverNestedData(), keys...)
	if !slices.Contains(tx.Logs, "Program log: RecoverNested") ||
		!slices.Contains(tx.Logs, "Program log: Instruction: TransferChecked") ||
		!slices.Contains(tx.Logs, "Program log: Instruction: CloseAccount") {
		t.Fatalf("logs %q", tx.Logs)
	}
	if got := w.tokenState(dest).Amount; got != 250 {
		t.Fatalf("destination holds %d, want 250", got)
	}
	if n := w.get(nested).Account; n.Lamports != 0 {
		t.Fatalf("nested account still holds %d lamports", n.Lamports)
	}
	if got := w.get(wallet).Account.Lamports; got != before+accountRent {
		t.Fatalf("wallet lamports %d, want %d", got, before+accountRent)
	}
}

// FuzzExecute runs arbitrary instruction data and account orders through
// ATA over a world with a payer, a wallet, a mint and the associated
// address: never a panic, and lamports are conserved when it succeeds.
func FuzzExecute(f *testing.F) {
	f.Add([]byte{}, uint8(0))
	f.Add([]byte{1}, uint8(0))
	f.Add([]byte{2}, uint8(3))
	f.Add([]byte{7, 1, 2}, uint8(5))
	f.Fuzz(func(t *testing.T, data []byte, perm uint8) {
		w := newWorld(t)
		payer := w.wallet("payer")
		owner := key("owner")
		w.put(owner, sdk.Account{}, false, false)
		mint := w.mint("mint", key("auth"), 6)
		keys := w.createKeys(payer, owner, mint)
		// Swap two of the six accounts as perm says.
		i, j := int(perm)%len(keys), int(perm/8)%len(keys)
		keys[i], keys[j] = keys[j], keys[i]
		var before uint64
		for _, a := range w.accts {
			before += a.Account.Lamports
		}
		tx, err := w.run(ID, data, keys...)
		if err != nil {
			return
		}
		var after uint64
		for _, a := range tx.Accounts {
			after += a.Account.Lamports
		}
		if after != before {
			t.Fatalf("lamports %d -> %d", before, after)
		}
	})
}

func TestDecodeInstruction(t *testing.T) {
	for _, c := range []struct {
		data []byte
		tag  byte
		ok   bool
	}{
		{nil, TagCreate, true}, {CreateData(), TagCreate, true}, {CreateIdempotentData(), TagCreateIdempotent, true},
		{RecoverNestedData(), TagRecoverNested, true}, {[]byte{3}, 0, false}, {[]byte{0, 0}, 0, false},
	} {
		tag, err := DecodeInstruction(c.data)
		if (err == nil) != c.ok || (c.ok && tag != c.tag) {
			t.Errorf("DecodeInstruction(%x) = %d, %v", c.data, tag, err)
		} else if !c.ok && !errors.Is(err, invoke.Err(invoke.InvalidInstructionData)) {
			t.Errorf("DecodeInstruction(%x) error %v, want InvalidInstructionData", c.data, err)
		}
	}
}
