package token

import (
	"errors"
	"testing"

	"github.com/gnomon-chain/gnomon/runtime/invoke"
	"github.com/gnomon-chain/gnomon/sdk"
)

// errorCase builds a world in which one instruction fails with one TokenError.
type errorCase struct {
	code  uint32
	setup func(w *world) (data []byte, keys []sdk.Pubkey)
}

// basicBooks is a mint with authority "auth" (a signer), an owner wallet and
// two of its accounts, src holding 100 and dst empty.
func basicBooks(w *world) (mint, owner, src, dst sdk.Pubkey) {
	auth := w.wallet("auth")
	owner = w.wallet("owner")
	mint = w.mint("mint", auth, 6, nil)
	src = w.tokenAccount("src", mint, owner, 100)
	dst = w.tokenAccount("dst", mint, owner, 0)
	return
}

func keys(k ...sdk.Pubkey) []sdk.Pubkey { return k }

var tokenErrorCases = []errorCase{
	{CodeNotRentExempt, func(w *world) ([]byte, []sdk.Pubkey) {
		m := w.blank("m", MintSize)
		w.get(m).Account.Lamports = mintRent - 1
		return InitializeMint2Data(0, key("a"), nil), keys(m)
	}},
	{CodeInsufficientFunds, func(w *world) ([]byte, []sdk.Pubkey) {
		_, owner, src, dst := basicBooks(w)
		return TransferData(101), keys(src, dst, owner)
	}},
	{CodeInvalidMint, func(w *world) ([]byte, []sdk.Pubkey) {
		a, m := w.blank("a", AccountSize), w.blank("m", MintSize)
		return InitializeAccount3Data(key("o")), keys(a, m)
	}},
	{CodeMintMismatch, func(w *world) ([]byte, []sdk.Pubkey) {
		_, owner, src, _ := basicBooks(w)
		other := w.mint("other", key("auth"), 6, nil)
		dst := w.tokenAccount("otherdst", other, owner, 0)
		return TransferData(1), keys(src, dst, owner)
	}},
	{CodeOwnerMismatch, func(w *world) ([]byte, []sdk.Pubkey) {
		_, _, src, dst := basicBooks(w)
		thief := w.wallet("thief")
		return TransferData(1), keys(src, dst, thief)
	}},
	{CodeFixedSupply, func(w *world) ([]byte, []sdk.Pubkey) {
		mint, _, src, _ := basicBooks(w)
		m := w.mintState(mint)
		m.MintAuthority = COptionPubkey{}
		w.putMint(mint, m)
		return MintToData(1), keys(mint, src, key("auth"))
	}},
	{CodeAlreadyInUse, func(w *world) ([]byte, []sdk.Pubkey) {
		mint, _, _, _ := basicBooks(w)
		return InitializeMint2Data(0, key("a"), nil), keys(mint)
	}},
	{CodeInvalidNumberOfProvidedSigners, func(w *world) ([]byte, []sdk.Pubkey) {
		ms := w.blank("ms", MultisigSize)
		return InitializeMultisig2Data(1), keys(ms)
	}},
	{CodeInvalidNumberOfRequiredSigners, func(w *world) ([]byte, []sdk.Pubkey) {
		ms := w.blank("ms", MultisigSize)
		return InitializeMultisig2Data(0), keys(ms, w.wallet("s1"), w.wallet("s2"))
	}},
	{CodeNativeNotSupported, func(w *world) ([]byte, []sdk.Pubkey) {
		auth := w.wallet("auth")
		native := w.nativeAccount("wsol", w.wallet("owner"), 5)
		return MintToData(1), keys(sdk.NativeMintID, native, auth)
	}},
	{CodeNonNativeHasBalance, func(w *world) ([]byte, []sdk.Pubkey) {
		_, owner, src, _ := basicBooks(w)
		return CloseAccountData(), keys(src, owner, owner)
	}},
	{CodeInvalidInstruction, func(w *world) ([]byte, []sdk.Pubkey) {
		return []byte{99}, nil
	}},
	{CodeInvalidState, func(w *world) ([]byte, []sdk.Pubkey) {
		freeze := w.wallet("freeze")
		mint := w.mint("fmint", key("auth"), 0, &freeze)
		a := w.tokenAccount("a", mint, key("o"), 0)
		return ThawAccountData(), keys(a, mint, freeze)
	}},
	{CodeOverflow, func(w *world) ([]byte, []sdk.Pubkey) {
		mint, _, src, _ := basicBooks(w)
		return MintToData(^uint64(0) - 99), keys(mint, src, key("auth"))
	}},
	{CodeAuthorityTypeNotSupported, func(w *world) ([]byte, []sdk.Pubkey) {
		_, owner, src, _ := basicBooks(w)
		return SetAuthorityData(AuthorityFreezeAccount, nil), keys(src, owner)
	}},
	{CodeMintCannotFreeze, func(w *world) ([]byte, []sdk.Pubkey) {
		mint, _, src, _ := basicBooks(w)
		return FreezeAccountData(), keys(src, mint, key("auth"))
	}},
	{CodeAccountFrozen, func(w *world) ([]byte, []sdk.Pubkey) {
		_, owner, src, dst := basicBooks(w)
		w.editToken(src, func(a *Account) { a.State = StateFrozen })
		return TransferData(1), keys(src, dst, owner)
	}},
	{CodeMintDecimalsMismatch, func(w *world) ([]byte, []sdk.Pubkey) {
		mint, owner, src, dst := basicBooks(w)
		return TransferCheckedData(1, 7), keys(src, mint, dst, owner)
	}},
	{CodeNonNativeNotSupported, func(w *world) ([]byte, []sdk.Pubkey) {
		_, _, src, _ := basicBooks(w)
		return SyncNativeData(), keys(src)
	}},
}

// TestEveryTokenErrorIsReachable drives each TokenError out of the real
// executor, checks the Custom code, the JSON form and the error log line,
// and that the table covers every code but UninitializedState (see
// CodeUninitializedState and TestUninitializedStateIsNeverReturned).
func TestEveryTokenErrorIsReachable(t *testing.T) {
	covered := map[uint32]bool{}
	for _, tc := range tokenErrorCases {
		covered[tc.code] = true
		t.Run(errorLogs[tc.code], func(t *testing.T) {
			w := newWorld(t)
			data, ks := tc.setup(w)
			before := w.snapshot()
			tx := w.wantErr(invoke.CustomErr(tc.code), data, ks...)
			if !hasLog(tx.Logs, "Program log: "+errorLogs[tc.code]) {
				t.Fatalf("no error log line; logs %q", tx.Logs)
			}
			_, err := w.run(data, ks...)
			js, _ := err.MarshalJSON()
			if want := `{"Custom":` + itoa(tc.code) + `}`; string(js) != want {
				t.Fatalf("json %s, want %s", js, want)
			}
			if !equalAccounts(before, w.accts) {
				t.Fatal("failed instruction changed accounts")
			}
		})
	}
	for code := range numCodes {
		if !covered[code] && code != CodeUninitializedState {
			t.Errorf("TokenError %d (%s) has no test", code, errorLogs[code])
		}
	}
}

// TestUninitializedStateIsNeverReturned pins down why Custom(9) has no case:
// every place a reader might expect it reports UninitializedAccount.
func TestUninitializedStateIsNeverReturned(t *testing.T) {
	w := newWorld(t)
	owner := w.wallet("owner")
	w.wallet("auth")
	mint := w.mint("mint", key("auth"), 0, nil)
	src := w.tokenAccount("src", mint, owner, 1)
	blankAcct := w.blank("blankacct", AccountSize)
	blankMint := w.blank("blankmint", MintSize)
	blankMultisig := w.blank("blankms", MultisigSize)
	w.get(blankMultisig).Account.Data[msigNOff] = 1
	// An account of the uninitialized mint, to get past the mint-match checks.
	ofBlank := w.tokenAccount("ofblank", blankMint, owner, 0)
	uninit := invoke.Err(invoke.UninitializedAccount)
	for _, c := range []struct {
		data []byte
		keys []sdk.Pubkey
	}{
		{TransferData(1), keys(blankAcct, src, owner)},
		{TransferData(1), keys(src, blankAcct, owner)},
		{TransferCheckedData(0, 0), keys(ofBlank, blankMint, ofBlank, owner)},
		{BurnData(0), keys(ofBlank, blankMint, owner)},
		{MintToData(1), keys(blankMint, ofBlank, key("auth"))},
		{RevokeData(), keys(blankAcct, owner)},
		{SyncNativeData(), keys(blankAcct)},
		{TransferData(1), keys(src, src, blankMultisig)},
	} {
		if c.keys[len(c.keys)-1] == blankMultisig {
			w.editToken(src, func(a *Account) { a.Owner = blankMultisig })
		}
		_, err := w.run(c.data, c.keys...)
		if err == nil || !errors.Is(err, uninit) || errors.Is(err, ErrUninitializedState) {
			t.Fatalf("%v: err %v, want UninitializedAccount", c.data, err)
		}
	}
}

func itoa(v uint32) string {
	if v < 10 {
		return string(rune('0' + v))
	}
	return string(rune('0'+v/10)) + string(rune('0'+v%10))
}
