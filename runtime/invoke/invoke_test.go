package invoke

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/gnomon-chain/gnomon/sdk"
)

// Two small builtins drive the executor's rules: "mover" moves lamports
// between its first two accounts and writes a byte into the first account's
// data; "caller" invokes mover with the accounts and privileges its data
// describes, optionally signing for a program-derived address.
var (
	moverID  = sdk.Pubkey{0xa1}
	callerID = sdk.Pubkey{0xa2}
)

var mover = &Builtin{Name: "mover", Execute: func(c *Context) error {
	if err := c.Consume(100); err != nil {
		return err
	}
	d := c.Data()
	if len(d) < 9 {
		return Err(InvalidInstructionData)
	}
	amount := binary.LittleEndian.Uint64(d[1:])
	from, err := c.Account(0)
	if err != nil {
		return err
	}
	to, err := c.Account(1)
	if err != nil {
		return err
	}
	switch d[0] {
	case 0: // move lamports
		if err := from.SubLamports(amount); err != nil {
			return err
		}
		return to.AddLamports(amount)
	case 1: // mint lamports from nothing: unbalanced
		return to.AddLamports(amount)
	case 2: // write data
		buf, err := from.DataMut()
		if err != nil {
			return err
		}
		if len(buf) > 0 {
			buf[0] = byte(amount)
		}
		return nil
	case 3: // resize
		return from.SetDataLen(int(amount))
	case 4: // reassign to the System program
		return from.SetOwner(sdk.SystemProgramID)
	case 5: // log a lot
		for i := 0; i < int(amount); i++ {
			c.Log(strings.Repeat("x", 100))
		}
		return nil
	}
	return Err(InvalidInstructionData)
}}

// caller data: [op, signer0, writable0, signer1, writable1, seed...]; op 0
// invokes mover to move 1 lamport, op 1 invokes caller itself (re-entry
// through mover is impossible, so this tests direct recursion depth).
var caller = &Builtin{Name: "caller", Execute: func(c *Context) error {
	d := c.Data()
	if len(d) < 5 {
		return Err(InvalidInstructionData)
	}
	a0, _ := c.Account(0)
	a1, _ := c.Account(1)
	ix := sdk.Instruction{ProgramID: moverID, Data: append([]byte{0}, binary.LittleEndian.AppendUint64(nil, 1)...),
		Accounts: []sdk.AccountMeta{{Pubkey: a0.Key(), IsSigner: d[1] == 1, IsWritable: d[2] == 1},
			{Pubkey: a1.Key(), IsSigner: d[3] == 1, IsWritable: d[4] == 1}}}
	if d[0] == 1 {
		ix.ProgramID = callerID
		ix.Data = d
	}
	var seeds [][]byte
	if len(d) > 6 { // seed ‖ bump
		seeds = [][]byte{d[5 : len(d)-1], d[len(d)-1:]}
	}
	if seeds != nil {
		return c.Invoke(ix, seeds)
	}
	return c.Invoke(ix)
}}

func env() *Env { return &Env{Programs: Programs{moverID: mover, callerID: caller}} }

func program(id sdk.Pubkey) TxAccount {
	return TxAccount{Key: id, Account: sdk.Account{Lamports: 1, Executable: true, Owner: sdk.NativeLoaderID}}
}

func moverData(op byte, amount uint64) []byte {
	return append([]byte{op}, binary.LittleEndian.AppendUint64(nil, amount)...)
}

func exec(t *testing.T, accts []TxAccount, progIdx uint8, data []byte, idx ...uint8) (*Transaction, *InstructionError) {
	t.Helper()
	tx := NewTransaction(env(), accts, 10_000)
	err := tx.ExecuteInstruction(0, &sdk.CompiledInstruction{ProgramIDIndex: progIdx, Accounts: idx, Data: data})
	return tx, err
}

func TestAccountRules(t *testing.T) {
	owned := func(writable bool) TxAccount {
		return TxAccount{Key: sdk.Pubkey{1}, Writable: writable, Account: sdk.Account{Lamports: 100, Owner: moverID, Data: make([]byte, 4)}}
	}
	foreign := TxAccount{Key: sdk.Pubkey{2}, Writable: true, Account: sdk.Account{Lamports: 100, Owner: sdk.Pubkey{9}, Data: make([]byte, 4)}}
	sink := TxAccount{Key: sdk.Pubkey{3}, Writable: true, Account: sdk.Account{Owner: sdk.SystemProgramID}}
	cases := []struct {
		name  string
		from  TxAccount
		to    TxAccount
		data  []byte
		want  ErrorKind
		clean bool
	}{
		{"owner debits its writable account", owned(true), sink, moverData(0, 10), 0, true},
		{"debit of another program's account", foreign, sink, moverData(0, 10), ExternalAccountLamportSpend, false},
		{"credit to a read-only account", owned(true), TxAccount{Key: sdk.Pubkey{3}}, moverData(0, 10), ReadonlyLamportChange, false},
		{"lamports from nothing", owned(true), sink, moverData(1, 10), UnbalancedInstruction, false},
		{"data write to a read-only account", owned(false), sink, moverData(2, 7), ReadonlyDataModified, false},
		{"data write to another program's account", foreign, sink, moverData(2, 7), ExternalAccountDataModified, false},
		{"resize another program's account", foreign, sink, moverData(3, 8), AccountDataSizeChanged, false},
		{"resize past 10 MiB", owned(true), sink, moverData(3, sdk.MaxAccountDataLen+1), InvalidRealloc, false},
		{"reassign with non-zero data", func() TxAccount { a := owned(true); a.Account.Data[0] = 1; return a }(), sink, moverData(4, 0), ModifiedProgramID, false},
		{"reassign with zero data", owned(true), sink, moverData(4, 0), 0, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := exec(t, []TxAccount{c.from, c.to, program(moverID)}, 2, c.data, 0, 1)
			if c.clean {
				if err != nil {
					t.Fatalf("unexpected %v", err)
				}
				return
			}
			if !errors.Is(err, Err(c.want)) {
				t.Fatalf("got %v, want %v", err, Err(c.want))
			}
		})
	}
}

func TestCrossProgramInvocationPrivileges(t *testing.T) {
	// A program-derived address of caller, which only caller can sign for.
	pda, bump, err := sdk.FindProgramAddress([][]byte{[]byte("vault")}, callerID)
	if err != nil {
		t.Fatal(err)
	}
	// Another bump that gives a valid address (not the vault), and one that
	// lands on the curve.
	otherBump, onCurveBump := -1, -1
	for b := int(bump) - 1; b >= 0 && (otherBump < 0 || onCurveBump < 0); b-- {
		if _, err := sdk.CreateProgramAddress([][]byte{[]byte("vault"), {byte(b)}}, callerID); err == nil {
			otherBump = max(otherBump, b)
		} else {
			onCurveBump = max(onCurveBump, b)
		}
	}
	if otherBump < 0 || onCurveBump < 0 {
		t.Fatal("no bump of each kind below the vault's")
	}
	user := TxAccount{Key: sdk.Pubkey{1}, Signer: true, Writable: true, Account: sdk.Account{Lamports: 50, Owner: moverID}}
	other := TxAccount{Key: sdk.Pubkey{2}, Writable: true, Account: sdk.Account{Owner: sdk.SystemProgramID}}
	vault := TxAccount{Key: pda, Writable: true, Account: sdk.Account{Lamports: 50, Owner: moverID}}
	cases := []struct {
		name  string
		accts []TxAccount
		data  []byte
		want  *InstructionError
	}{
		{"signer and writable passed through", []TxAccount{user, other}, []byte{0, 1, 1, 0, 1}, nil},
		{"escalate a non-signer to signer", []TxAccount{user, other}, []byte{0, 1, 1, 1, 1}, Err(PrivilegeEscalation)},
		{"escalate read-only to writable", []TxAccount{user, func() TxAccount { o := other; o.Writable = false; return o }()}, []byte{0, 1, 1, 0, 1}, Err(PrivilegeEscalation)},
		{"sign for the caller's PDA with its seeds", []TxAccount{vault, other}, append([]byte{0, 1, 1, 0, 1}, "vault"+string([]byte{bump})...), nil},
		{"sign with seeds of another PDA", []TxAccount{vault, other}, append([]byte{0, 1, 1, 0, 1}, "vault"+string([]byte{byte(otherBump)})...), Err(PrivilegeEscalation)},
		{"sign with seeds that give no PDA", []TxAccount{vault, other}, append([]byte{0, 1, 1, 0, 1}, "vault"+string([]byte{byte(onCurveBump)})...), Err(InvalidSeeds)},
		{"direct recursion until too deep", []TxAccount{user, other}, []byte{1, 1, 1, 0, 1}, Err(CallDepth)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			accts := append(append([]TxAccount(nil), c.accts...), program(callerID), program(moverID))
			tx, err := exec(t, accts, 2, c.data, 0, 1)
			if c.want == nil {
				if err != nil {
					t.Fatalf("unexpected %v\n%s", err, strings.Join(tx.Logs, "\n"))
				}
				if tx.Accounts[1].Account.Lamports != 1 {
					t.Fatal("the nested transfer did not happen")
				}
				if tx.Logs[1] != "Program "+moverID.String()+" invoke [2]" {
					t.Fatalf("nested invoke log %q", tx.Logs[1])
				}
				return
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
}

func TestUnknownProgramAndMissingAccounts(t *testing.T) {
	_, err := exec(t, []TxAccount{{Key: sdk.Pubkey{1}}, program(sdk.Pubkey{0xee})}, 1, nil, 0)
	if !errors.Is(err, Err(UnsupportedProgramID)) {
		t.Fatalf("unknown program: %v", err)
	}
	_, err = exec(t, []TxAccount{{Key: sdk.Pubkey{1}}, program(moverID)}, 1, moverData(0, 1), 0)
	if !errors.Is(err, Err(NotEnoughAccountKeys)) {
		t.Fatalf("one account for two: %v", err)
	}
}

func TestComputeBudgetAndLogLimit(t *testing.T) {
	from := TxAccount{Key: sdk.Pubkey{1}, Writable: true, Account: sdk.Account{Lamports: 100, Owner: moverID}}
	to := TxAccount{Key: sdk.Pubkey{2}, Writable: true}
	tx := NewTransaction(env(), []TxAccount{from, to, program(moverID)}, 50)
	err := tx.ExecuteInstruction(0, &sdk.CompiledInstruction{ProgramIDIndex: 2, Accounts: []uint8{0, 1}, Data: moverData(0, 1)})
	if !errors.Is(err, Err(ComputationalBudgetExceeded)) || tx.ComputeUsed() != 50 {
		t.Fatalf("over budget: %v, used %d", err, tx.ComputeUsed())
	}
	tx, err = exec(t, []TxAccount{from, to, program(moverID)}, 2, moverData(5, 200), 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if tx.Logs[len(tx.Logs)-1] != "Log truncated" {
		t.Fatalf("last log %q of %d", tx.Logs[len(tx.Logs)-1], len(tx.Logs))
	}
	total := 0
	for _, l := range tx.Logs {
		total += len(l)
	}
	if total > LogBytesLimit+len("Log truncated") {
		t.Fatalf("%d bytes of logs", total)
	}
}

func TestInstructionErrorNamesAndJSON(t *testing.T) {
	for _, c := range []struct {
		err       *InstructionError
		json, msg string
	}{
		{CustomErr(1), `{"Custom":1}`, "custom program error: 0x1"},
		{CustomErr(0x2a), `{"Custom":42}`, "custom program error: 0x2a"},
		{Err(InvalidInstructionData), `"InvalidInstructionData"`, "invalid instruction data"},
		{Err(IncorrectProgramID), `"IncorrectProgramId"`, "incorrect program id for instruction"},
		{&InstructionError{Kind: BorshIoError, Msg: "eof"}, `{"BorshIoError":"eof"}`, "Failed to serialize or deserialize account data: eof"},
		{Err(BuiltinProgramsMustConsumeComputeUnits), `"BuiltinProgramsMustConsumeComputeUnits"`, "Builtin programs must consume compute units"},
	} {
		j, _ := c.err.MarshalJSON()
		if string(j) != c.json || c.err.Error() != c.msg {
			t.Errorf("%v: json %s msg %q", c.err.Name(), j, c.err.Error())
		}
	}
	if errors.Is(CustomErr(1), CustomErr(2)) || !errors.Is(CustomErr(3), CustomErr(3)) {
		t.Fatal("custom errors compare by code")
	}
}
