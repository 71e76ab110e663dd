package token

import (
	"testing"

	"github.com/gnomon-chain/gnomon/runtime/invoke"
	"github.com/gnomon-chain/gnomon/sdk"
)

// nativeMint adds the native mint as genesis holds it: 9 decimals, no
// authorities, supply untracked.
func (w *world) nativeMint() sdk.Pubkey {
	if w.find(sdk.NativeMintID) < 0 {
		w.putMint(sdk.NativeMintID, Mint{Decimals: 9, IsInitialized: true})
		w.setWritable(sdk.NativeMintID, false)
	}
	return sdk.NativeMintID
}

// nativeAccount is a wrapped SOL account holding amount above its reserve.
func (w *world) nativeAccount(name string, owner sdk.Pubkey, amount uint64) sdk.Pubkey {
	w.nativeMint()
	a := Account{Mint: sdk.NativeMintID, Owner: owner, Amount: amount, State: StateInitialized,
		IsNative: COptionU64{Some: true, Value: accountRent}}
	return w.put(key(name), sdk.Account{Lamports: accountRent + amount, Data: a.Encode(), Owner: ID}, false, true)
}

func TestInitializeNativeAccountTracksLamportsAboveReserve(t *testing.T) {
	w := newWorld(t)
	w.nativeMint()
	owner := w.wallet("owner")
	a := w.blank("wsol", AccountSize)
	w.get(a).Account.Lamports += 5_000
	w.mustRun(InitializeAccount3Data(owner), a, sdk.NativeMintID)
	st := w.tokenState(a)
	if !st.IsNative.Some || st.IsNative.Value != accountRent || st.Amount != 5_000 || st.Mint != sdk.NativeMintID {
		t.Fatalf("native account %+v", st)
	}
}

func TestNativeTransferMovesLamports(t *testing.T) {
	w := newWorld(t)
	owner := w.wallet("owner")
	src := w.nativeAccount("src", owner, 1_000_000)
	dst := w.nativeAccount("dst", key("bob"), 0)
	w.mustRun(TransferCheckedData(400_000, 9), src, sdk.NativeMintID, dst, owner)
	if got := w.get(src).Account.Lamports; got != accountRent+600_000 {
		t.Fatalf("source lamports %d", got)
	}
	if got := w.get(dst).Account.Lamports; got != accountRent+400_000 {
		t.Fatalf("destination lamports %d", got)
	}
	if w.tokenState(src).Amount != 600_000 || w.tokenState(dst).Amount != 400_000 {
		t.Fatal("amounts do not track lamports")
	}
}

func TestSyncNative(t *testing.T) {
	w := newWorld(t)
	owner := w.wallet("owner")
	a := w.nativeAccount("wsol", owner, 10)
	// Someone sends lamports straight to the account: SyncNative catches up.
	w.get(a).Account.Lamports += 90
	tx := w.mustRun(SyncNativeData(), a)
	if w.tokenState(a).Amount != 100 || !hasLog(tx.Logs, "Program log: Instruction: SyncNative") {
		t.Fatalf("amount %d logs %q", w.tokenState(a).Amount, tx.Logs)
	}
	// An amount above the lamports can only shrink: InvalidState.
	w.editToken(a, func(st *Account) { st.Amount = 101 })
	w.wantErr(ErrInvalidState, SyncNativeData(), a)
	// Below the reserve the subtraction overflows.
	w.get(a).Account.Lamports = accountRent - 1
	w.wantErr(ErrOverflow, SyncNativeData(), a)
	// SyncNative checks the program owner first.
	w.get(a).Account.Owner = key("other")
	w.wantErr(invoke.Err(invoke.IncorrectProgramID), SyncNativeData(), a)
}

func TestCloseNativeAccountWithBalanceReturnsAllLamports(t *testing.T) {
	w := newWorld(t)
	owner := w.wallet("owner")
	a := w.nativeAccount("wsol", owner, 777)
	before := w.get(owner).Account.Lamports
	w.mustRun(CloseAccountData(), a, owner, owner)
	if got := w.get(owner).Account.Lamports; got != before+accountRent+777 {
		t.Fatalf("owner lamports %d, want %d", got, before+accountRent+777)
	}
	if w.get(a).Account.Lamports != 0 {
		t.Fatal("closed account kept lamports")
	}
}

func TestNativeAccountsRefuseMintBurnFreeze(t *testing.T) {
	w := newWorld(t)
	owner := w.wallet("owner")
	freeze := w.wallet("freeze")
	a := w.nativeAccount("wsol", owner, 10)
	w.wantErr(ErrNativeNotSupported, BurnData(1), a, sdk.NativeMintID, owner)
	w.wantErr(ErrNativeNotSupported, FreezeAccountData(), a, sdk.NativeMintID, freeze)
}

func TestNativeOwnerChangeDropsCloseAuthority(t *testing.T) {
	w := newWorld(t)
	owner := w.wallet("owner")
	a := w.nativeAccount("wsol", owner, 10)
	closer := key("closer")
	w.mustRun(SetAuthorityData(AuthorityCloseAccount, &closer), a, owner)
	next := key("next")
	w.mustRun(SetAuthorityData(AuthorityAccountOwner, &next), a, owner)
	if st := w.tokenState(a); st.CloseAuthority.Some || st.Owner != next {
		t.Fatalf("after owner change %+v", st)
	}
}
