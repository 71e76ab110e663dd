package token

import (
	"testing"

	"github.com/gnomon-chain/gnomon/runtime/invoke"
	"github.com/gnomon-chain/gnomon/sdk"
)

// fuzzWorld is a small economy with every kind of account Token handles:
// two mints with balances, a freezable mint, wrapped SOL, a 2-of-3 multisig
// owning an account, a delegate, blank accounts of each size, and wallets.
func fuzzWorld(tb testing.TB) *world {
	w := newWorld(tb)
	o1, o2, o3, auth := w.wallet("o1"), w.wallet("o2"), w.wallet("o3"), w.wallet("auth")
	ms := w.blank("ms", MultisigSize)
	(&Multisig{M: 2, N: 3, IsInitialized: true, Signers: [MaxSigners]sdk.Pubkey{o1, o2, o3}}).EncodeInto(w.get(ms).Account.Data)
	a := w.mint("A", auth, 6, nil)
	b := w.mint("B", ms, 0, &auth)
	w.tokenAccount("a1", a, o1, 1000)
	w.tokenAccount("a2", a, o2, 50)
	w.tokenAccount("a3", a, ms, 30)
	w.tokenAccount("b1", b, o1, 7)
	w.editToken(key("a1"), func(x *Account) { x.Delegate, x.DelegatedAmount = SomePubkey(o2), 400 })
	w.nativeAccount("n1", o1, 5_000)
	w.nativeAccount("n2", o2, 0)
	w.blank("blank165", AccountSize)
	w.blank("blank82", MintSize)
	w.blank("blank355", MultisigSize)
	w.put(IncineratorID, sdk.Account{}, false, true)
	return w
}

var fuzzTrackedMints = []string{"A", "B"}

// fuzzOp encodes one instruction of a FuzzExecute script: account count,
// account indexes, data length, data.
func fuzzOp(w *world, data []byte, keys ...sdk.Pubkey) []byte {
	out := []byte{byte(len(keys))}
	for _, k := range keys {
		out = append(out, byte(w.find(k)))
	}
	return append(append(out, byte(len(data))), data...)
}

// FuzzExecute runs up to four random instructions against fuzzWorld through
// the executor. Failed instructions are rolled back as the bank would. After
// every successful one: lamports are conserved, and each tracked mint's
// supply equals the sum of the balances of the initialized token accounts
// of that mint. Nothing may panic.
func FuzzExecute(f *testing.F) {
	seeds := fuzzSeeds(fuzzWorld(f))
	for _, s := range seeds {
		f.Add(uint16(0xffff), s)
	}
	f.Add(uint16(0), seeds[0])

	f.Fuzz(func(t *testing.T, signers uint16, script []byte) {
		w := fuzzWorld(t)
		// Wallets sign or not by mask; everything else keeps its flags.
		for i, n := range []string{"o1", "o2", "o3", "auth"} {
			w.setSigner(key(n), signers&(1<<i) != 0)
		}
		runScript(t, w, script)
	})
}

// fuzzSeeds are scripts that each succeed from fuzzWorld with every wallet
// signing, so the fuzzer starts from paths where the invariants are checked.
func fuzzSeeds(w *world) [][]byte {
	k := key
	return [][]byte{
		fuzzOp(w, TransferData(10), k("a1"), k("a2"), k("o1")),
		fuzzOp(w, TransferData(10), k("a1"), k("a2"), k("o2")),
		fuzzOp(w, TransferCheckedData(5, 6), k("a3"), k("A"), k("a1"), k("ms"), k("o1"), k("o3")),
		fuzzOp(w, MintToData(100), k("A"), k("a2"), k("auth")),
		fuzzOp(w, MintToCheckedData(3, 0), k("B"), k("b1"), k("ms"), k("o2"), k("o3")),
		fuzzOp(w, BurnData(50), k("a2"), k("A"), k("o2")),
		fuzzOp(w, BurnCheckedData(7, 0), k("b1"), k("B"), k("o1")),
		append(fuzzOp(w, BurnData(50), k("a2"), k("A"), k("o2")), fuzzOp(w, CloseAccountData(), k("a2"), k("o2"), k("o2"))...),
		fuzzOp(w, CloseAccountData(), k("n1"), k("o1"), k("o1")),
		fuzzOp(w, TransferData(1000), k("n1"), k("n2"), k("o1")),
		fuzzOp(w, SyncNativeData(), k("n2")),
		append(fuzzOp(w, InitializeAccount3Data(k("o3")), k("blank165"), k("A")),
			fuzzOp(w, TransferData(1), k("a1"), k("blank165"), k("o1"))...),
		fuzzOp(w, InitializeMint2Data(2, k("o3"), nil), k("blank82")),
		fuzzOp(w, InitializeMultisig2Data(1), k("blank355"), k("o1")),
		fuzzOp(w, FreezeAccountData(), k("b1"), k("B"), k("auth")),
		fuzzOp(w, ApproveData(9), k("a2"), k("o3"), k("o2")),
		fuzzOp(w, RevokeData(), k("a1"), k("o1")),
		fuzzOp(w, SetAuthorityData(AuthorityAccountOwner, &sdk.Pubkey{}), k("a2"), k("o2")),
		append(fuzzOp(w, SetAuthorityData(AuthorityAccountOwner, &IncineratorID), k("a2"), k("o2")),
			fuzzOp(w, BurnData(50), k("a2"), k("A"), k("o3"))...),
		fuzzOp(w, AmountToUiAmountData(123), k("A")),
		fuzzOp(w, UiAmountToAmountData("0.5"), k("A")),
		fuzzOp(w, GetAccountDataSizeData(), k("B")),
	}
}

// runScript executes a script's instructions and checks the invariants
// after each success; it returns how many succeeded.
func runScript(t *testing.T, w *world, script []byte) (succeeded int) {
	for op := 0; op < 4 && len(script) > 0; op++ {
		n := int(script[0]) % 9
		script = script[1:]
		if len(script) < n+1 {
			return
		}
		ix := &sdk.CompiledInstruction{ProgramIDIndex: uint8(w.find(ID))}
		for _, b := range script[:n] {
			ix.Accounts = append(ix.Accounts, b%uint8(len(w.accts)))
		}
		dl := min(int(script[n]), len(script)-n-1)
		ix.Data = script[n+1 : n+1+dl]
		script = script[n+1+dl:]

		before := w.snapshot()
		lamports := totalLamports(w.accts)
		tx := invoke.NewTransaction(w.env, w.accts, computeLimit)
		if err := tx.ExecuteInstruction(0, ix); err != nil {
			if _, jerr := err.MarshalJSON(); jerr != nil {
				t.Fatalf("error %v does not marshal: %v", err, jerr)
			}
			copy(w.accts, before)
			continue
		}
		if got := totalLamports(w.accts); got != lamports {
			t.Fatalf("lamports %d -> %d after %x", lamports, got, ix.Data)
		}
		checkSupplies(t, w, ix.Data)
		succeeded++
	}
	return succeeded
}

func TestFuzzExecuteSeedsSucceed(t *testing.T) {
	w := fuzzWorld(t)
	for i, s := range fuzzSeeds(w) {
		ops := 0
		for rest := s; len(rest) > 0; ops++ {
			n := int(rest[0])
			rest = rest[n+2+int(rest[n+1]):]
		}
		if got := runScript(t, fuzzWorld(t), s); got != ops {
			t.Errorf("seed %d: %d of %d instructions succeeded", i, got, ops)
		}
	}
}

func totalLamports(accts []invoke.TxAccount) (sum uint64) {
	for _, a := range accts {
		sum += a.Account.Lamports
	}
	return sum
}

func checkSupplies(t *testing.T, w *world, data []byte) {
	t.Helper()
	for _, name := range fuzzTrackedMints {
		mk := key(name)
		m, err := DecodeMint(w.get(mk).Account.Data)
		if err != nil || !m.IsInitialized {
			t.Fatalf("mint %s broken after %x: %v", name, data, err)
		}
		var sum uint64
		for _, a := range w.accts {
			if a.Account.Owner != ID {
				continue
			}
			st, err := DecodeAccount(a.Account.Data)
			if err == nil && st.IsInitialized() && st.Mint == mk {
				sum += st.Amount
			}
		}
		if sum != m.Supply {
			t.Fatalf("mint %s supply %d, balances %d, after %x", name, m.Supply, sum, data)
		}
	}
}
