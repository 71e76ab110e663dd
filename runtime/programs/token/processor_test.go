package token

import (
	"bytes"
	"encoding/binary"
	"errors"
	"slices"
	"testing"

	"github.com/gnomon-chain/gnomon/runtime/invoke"
	"github.com/gnomon-chain/gnomon/sdk"
)

var tokenIDString = ID.String()

func TestInitializeMintWritesLayoutAndLogsLikeSPLToken(t *testing.T) {
	w := newWorld(t)
	mint := w.blank("mint", MintSize)
	auth, freeze := key("auth"), key("freeze")
	tx := w.mustRun(InitializeMintData(6, auth, &freeze), mint, sdk.SysvarRentID)

	want := []string{
		"Program " + tokenIDString + " invoke [1]",
		"Program log: Instruction: InitializeMint",
		"Program " + tokenIDString + " consumed 2920 of 1400000 compute units",
		"Program " + tokenIDString + " success",
	}
	if !slices.Equal(tx.Logs, want) {
		t.Fatalf("logs:\n%q\nwant:\n%q", tx.Logs, want)
	}
	d := w.get(mint).Account.Data
	// Offsets from PROGRAMS.md: authority COption 0–35, supply 36–43,
	// decimals 44, is_initialized 45, freeze COption 46–81.
	if !bytes.Equal(d[0:4], []byte{1, 0, 0, 0}) || !bytes.Equal(d[4:36], auth[:]) {
		t.Fatalf("mint authority bytes %x", d[0:36])
	}
	if binary.LittleEndian.Uint64(d[36:]) != 0 || d[44] != 6 || d[45] != 1 {
		t.Fatalf("supply/decimals/init bytes %x", d[36:46])
	}
	if !bytes.Equal(d[46:50], []byte{1, 0, 0, 0}) || !bytes.Equal(d[50:82], freeze[:]) {
		t.Fatalf("freeze authority bytes %x", d[46:82])
	}
}

func TestInitializeMint2NeedsNoRentSysvarAndFreezeMayBeNone(t *testing.T) {
	w := newWorld(t)
	mint := w.blank("mint", MintSize)
	tx := w.mustRun(InitializeMint2Data(9, key("auth"), nil), mint)
	if !hasLog(tx.Logs, "Program log: Instruction: InitializeMint2") {
		t.Fatalf("logs %q", tx.Logs)
	}
	m := w.mintState(mint)
	if !m.IsInitialized || m.Decimals != 9 || m.FreezeAuthority.Some || m.MintAuthority.Key != key("auth") {
		t.Fatalf("mint %+v", m)
	}
}

func TestInitializeMintRentSysvarAccount(t *testing.T) {
	w := newWorld(t)
	mint := w.blank("mint", MintSize)
	w.wantErr(invoke.Err(invoke.NotEnoughAccountKeys), InitializeMintData(6, key("a"), nil), mint)
	w.wallet("notrent")
	w.wantErr(invoke.Err(invoke.InvalidArgument), InitializeMintData(6, key("a"), nil), mint, key("notrent"))
}

func TestInitializeMintRejectsWrongSizeAsInvalidAccountData(t *testing.T) {
	w := newWorld(t)
	mint := w.blank("mint", MintSize+1)
	w.wantErr(invoke.Err(invoke.InvalidAccountData), InitializeMint2Data(6, key("a"), nil), mint)
}

func TestInitializeMintOnForeignAccountFailsAtTheWrite(t *testing.T) {
	w := newWorld(t)
	mint := w.blank("mint", MintSize)
	w.get(mint).Account.Owner = sdk.SystemProgramID
	w.wantErr(invoke.Err(invoke.ExternalAccountDataModified), InitializeMint2Data(6, key("a"), nil), mint)
}

func TestInitializeAccountVariants(t *testing.T) {
	for _, tc := range []struct {
		name string
		data func(owner sdk.Pubkey) []byte
		keys func(acct, mint, owner sdk.Pubkey) []sdk.Pubkey
		log  string
	}{
		{"InitializeAccount", func(sdk.Pubkey) []byte { return InitializeAccountData() },
			func(a, m, o sdk.Pubkey) []sdk.Pubkey { return []sdk.Pubkey{a, m, o, sdk.SysvarRentID} },
			"Program log: Instruction: InitializeAccount"},
		{"InitializeAccount2", InitializeAccount2Data,
			func(a, m, o sdk.Pubkey) []sdk.Pubkey { return []sdk.Pubkey{a, m, sdk.SysvarRentID} },
			"Program log: Instruction: InitializeAccount2"},
		{"InitializeAccount3", InitializeAccount3Data,
			func(a, m, o sdk.Pubkey) []sdk.Pubkey { return []sdk.Pubkey{a, m} },
			"Program log: Instruction: InitializeAccount3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			owner := w.wallet("owner")
			mint := w.mint("mint", key("auth"), 2, nil)
			acct := w.blank("acct", AccountSize)
			tx := w.mustRun(tc.data(owner), tc.keys(acct, mint, owner)...)
			if !hasLog(tx.Logs, tc.log) {
				t.Fatalf("logs %q", tx.Logs)
			}
			got := w.tokenState(acct)
			want := Account{Mint: mint, Owner: owner, State: StateInitialized}
			if got != want {
				t.Fatalf("account %+v, want %+v", got, want)
			}
			// Initializing twice is AlreadyInUse.
			w.wantErr(ErrAlreadyInUse, tc.data(owner), tc.keys(acct, mint, owner)...)
		})
	}
}

func TestInitializeAccountChecksMint(t *testing.T) {
	w := newWorld(t)
	acct := w.blank("acct", AccountSize)
	// A mint not owned by Token is IncorrectProgramId, checked before its data.
	foreign := w.put(key("foreign"), sdk.Account{Lamports: mintRent, Data: make([]byte, MintSize)}, false, false)
	w.wantErr(invoke.Err(invoke.IncorrectProgramID), InitializeAccount3Data(key("o")), acct, foreign)
	// An uninitialized Token-owned mint is InvalidMint.
	blankMint := w.blank("blankmint", MintSize)
	w.wantErr(ErrInvalidMint, InitializeAccount3Data(key("o")), acct, blankMint)
}

func TestTransferMovesTokensAndCosts4645(t *testing.T) {
	w := newWorld(t)
	owner := w.wallet("owner")
	mint := w.mint("mint", key("auth"), 6, nil)
	src := w.tokenAccount("src", mint, owner, 1000)
	dst := w.tokenAccount("dst", mint, key("bob"), 5)
	tx := w.mustRun(TransferData(300), src, dst, owner)
	if a, b := w.tokenState(src).Amount, w.tokenState(dst).Amount; a != 700 || b != 305 {
		t.Fatalf("balances %d %d, want 700 305", a, b)
	}
	if tx.ComputeUsed() != 4645 {
		t.Fatalf("compute used %d, want 4645", tx.ComputeUsed())
	}
	want := []string{
		"Program " + tokenIDString + " invoke [1]",
		"Program log: Instruction: Transfer",
		"Program " + tokenIDString + " consumed 4645 of 1400000 compute units",
		"Program " + tokenIDString + " success",
	}
	if !slices.Equal(tx.Logs, want) {
		t.Fatalf("logs:\n%q\nwant\n%q", tx.Logs, want)
	}
}

func TestTransferFailureLogsTokenError(t *testing.T) {
	w := newWorld(t)
	owner := w.wallet("owner")
	mint := w.mint("mint", key("auth"), 6, nil)
	src := w.tokenAccount("src", mint, owner, 10)
	dst := w.tokenAccount("dst", mint, key("bob"), 0)
	tx := w.wantErr(ErrInsufficientFunds, TransferData(11), src, dst, owner)
	want := []string{
		"Program " + tokenIDString + " invoke [1]",
		"Program log: Instruction: Transfer",
		"Program log: Error: insufficient funds",
		"Program " + tokenIDString + " consumed 4645 of 1400000 compute units",
		"Program " + tokenIDString + " failed: custom program error: 0x1",
	}
	if !slices.Equal(tx.Logs, want) {
		t.Fatalf("logs:\n%q\nwant\n%q", tx.Logs, want)
	}
}

func TestTransferCheckedChecksMintAndDecimals(t *testing.T) {
	w := newWorld(t)
	owner := w.wallet("owner")
	mint := w.mint("mint", key("auth"), 6, nil)
	other := w.mint("other", key("auth"), 6, nil)
	src := w.tokenAccount("src", mint, owner, 100)
	dst := w.tokenAccount("dst", mint, key("bob"), 0)
	w.wantErr(ErrMintDecimalsMismatch, TransferCheckedData(1, 9), src, mint, dst, owner)
	w.wantErr(ErrMintMismatch, TransferCheckedData(1, 6), src, other, dst, owner)
	tx := w.mustRun(TransferCheckedData(40, 6), src, mint, dst, owner)
	if tx.ComputeUsed() != 6200 || !hasLog(tx.Logs, "Program log: Instruction: TransferChecked") {
		t.Fatalf("cu %d logs %q", tx.ComputeUsed(), tx.Logs)
	}
	if w.tokenState(dst).Amount != 40 {
		t.Fatalf("dst %d", w.tokenState(dst).Amount)
	}
}

func TestTransferNeedsOwnerSignature(t *testing.T) {
	w := newWorld(t)
	owner := w.wallet("owner")
	mint := w.mint("mint", key("auth"), 6, nil)
	src := w.tokenAccount("src", mint, owner, 100)
	dst := w.tokenAccount("dst", mint, key("bob"), 0)
	w.setSigner(owner, false)
	w.wantErr(invoke.Err(invoke.MissingRequiredSignature), TransferData(1), src, dst, owner)
	w.wantErr(invoke.Err(invoke.NotEnoughAccountKeys), TransferData(1), src, dst)
}

func TestSelfTransferChangesNothingButIsFullyChecked(t *testing.T) {
	w := newWorld(t)
	owner := w.wallet("owner")
	mint := w.mint("mint", key("auth"), 6, nil)
	src := w.tokenAccount("src", mint, owner, 100)
	before := w.snapshot()
	w.mustRun(TransferData(60), src, src, owner)
	if !equalAccounts(before, w.accts) {
		t.Fatal("self-transfer changed state")
	}
	w.wantErr(ErrInsufficientFunds, TransferData(101), src, src, owner)
	// A self-transfer of a foreign-owned account is IncorrectProgramId, since
	// no write would reveal it.
	w.get(src).Account.Owner = key("impostor")
	w.wantErr(invoke.Err(invoke.IncorrectProgramID), TransferData(1), src, src, owner)
}

func TestTransferFromForeignAccountFailsAtWrite(t *testing.T) {
	w := newWorld(t)
	owner := w.wallet("owner")
	mint := w.mint("mint", key("auth"), 6, nil)
	src := w.tokenAccount("src", mint, owner, 100)
	dst := w.tokenAccount("dst", mint, key("bob"), 0)
	w.get(src).Account.Owner = key("impostor")
	w.wantErr(invoke.Err(invoke.ExternalAccountDataModified), TransferData(1), src, dst, owner)
	w.wantErr(invoke.Err(invoke.IncorrectProgramID), TransferData(0), src, dst, owner)
}

func TestZeroTransferToReadOnlyAccountWritesNothing(t *testing.T) {
	w := newWorld(t)
	owner := w.wallet("owner")
	mint := w.mint("mint", key("auth"), 6, nil)
	src := w.tokenAccount("src", mint, owner, 100)
	dst := w.tokenAccount("dst", mint, key("bob"), 0)
	w.setWritable(dst, false)
	w.mustRun(TransferData(0), src, dst, owner)
	w.wantErr(invoke.Err(invoke.ReadonlyDataModified), TransferData(1), src, dst, owner)
}

func TestDelegatedTransferSpendsAllowanceThenClearsDelegate(t *testing.T) {
	w := newWorld(t)
	owner := w.wallet("owner")
	spender := w.wallet("spender")
	mint := w.mint("mint", key("auth"), 6, nil)
	src := w.tokenAccount("src", mint, owner, 100)
	dst := w.tokenAccount("dst", mint, key("bob"), 0)

	w.mustRun(ApproveData(30), src, spender, owner)
	if a := w.tokenState(src); !a.Delegate.Some || a.Delegate.Key != spender || a.DelegatedAmount != 30 {
		t.Fatalf("after approve %+v", a)
	}
	w.mustRun(TransferData(20), src, dst, spender)
	if a := w.tokenState(src); a.DelegatedAmount != 10 || a.Amount != 80 || !a.Delegate.Some {
		t.Fatalf("after first spend %+v", a)
	}
	w.wantErr(ErrInsufficientFunds, TransferData(11), src, dst, spender)
	w.mustRun(TransferData(10), src, dst, spender)
	if a := w.tokenState(src); a.Delegate.Some || a.DelegatedAmount != 0 || a.Amount != 70 {
		t.Fatalf("after spending the allowance %+v", a)
	}
	// With the delegate gone, the spender is just a wrong owner.
	w.wantErr(ErrOwnerMismatch, TransferData(1), src, dst, spender)
	// The owner can still spend beyond the old allowance.
	w.mustRun(TransferData(70), src, dst, owner)
}

func TestApproveCheckedAndRevoke(t *testing.T) {
	w := newWorld(t)
	owner := w.wallet("owner")
	mint := w.mint("mint", key("auth"), 3, nil)
	src := w.tokenAccount("src", mint, owner, 100)
	w.put(key("auth"), sdk.Account{}, false, false)
	w.wantErr(ErrMintDecimalsMismatch, ApproveCheckedData(5, 2), src, mint, key("auth"), owner)
	tx := w.mustRun(ApproveCheckedData(5, 3), src, mint, key("auth"), owner)
	if !hasLog(tx.Logs, "Program log: Instruction: ApproveChecked") {
		t.Fatalf("logs %q", tx.Logs)
	}
	tx = w.mustRun(RevokeData(), src, owner)
	if a := w.tokenState(src); a.Delegate.Some || a.DelegatedAmount != 0 {
		t.Fatalf("after revoke %+v", a)
	}
	if !hasLog(tx.Logs, "Program log: Instruction: Revoke") {
		t.Fatalf("logs %q", tx.Logs)
	}
	w.wantErr(ErrOwnerMismatch, RevokeData(), src, key("auth"))
}

func TestMintToAndBurnKeepSupplyEqualToBalances(t *testing.T) {
	w := newWorld(t)
	auth := w.wallet("auth")
	owner := w.wallet("owner")
	mint := w.mint("mint", auth, 2, nil)
	a := w.tokenAccount("a", mint, owner, 0)
	w.mustRun(MintToData(500), mint, a, auth)
	tx := w.mustRun(MintToCheckedData(250, 2), mint, a, auth)
	if !hasLog(tx.Logs, "Program log: Instruction: MintToChecked") {
		t.Fatalf("logs %q", tx.Logs)
	}
	w.mustRun(BurnData(100), a, mint, owner)
	w.mustRun(BurnCheckedData(50, 2), a, mint, owner)
	if got, supply := w.tokenState(a).Amount, w.mintState(mint).Supply; got != 600 || supply != 600 {
		t.Fatalf("balance %d supply %d, want 600 600", got, supply)
	}
	w.wantErr(ErrMintDecimalsMismatch, BurnCheckedData(1, 3), a, mint, owner)
	w.wantErr(ErrInsufficientFunds, BurnData(601), a, mint, owner)
	w.wantErr(ErrOwnerMismatch, MintToData(1), mint, a, owner)
}

func TestBurnByDelegate(t *testing.T) {
	w := newWorld(t)
	owner := w.wallet("owner")
	d := w.wallet("delegate")
	mint := w.mint("mint", key("auth"), 0, nil)
	a := w.tokenAccount("a", mint, owner, 10)
	w.mustRun(ApproveData(4), a, d, owner)
	w.wantErr(ErrInsufficientFunds, BurnData(5), a, mint, d)
	w.mustRun(BurnData(4), a, mint, d)
	if st := w.tokenState(a); st.Delegate.Some || st.Amount != 6 || w.mintState(mint).Supply != 6 {
		t.Fatalf("after delegated burn %+v supply %d", st, w.mintState(mint).Supply)
	}
}

func TestBurnFromIncineratorOwnedAccountNeedsNoSignature(t *testing.T) {
	w := newWorld(t)
	mint := w.mint("mint", key("auth"), 0, nil)
	a := w.tokenAccount("a", mint, IncineratorID, 10)
	anyone := w.put(key("anyone"), sdk.Account{}, false, false)
	w.mustRun(BurnData(10), a, mint, anyone)
	if w.tokenState(a).Amount != 0 || w.mintState(mint).Supply != 0 {
		t.Fatal("burn did not happen")
	}
}

func TestSetAuthorityAllFourTypes(t *testing.T) {
	w := newWorld(t)
	auth := w.wallet("auth")
	freeze := w.wallet("freeze")
	owner := w.wallet("owner")
	next := w.wallet("next")
	mint := w.mint("mint", auth, 0, &freeze)
	a := w.tokenAccount("a", mint, owner, 5)

	// MintTokens: rotate to next, then next removes it: supply fixed forever.
	w.mustRun(SetAuthorityData(AuthorityMintTokens, &next), mint, auth)
	if m := w.mintState(mint); m.MintAuthority.Key != next {
		t.Fatalf("mint authority %+v", m.MintAuthority)
	}
	w.wantErr(ErrOwnerMismatch, SetAuthorityData(AuthorityMintTokens, &auth), mint, auth)
	w.mustRun(SetAuthorityData(AuthorityMintTokens, nil), mint, next)
	w.wantErr(ErrFixedSupply, SetAuthorityData(AuthorityMintTokens, &next), mint, next)
	w.wantErr(ErrFixedSupply, MintToData(1), mint, a, next)

	// FreezeAccount: remove it, then it cannot come back.
	w.mustRun(SetAuthorityData(AuthorityFreezeAccount, nil), mint, freeze)
	w.wantErr(ErrMintCannotFreeze, SetAuthorityData(AuthorityFreezeAccount, &freeze), mint, freeze)

	// Account types on a mint and mint types on an account are unsupported.
	w.wantErr(ErrAuthorityTypeNotSupported, SetAuthorityData(AuthorityAccountOwner, &next), mint, next)
	w.wantErr(ErrAuthorityTypeNotSupported, SetAuthorityData(AuthorityMintTokens, &next), a, owner)

	// CloseAccount: owner sets a close authority, which then rules closing.
	w.mustRun(SetAuthorityData(AuthorityCloseAccount, &next), a, owner)
	w.wantErr(ErrOwnerMismatch, SetAuthorityData(AuthorityCloseAccount, nil), a, owner)
	w.mustRun(SetAuthorityData(AuthorityCloseAccount, nil), a, next)

	// AccountOwner: None is invalid; a new owner drops the delegate.
	w.mustRun(ApproveData(3), a, w.wallet("spender"), owner)
	w.wantErr(ErrInvalidInstruction, SetAuthorityData(AuthorityAccountOwner, nil), a, owner)
	tx := w.mustRun(SetAuthorityData(AuthorityAccountOwner, &next), a, owner)
	st := w.tokenState(a)
	if st.Owner != next || st.Delegate.Some || st.DelegatedAmount != 0 {
		t.Fatalf("after owner change %+v", st)
	}
	if !hasLog(tx.Logs, "Program log: Instruction: SetAuthority") {
		t.Fatalf("logs %q", tx.Logs)
	}

	// Neither a mint nor an account by length: InvalidArgument.
	odd := w.blank("odd", 100)
	w.wantErr(invoke.Err(invoke.InvalidArgument), SetAuthorityData(AuthorityAccountOwner, &next), odd, owner)
}

func TestCloseAccount(t *testing.T) {
	w := newWorld(t)
	owner := w.wallet("owner")
	mint := w.mint("mint", key("auth"), 0, nil)
	a := w.tokenAccount("a", mint, owner, 1)
	w.wantErr(ErrNonNativeHasBalance, CloseAccountData(), a, owner, owner)
	w.wantErr(invoke.Err(invoke.InvalidAccountData), CloseAccountData(), a, a, owner)
	w.editToken(a, func(st *Account) { st.Amount = 0 })
	before := w.get(owner).Account.Lamports
	tx := w.mustRun(CloseAccountData(), a, owner, owner)
	if got := w.get(owner).Account.Lamports; got != before+accountRent {
		t.Fatalf("destination lamports %d, want %d", got, before+accountRent)
	}
	acct := w.get(a).Account
	if acct.Lamports != 0 || !bytes.Equal(acct.Data, make([]byte, AccountSize)) {
		t.Fatalf("closed account %+v", acct)
	}
	if !hasLog(tx.Logs, "Program log: Instruction: CloseAccount") {
		t.Fatalf("logs %q", tx.Logs)
	}
	// Closed means uninitialized from now on.
	w.wantErr(invoke.Err(invoke.UninitializedAccount), CloseAccountData(), a, owner, owner)
}

func TestFreezeAndThaw(t *testing.T) {
	w := newWorld(t)
	owner := w.wallet("owner")
	freeze := w.wallet("freeze")
	mint := w.mint("mint", key("auth"), 0, &freeze)
	a := w.tokenAccount("a", mint, owner, 5)
	b := w.tokenAccount("b", mint, owner, 0)
	w.wantErr(ErrInvalidState, ThawAccountData(), a, mint, freeze)
	w.wantErr(ErrOwnerMismatch, FreezeAccountData(), a, mint, owner)
	tx := w.mustRun(FreezeAccountData(), a, mint, freeze)
	if !hasLog(tx.Logs, "Program log: Instruction: FreezeAccount") || w.tokenState(a).State != StateFrozen {
		t.Fatalf("not frozen; logs %q", tx.Logs)
	}
	w.wantErr(ErrInvalidState, FreezeAccountData(), a, mint, freeze)
	w.wantErr(ErrAccountFrozen, TransferData(1), a, b, owner)
	w.wantErr(ErrAccountFrozen, TransferData(0), b, a, owner)
	w.wantErr(ErrAccountFrozen, ApproveData(1), a, owner, owner)
	w.wantErr(ErrAccountFrozen, SetAuthorityData(AuthorityCloseAccount, nil), a, owner)
	w.mustRun(ThawAccountData(), a, mint, freeze)
	w.mustRun(TransferData(5), a, b, owner)
}

func TestGetAccountDataSizeReturns165(t *testing.T) {
	w := newWorld(t)
	mint := w.mint("mint", key("auth"), 0, nil)
	tx := w.mustRun(GetAccountDataSizeData(), mint)
	if tx.Return.ProgramID != ID || !bytes.Equal(tx.Return.Data, []byte{165, 0, 0, 0, 0, 0, 0, 0}) {
		t.Fatalf("return %+v", tx.Return)
	}
	if tx.ComputeUsed() != 1622 {
		t.Fatalf("cu %d", tx.ComputeUsed())
	}
	blank := w.blank("blank", MintSize)
	w.wantErr(ErrInvalidMint, GetAccountDataSizeData(), blank)
}

func TestInitializeImmutableOwnerIsANoOpWithUpgradeNotice(t *testing.T) {
	w := newWorld(t)
	a := w.blank("a", AccountSize)
	tx := w.mustRun(InitializeImmutableOwnerData(), a)
	want := []string{"Program log: Instruction: InitializeImmutableOwner",
		"Program log: Please upgrade to SPL Token 2022 for immutable owner support"}
	if !slices.Equal(tx.Logs[1:3], want) {
		t.Fatalf("logs %q", tx.Logs)
	}
	if !bytes.Equal(w.get(a).Account.Data, make([]byte, AccountSize)) {
		t.Fatal("data changed")
	}
	owner := w.wallet("owner")
	mint := w.mint("mint", key("auth"), 0, nil)
	b := w.tokenAccount("b", mint, owner, 0)
	w.wantErr(ErrAlreadyInUse, InitializeImmutableOwnerData(), b)
}

func TestAmountUIAmountInstructions(t *testing.T) {
	w := newWorld(t)
	mint := w.mint("mint", key("auth"), 6, nil)
	tx := w.mustRun(AmountToUiAmountData(1_500_000), mint)
	if string(tx.Return.Data) != "1.5" {
		t.Fatalf("AmountToUiAmount returned %q", tx.Return.Data)
	}
	tx = w.mustRun(UiAmountToAmountData("2.25"), mint)
	if binary.LittleEndian.Uint64(tx.Return.Data) != 2_250_000 || len(tx.Return.Data) != 8 {
		t.Fatalf("UiAmountToAmount returned %x", tx.Return.Data)
	}
	w.wantErr(invoke.Err(invoke.InvalidArgument), UiAmountToAmountData("1.0000001"), mint)
	w.wantErr(ErrInvalidInstruction, append([]byte{byte(UiAmountToAmount)}, 0xff), mint)
	foreign := w.put(key("foreign"), sdk.Account{Data: w.get(mint).Account.Data}, false, false)
	w.wantErr(invoke.Err(invoke.IncorrectProgramID), AmountToUiAmountData(1), foreign)
}

func TestBadInstructionDataIsInvalidInstructionWithoutInstructionLog(t *testing.T) {
	for _, data := range [][]byte{nil, {25}, {255}, {3, 1, 2}, {12, 0, 0, 0, 0, 0, 0, 0, 0}, {6, 4, 0}, {0, 6}} {
		w := newWorld(t)
		tx := w.wantErr(ErrInvalidInstruction, data)
		want := []string{
			"Program " + tokenIDString + " invoke [1]",
			"Program log: Error: Invalid instruction",
			"Program " + tokenIDString + " consumed 1100 of 1400000 compute units",
			"Program " + tokenIDString + " failed: custom program error: 0xc",
		}
		if !slices.Equal(tx.Logs, want) {
			t.Fatalf("data %v logs:\n%q\nwant\n%q", data, tx.Logs, want)
		}
	}
}

func TestComputeBudgetExhaustionStopsTheInstruction(t *testing.T) {
	w := newWorld(t)
	owner := w.wallet("owner")
	mint := w.mint("mint", key("auth"), 6, nil)
	src := w.tokenAccount("src", mint, owner, 10)
	dst := w.tokenAccount("dst", mint, key("bob"), 0)
	ix := &sdk.CompiledInstruction{ProgramIDIndex: uint8(w.find(ID)),
		Accounts: []uint8{uint8(w.find(src)), uint8(w.find(dst)), uint8(w.find(owner))}, Data: TransferData(1)}
	tx := invoke.NewTransaction(w.env, w.accts, 4644)
	if err := tx.ExecuteInstruction(0, ix); !errors.Is(err, invoke.Err(invoke.ComputationalBudgetExceeded)) {
		t.Fatalf("err %v", err)
	}
	if w.tokenState(src).Amount != 10 {
		t.Fatal("transfer happened without budget")
	}
}

func equalAccounts(a, b []invoke.TxAccount) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i].Account, b[i].Account
		if a[i].Key != b[i].Key || x.Lamports != y.Lamports || x.Owner != y.Owner ||
			x.Executable != y.Executable || !bytes.Equal(x.Data, y.Data) {
			return false
		}
	}
	return true
}

// TestUnchangedStateMayBeReadOnly: Agave objects to a write to a read-only
// account only when the bytes change, so an instruction that leaves the
// state as it was succeeds on a read-only account.
func TestUnchangedStateMayBeReadOnly(t *testing.T) {
	w := newWorld(t)
	owner := w.wallet("owner")
	mint := w.mint("mint", key("auth"), 0, nil)
	a := w.tokenAccount("a", mint, owner, 5)
	w.setWritable(a, false)
	w.mustRun(RevokeData(), a, owner)
	w.editToken(a, func(st *Account) { st.Delegate, st.DelegatedAmount = SomePubkey(owner), 1 })
	w.wantErr(invoke.Err(invoke.ReadonlyDataModified), RevokeData(), a, owner)
}

// TestZeroDelegatedTransferClearsAZeroAllowance: a delegate spending 0 of a
// 0 allowance leaves no allowance, so the delegate is cleared.
func TestZeroDelegatedTransferClearsAZeroAllowance(t *testing.T) {
	w := newWorld(t)
	owner, spender := w.wallet("owner"), w.wallet("spender")
	mint := w.mint("mint", key("auth"), 0, nil)
	a := w.tokenAccount("a", mint, owner, 5)
	b := w.tokenAccount("b", mint, owner, 0)
	w.mustRun(ApproveData(0), a, spender, owner)
	if !w.tokenState(a).Delegate.Some {
		t.Fatal("approve of 0 set no delegate")
	}
	w.mustRun(TransferData(0), a, b, spender)
	if st := w.tokenState(a); st.Delegate.Some || st.Amount != 5 {
		t.Fatalf("after zero delegated transfer %+v", st)
	}
}
