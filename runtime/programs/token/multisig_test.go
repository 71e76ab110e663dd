package token

import (
	"testing"

	"github.com/gnomon-chain/gnomon/runtime/invoke"
	"github.com/gnomon-chain/gnomon/sdk"
)

// multisigBooks sets up a 2-of-3 multisig that owns src (100 tokens) and is
// the mint authority; the three signer wallets start as signers.
func multisigBooks(t *testing.T) (w *world, ms, mint, src, dst sdk.Pubkey, s [3]sdk.Pubkey) {
	w = newWorld(t)
	for i, n := range []string{"s1", "s2", "s3"} {
		s[i] = w.wallet(n)
	}
	ms = w.blank("ms", MultisigSize)
	tx := w.mustRun(InitializeMultisigData(2), ms, sdk.SysvarRentID, s[0], s[1], s[2])
	if !hasLog(tx.Logs, "Program log: Instruction: InitializeMultisig") {
		t.Fatalf("logs %q", tx.Logs)
	}
	mint = w.mint("mint", ms, 0, nil)
	src = w.tokenAccount("src", mint, ms, 100)
	dst = w.tokenAccount("dst", mint, key("bob"), 0)
	return
}

func TestInitializeMultisigLayout(t *testing.T) {
	w, ms, _, _, _, s := multisigBooks(t)
	d := w.get(ms).Account.Data
	if d[0] != 2 || d[1] != 3 || d[2] != 1 {
		t.Fatalf("m n init = %d %d %d", d[0], d[1], d[2])
	}
	for i := range s {
		if sdk.Pubkey(d[3+32*i:35+32*i]) != s[i] {
			t.Fatalf("signer %d", i)
		}
	}
	w.wantErr(ErrAlreadyInUse, InitializeMultisig2Data(1), ms, s[0])
}

func TestInitializeMultisigSignerLimits(t *testing.T) {
	w := newWorld(t)
	var signers []sdk.Pubkey
	for i := range 12 {
		signers = append(signers, w.wallet("signer"+itoa(uint32(i))))
	}
	ms := w.blank("ms", MultisigSize)
	w.wantErr(ErrInvalidNumberOfProvidedSigners, InitializeMultisig2Data(1), append([]sdk.Pubkey{ms}, signers...)...)
	w.wantErr(ErrInvalidNumberOfRequiredSigners, InitializeMultisig2Data(12), append([]sdk.Pubkey{ms}, signers[:11]...)...)
	// m above n is accepted, as spl-token 3.5 accepts it (such a multisig can never sign).
	w.mustRun(InitializeMultisig2Data(3), ms, signers[0], signers[1])
	// A multisig short of rent is NotRentExempt.
	poor := w.blank("poor", MultisigSize)
	w.get(poor).Account.Lamports--
	w.wantErr(ErrNotRentExempt, InitializeMultisig2Data(1), poor, signers[0])
}

func TestMultisigTransferNeedsMSigners(t *testing.T) {
	w, ms, _, src, dst, s := multisigBooks(t)
	// The multisig itself never signs; its signers follow the authority.
	w.setSigner(s[2], false)
	w.mustRun(TransferData(10), src, dst, ms, s[0], s[1])
	w.wantErr(invoke.Err(invoke.MissingRequiredSignature), TransferData(10), src, dst, ms, s[0])
	// A listed signer passed without its signature fails at once.
	w.wantErr(invoke.Err(invoke.MissingRequiredSignature), TransferData(10), src, dst, ms, s[0], s[2], s[1])
	// The same signer twice counts once.
	w.wantErr(invoke.Err(invoke.MissingRequiredSignature), TransferData(10), src, dst, ms, s[0], s[0])
	// Unknown extra accounts are ignored.
	w.put(key("stranger"), sdk.Account{}, true, false)
	w.mustRun(TransferData(10), src, dst, ms, key("stranger"), s[1], s[0])
	if w.tokenState(src).Amount != 80 {
		t.Fatalf("balance %d", w.tokenState(src).Amount)
	}
}

func TestMultisigMintAuthority(t *testing.T) {
	w, ms, mint, src, _, s := multisigBooks(t)
	w.mustRun(MintToData(5), mint, src, ms, s[1], s[2])
	w.wantErr(invoke.Err(invoke.MissingRequiredSignature), MintToData(5), mint, src, ms, s[1])
	if w.mintState(mint).Supply != 105 {
		t.Fatalf("supply %d", w.mintState(mint).Supply)
	}
}

func TestInitializeMultisigRequiresRentSysvar(t *testing.T) {
	w := newWorld(t)
	ms := w.blank("ms", MultisigSize)
	s := w.wallet("s")
	w.wantErr(invoke.Err(invoke.InvalidArgument), InitializeMultisigData(1), ms, s)
	tx := w.mustRun(InitializeMultisig2Data(1), ms, s)
	if !hasLog(tx.Logs, "Program log: Instruction: InitializeMultisig2") {
		t.Fatalf("logs %q", tx.Logs)
	}
}
