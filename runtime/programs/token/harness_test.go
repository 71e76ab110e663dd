package token

import (
	"crypto/sha256"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/gnomon-chain/gnomon/runtime/invoke"
	"github.com/gnomon-chain/gnomon/runtime/sysvar"
	"github.com/gnomon-chain/gnomon/sdk"
)

// Rent-exempt minimums under Solana's default rent, as PROGRAMS.md states them.
const (
	mintRent    = 1_461_600
	accountRent = 2_039_280
)

const computeLimit = 1_400_000

// key derives a stable test address from a name.
func key(name string) sdk.Pubkey { return sdk.Pubkey(sha256.Sum256([]byte(name))) }

// world is a transaction's accounts plus the Token program, driven through
// the real executor one instruction at a time. Account state persists
// across run calls because every Transaction shares w.accts.
type world struct {
	t     testing.TB
	env   *invoke.Env
	accts []invoke.TxAccount
}

func newWorld(t testing.TB) *world {
	w := &world{t: t, env: &invoke.Env{Programs: invoke.Programs{ID: Builtin}, Rent: sysvar.DefaultRent}}
	w.put(ID, sdk.Account{Lamports: 1, Owner: sdk.NativeLoaderID, Executable: true}, false, false)
	w.put(sdk.SysvarRentID, sdk.Account{Lamports: 1_009_200, Owner: sdk.SysvarOwnerID,
		Data: sysvar.DefaultRent.Encode()}, false, false)
	return w
}

// put adds or replaces an account.
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

func (w *world) setSigner(k sdk.Pubkey, v bool)   { w.get(k).Signer = v }
func (w *world) setWritable(k sdk.Pubkey, v bool) { w.get(k).Writable = v }

// wallet is a system-owned signer with 10 SOL.
func (w *world) wallet(name string) sdk.Pubkey {
	return w.put(key(name), sdk.Account{Lamports: 10_000_000_000}, true, true)
}

// blank is a zeroed, rent-exempt account of size bytes owned by Token, as
// the System program leaves it after CreateAccount.
func (w *world) blank(name string, size int) sdk.Pubkey {
	return w.put(key(name), sdk.Account{Lamports: sysvar.DefaultRent.MinimumBalance(size),
		Data: make([]byte, size), Owner: ID}, false, true)
}

func (w *world) putMint(k sdk.Pubkey, m Mint) sdk.Pubkey {
	return w.put(k, sdk.Account{Lamports: mintRent, Data: m.Encode(), Owner: ID}, false, true)
}

// mint creates an initialized mint with authority and optional freeze authority.
func (w *world) mint(name string, authority sdk.Pubkey, decimals uint8, freeze *sdk.Pubkey) sdk.Pubkey {
	return w.putMint(key(name), Mint{MintAuthority: SomePubkey(authority), Decimals: decimals,
		IsInitialized: true, FreezeAuthority: optionOf(freeze)})
}

// tokenAccount creates an initialized account holding amount, and adds the
// amount to the mint's supply so the books balance.
func (w *world) tokenAccount(name string, mint, owner sdk.Pubkey, amount uint64) sdk.Pubkey {
	if i := w.find(mint); i >= 0 && len(w.accts[i].Account.Data) == MintSize {
		m := w.mintState(mint)
		m.Supply += amount
		m.EncodeInto(w.accts[i].Account.Data)
	}
	a := Account{Mint: mint, Owner: owner, Amount: amount, State: StateInitialized}
	return w.put(key(name), sdk.Account{Lamports: accountRent, Data: a.Encode(), Owner: ID}, false, true)
}

func (w *world) tokenState(k sdk.Pubkey) Account {
	w.t.Helper()
	a, err := DecodeAccount(w.get(k).Account.Data)
	if err != nil {
		w.t.Fatalf("decode account %s: %v", k, err)
	}
	return a
}

func (w *world) mintState(k sdk.Pubkey) Mint {
	w.t.Helper()
	m, err := DecodeMint(w.get(k).Account.Data)
	if err != nil {
		w.t.Fatalf("decode mint %s: %v", k, err)
	}
	return m
}

func (w *world) editToken(k sdk.Pubkey, f func(*Account)) {
	a := w.tokenState(k)
	f(&a)
	a.EncodeInto(w.get(k).Account.Data)
}

// run executes one Token instruction over the named accounts.
func (w *world) run(data []byte, keys ...sdk.Pubkey) (*invoke.Transaction, *invoke.InstructionError) {
	return w.runProgram(ID, data, keys...)
}

func (w *world) runProgram(program sdk.Pubkey, data []byte, keys ...sdk.Pubkey) (*invoke.Transaction, *invoke.InstructionError) {
	w.t.Helper()
	ix := &sdk.CompiledInstruction{ProgramIDIndex: uint8(w.find(program)), Data: data}
	for _, k := range keys {
		i := w.find(k)
		if i < 0 {
			w.t.Fatalf("instruction names unknown account %s", k)
		}
		ix.Accounts = append(ix.Accounts, uint8(i))
	}
	tx := invoke.NewTransaction(w.env, w.accts, computeLimit)
	return tx, tx.ExecuteInstruction(0, ix)
}

// mustRun runs an instruction that must succeed.
func (w *world) mustRun(data []byte, keys ...sdk.Pubkey) *invoke.Transaction {
	w.t.Helper()
	tx, err := w.run(data, keys...)
	if err != nil {
		w.t.Fatalf("instruction %v failed: %v\nlogs:\n%s", data, err, strings.Join(tx.Logs, "\n"))
	}
	return tx
}

// wantErr runs an instruction that must fail with want.
func (w *world) wantErr(want *invoke.InstructionError, data []byte, keys ...sdk.Pubkey) *invoke.Transaction {
	w.t.Helper()
	tx, err := w.run(data, keys...)
	if err == nil {
		w.t.Fatalf("instruction %v succeeded, want %v\nlogs:\n%s", data, want, strings.Join(tx.Logs, "\n"))
	}
	if !errors.Is(err, want) {
		w.t.Fatalf("instruction %v failed with %v (%s), want %v (%s)\nlogs:\n%s", data, err, err.Name(),
			want, want.Name(), strings.Join(tx.Logs, "\n"))
	}
	return tx
}

// snapshot deep-copies every account so a test can assert nothing changed.
func (w *world) snapshot() []invoke.TxAccount {
	out := slices.Clone(w.accts)
	for i := range out {
		out[i].Account = out[i].Account.Clone()
	}
	return out
}

func hasLog(logs []string, line string) bool { return slices.Contains(logs, line) }
