package invoke

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strconv"
	"unsafe"

	"github.com/gnomon-chain/gnomon/runtime/sysvar"
	"github.com/gnomon-chain/gnomon/sdk"
)

// Limits on execution, as Solana sets them.
const (
	// MaxInvokeDepth is the deepest instruction stack: the top-level
	// instruction plus four nested invocations.
	MaxInvokeDepth = 5
	// MaxInstructionTrace bounds top-level plus nested instructions per transaction.
	MaxInstructionTrace = 64
	// LogBytesLimit bounds a transaction's log; past it one "Log truncated" line
	// is written and later lines are dropped.
	LogBytesLimit = 10_000
	// MaxReturnData is the largest return data a program may set.
	MaxReturnData = 1024
	// MaxCPIInstructionAccounts bounds the accounts of a nested instruction.
	MaxCPIInstructionAccounts = 255
)

// Builtin is a program implemented in Go at a fixed address.
type Builtin struct {
	Name    string
	Execute func(c *Context) error
	// LogsConsumed makes the executor log "Program <id> consumed N of M
	// compute units" as Solana's BPF loader does, for programs that are
	// on-chain BPF programs on Solana (Token, Associated Token, Memo); clients
	// and explorers expect that line from them and not from native builtins.
	LogsConsumed bool
}

// Programs maps program ids to builtins.
type Programs map[sdk.Pubkey]*Builtin

// Env is what the bank lends every instruction of a slot: sysvars and the
// programs. Programs must treat it as read-only.
type Env struct {
	Programs          Programs
	Clock             sysvar.Clock
	Rent              sysvar.Rent
	EpochSchedule     sysvar.EpochSchedule
	RecentBlockhashes []sysvar.RecentBlockhash // newest first
	SlotHashes        []sysvar.SlotHash        // newest first
	// Blockhash is the bank's latest blockhash, from which durable nonces are
	// derived, and LamportsPerSignature the fee rate stored with them.
	Blockhash            sdk.Hash
	LamportsPerSignature uint64
}

// TxAccount is one account of the executing transaction, loaded by the bank.
type TxAccount struct {
	Key      sdk.Pubkey
	Account  sdk.Account
	Signer   bool
	Writable bool
}

// ReturnData is what the last program that set it returned.
type ReturnData struct {
	ProgramID sdk.Pubkey
	Data      []byte
}

// InnerInstruction is a cross-program invocation, as getTransaction's
// innerInstructions list it: the top-level instruction it ran under, the
// callee and accounts as indexes into the transaction's accounts, its data,
// and its depth (2 for a call made by a top-level instruction).
type InnerInstruction struct {
	TopLevel       uint8
	ProgramIDIndex uint8
	Accounts       []uint8
	Data           []byte
	StackHeight    uint8
}

// Transaction is the execution state of one transaction.
type Transaction struct {
	Env      *Env
	Accounts []TxAccount
	Logs     []string
	Return   ReturnData
	// Inner are the cross-program invocations made so far, in call order.
	Inner []InnerInstruction
	// topLevel is the index of the top-level instruction executing.
	topLevel int

	computeLimit, computeUsed uint64
	logBytes                  int
	logTruncated              bool
	trace                     int
	stack                     []sdk.Pubkey
	// Reused per transaction so executing allocates nothing in steady
	// state: one Context and one instruction-account buffer per depth, and
	// a pool of Account views handed out by Context.Account.
	ctxs      [MaxInvokeDepth]Context
	instrBufs [MaxInvokeDepth][]instrAccount
	acctPool  []Account
	acctUsed  int
	lines     lineArena
	// InstructionsSysvar, when the transaction references the Instructions
	// sysvar, is that account's index; the executor stamps the current
	// instruction index into it.
	InstructionsSysvar int
}

// NewTransaction prepares execution over accounts with a compute budget.
func NewTransaction(env *Env, accounts []TxAccount, computeLimit uint64) *Transaction {
	return &Transaction{Env: env, Accounts: accounts, computeLimit: computeLimit, InstructionsSysvar: -1}
}

// Reset reuses t for another transaction, keeping its memory.
func (t *Transaction) Reset(env *Env, accounts []TxAccount, computeLimit uint64) {
	t.Env, t.Accounts, t.Logs, t.Return, t.Inner = env, accounts, t.Logs[:0], ReturnData{}, t.Inner[:0]
	t.computeLimit, t.computeUsed, t.logBytes, t.logTruncated, t.trace = computeLimit, 0, 0, false, 0
	t.stack, t.acctUsed, t.InstructionsSysvar = t.stack[:0], 0, -1
}

// ComputeUsed is the compute units consumed so far.
func (t *Transaction) ComputeUsed() uint64 { return t.computeUsed }

// ComputeLimit is the transaction's compute budget.
func (t *Transaction) ComputeLimit() uint64 { return t.computeLimit }

// instrAccount is an account as one instruction sees it: an index into the
// transaction's accounts and the privileges this instruction has on it.
type instrAccount struct {
	tx               int
	signer, writable bool
}

// ExecuteInstruction runs top-level instruction index of a message whose
// account keys are the transaction's accounts in order.
func (t *Transaction) ExecuteInstruction(index int, ix *sdk.CompiledInstruction) *InstructionError {
	if int(ix.ProgramIDIndex) >= len(t.Accounts) {
		return Err(NotEnoughAccountKeys)
	}
	accts := t.instrBufs[0][:0]
	for _, a := range ix.Accounts {
		if int(a) >= len(t.Accounts) {
			return Err(NotEnoughAccountKeys)
		}
		ta := &t.Accounts[a]
		accts = append(accts, instrAccount{tx: int(a), signer: ta.Signer, writable: ta.Writable})
	}
	t.instrBufs[0] = accts
	t.topLevel = index
	if t.InstructionsSysvar >= 0 {
		sysvar.SetCurrentInstruction(t.Accounts[t.InstructionsSysvar].Account.Data, index)
	}
	return t.process(t.Accounts[ix.ProgramIDIndex].Key, accts, ix.Data)
}

// process runs one instruction at the current depth, top-level or nested.
func (t *Transaction) process(program sdk.Pubkey, accts []instrAccount, data []byte) *InstructionError {
	t.trace++
	if t.trace > MaxInstructionTrace {
		return Err(MaxInstructionTraceLengthExceeded)
	}
	if len(t.stack) >= MaxInvokeDepth {
		return Err(CallDepth)
	}
	// A program may call itself directly, but may not be re-entered through
	// another program: if it is on the stack, it must be on top.
	if n := len(t.stack); n > 0 && t.stack[n-1] != program {
		for _, p := range t.stack {
			if p == program {
				return Err(ReentrancyNotAllowed)
			}
		}
	}
	b := t.Env.Programs[program]
	t.stack = append(t.stack, program)
	defer func() { t.stack = t.stack[:len(t.stack)-1] }()
	depth := len(t.stack)
	names := logNamesOf(program)
	t.log(names.invoke[depth-1])
	if b == nil {
		err := Err(UnsupportedProgramID)
		t.log("Program " + names.id + " failed: " + err.Error())
		return err
	}
	before := t.lamportSum(accts)
	remainingAtStart := t.computeLimit - t.computeUsed
	c := &t.ctxs[depth-1]
	*c = Context{tx: t, program: program, accounts: accts, data: data}
	var ierr *InstructionError
	if err := b.Execute(c); err != nil {
		ierr = asInstructionError(err)
	} else if t.lamportSum(accts) != before {
		ierr = Err(UnbalancedInstruction)
	}
	if b.LogsConsumed && len(t.Return.Data) > 0 {
		// Solana's BPF loader reports the current return data after each
		// program it runs.
		t.log("Program return: " + logNamesOf(t.Return.ProgramID).id + " " + base64.StdEncoding.EncodeToString(t.Return.Data))
	}
	if b.LogsConsumed {
		used := remainingAtStart - (t.computeLimit - t.computeUsed)
		b := t.lines.start()
		b = append(b, "Program "...)
		b = append(b, names.id...)
		b = append(b, " consumed "...)
		b = strconv.AppendUint(b, used, 10)
		b = append(b, " of "...)
		b = strconv.AppendUint(b, remainingAtStart, 10)
		b = append(b, " compute units"...)
		t.log(t.lines.finish(b))
	}
	if ierr != nil {
		t.log("Program " + names.id + " failed: " + ierr.Error())
		return ierr
	}
	t.log(names.success)
	return nil
}

// lineArena builds log lines in large blocks that are never reused, so a
// line costs no allocation of its own: a result's logs keep their block
// alive, and a block is freed when no result refers to it any more.
type lineArena struct {
	block []byte
}

const lineBlock = 16 << 10

// start returns the free tail of the block to append one line to.
func (a *lineArena) start() []byte {
	if cap(a.block)-len(a.block) < 256 {
		a.block = make([]byte, 0, lineBlock)
	}
	return a.block[len(a.block):]
}

// finish turns the line appended to start's slice into a string. A line that
// outgrew the block was reallocated by append and stands alone.
func (a *lineArena) finish(line []byte) string {
	if len(line) == 0 {
		return ""
	}
	free := a.block[len(a.block):cap(a.block)]
	if cap(free) > 0 && &line[0] == &free[:1][0] {
		a.block = a.block[:len(a.block)+len(line)]
	}
	return unsafe.String(&line[0], len(line))
}

// lamportSum adds the lamports of an instruction's distinct accounts, in 128
// bits so no set of accounts can overflow it.
func (t *Transaction) lamportSum(accts []instrAccount) [2]uint64 {
	var lo, hi uint64
	for i, a := range accts {
		dup := false
		for _, b := range accts[:i] {
			if b.tx == a.tx {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		old := lo
		lo += t.Accounts[a.tx].Account.Lamports
		if lo < old {
			hi++
		}
	}
	return [2]uint64{lo, hi}
}

func (t *Transaction) log(line string) {
	if t.logTruncated {
		return
	}
	if t.logBytes+len(line) > LogBytesLimit {
		t.logTruncated = true
		t.Logs = append(t.Logs, "Log truncated")
		return
	}
	t.logBytes += len(line)
	t.Logs = append(t.Logs, line)
}

// logNames are a program's fixed log lines. Encoding a key in base58 costs
// about a microsecond and every instruction logs its program twice, so the
// lines of builtin programs are built once.
type logNames struct {
	id      string
	invoke  [MaxInvokeDepth]string
	success string
}

func newLogNames(p sdk.Pubkey) *logNames {
	n := &logNames{id: p.String()}
	for d := range n.invoke {
		n.invoke[d] = "Program " + n.id + " invoke [" + strconv.Itoa(d+1) + "]"
	}
	n.success = "Program " + n.id + " success"
	return n
}

var builtinLogNames = func() map[sdk.Pubkey]*logNames {
	m := map[sdk.Pubkey]*logNames{}
	for _, p := range []sdk.Pubkey{sdk.SystemProgramID, sdk.ComputeBudgetProgramID, sdk.MemoProgramID,
		sdk.MemoV1ProgramID, sdk.TokenProgramID, sdk.AssociatedTokenID, sdk.AddressLookupTableID, sdk.VoteProgramID} {
		m[p] = newLogNames(p)
	}
	return m
}()

func logNamesOf(p sdk.Pubkey) *logNames {
	if n, ok := builtinLogNames[p]; ok {
		return n
	}
	return newLogNames(p)
}

// Context is one executing instruction, as its program sees it.
type Context struct {
	tx       *Transaction
	program  sdk.Pubkey
	accounts []instrAccount
	data     []byte
}

// ProgramID is the executing program's address.
func (c *Context) ProgramID() sdk.Pubkey { return c.program }

// Data is the instruction data.
func (c *Context) Data() []byte { return c.data }

// NumAccounts is the number of accounts passed to the instruction.
func (c *Context) NumAccounts() int { return len(c.accounts) }

// Env is the slot's sysvars and programs.
func (c *Context) Env() *Env { return c.tx.Env }

// Depth is 1 for a top-level instruction and one more per nested invocation.
func (c *Context) Depth() int { return len(c.tx.stack) }

// Account returns the i-th account of the instruction, or NotEnoughAccountKeys.
func (c *Context) Account(i int) (*Account, error) {
	if i < 0 || i >= len(c.accounts) {
		return nil, Err(NotEnoughAccountKeys)
	}
	a := c.accounts[i]
	t := c.tx
	if t.acctUsed == len(t.acctPool) {
		// A fresh chunk; views handed out from the old one stay valid.
		t.acctPool, t.acctUsed = make([]Account, 32), 0
	}
	v := &t.acctPool[t.acctUsed]
	t.acctUsed++
	*v = Account{c: c, ta: &t.Accounts[a.tx], signer: a.signer, writable: a.writable, index: a.tx}
	return v, nil
}

// Consume charges compute units; past the budget the instruction fails with
// ComputationalBudgetExceeded and the meter stays exhausted.
func (c *Context) Consume(units uint64) error {
	t := c.tx
	if units > t.computeLimit-t.computeUsed {
		t.computeUsed = t.computeLimit
		return Err(ComputationalBudgetExceeded)
	}
	t.computeUsed += units
	return nil
}

// Log writes "Program log: <msg>".
func (c *Context) Log(msg string) {
	t := c.tx
	t.log(t.lines.finish(append(append(t.lines.start(), "Program log: "...), msg...)))
}

// Logf writes a formatted "Program log:" line.
func (c *Context) Logf(format string, args ...any) { c.Log(fmt.Sprintf(format, args...)) }

// ReturnData is the return data most recently set in the transaction and
// the program that set it (Solana's sol_get_return_data): after Invoke, what
// the callee returned.
func (c *Context) ReturnData() (sdk.Pubkey, []byte) { return c.tx.Return.ProgramID, c.tx.Return.Data }

// SetReturnData records the program's return data.
func (c *Context) SetReturnData(data []byte) error {
	if len(data) > MaxReturnData {
		return Err(InvalidArgument)
	}
	c.tx.Return = ReturnData{ProgramID: c.program, Data: bytes.Clone(data)}
	return nil
}

// CheckSysvar checks that instruction account i is the sysvar id, as Agave's
// get_sysvar_with_account_check does; programs then read the sysvar's value
// from Env, as Agave reads its sysvar cache.
func (c *Context) CheckSysvar(i int, id sdk.Pubkey) error {
	a, err := c.Account(i)
	if err != nil {
		return err
	}
	if a.Key() != id {
		return Err(InvalidArgument)
	}
	return nil
}

// IsSignerKey reports whether any account of the instruction with this key signs.
func (c *Context) IsSignerKey(key sdk.Pubkey) bool {
	for _, a := range c.accounts {
		if a.signer && c.tx.Accounts[a.tx].Key == key {
			return true
		}
	}
	return false
}

// Invoke runs a nested instruction (a cross-program invocation). Every account
// it names must be one of this instruction's accounts; it may sign only where
// this instruction's account signs or is a program-derived address of the
// calling program under one of signerSeeds; it may write only where this
// instruction may write. The callee program must be an account of the
// transaction.
func (c *Context) Invoke(ix sdk.Instruction, signerSeeds ...[][]byte) error {
	if len(ix.Accounts) > MaxCPIInstructionAccounts {
		return Err(MaxAccountsExceeded)
	}
	var pdas []sdk.Pubkey
	for _, seeds := range signerSeeds {
		p, err := sdk.CreateProgramAddress(seeds, c.program)
		if err != nil {
			return Err(InvalidSeeds)
		}
		pdas = append(pdas, p)
	}
	depth := len(c.tx.stack) // the callee's depth minus one
	if depth >= MaxInvokeDepth {
		return Err(CallDepth)
	}
	accts := c.tx.instrBufs[depth][:0]
	for _, m := range ix.Accounts {
		caller := -1
		for i, a := range c.accounts {
			if c.tx.Accounts[a.tx].Key == m.Pubkey {
				caller = i
				break
			}
		}
		if caller < 0 {
			return Err(MissingAccount)
		}
		// Privileges are the union over every time the caller passed the key.
		var callerSigner, callerWritable bool
		for _, a := range c.accounts {
			if a.tx == c.accounts[caller].tx {
				callerSigner = callerSigner || a.signer
				callerWritable = callerWritable || a.writable
			}
		}
		isPDA := false
		for _, p := range pdas {
			if p == m.Pubkey {
				isPDA = true
			}
		}
		if m.IsWritable && !callerWritable {
			return Err(PrivilegeEscalation)
		}
		if m.IsSigner && !callerSigner && !isPDA {
			return Err(PrivilegeEscalation)
		}
		accts = append(accts, instrAccount{tx: c.accounts[caller].tx, signer: m.IsSigner, writable: m.IsWritable})
	}
	c.tx.instrBufs[depth] = accts
	programIndex := -1
	for i := range c.tx.Accounts {
		if c.tx.Accounts[i].Key == ix.ProgramID {
			programIndex = i
			break
		}
	}
	if programIndex < 0 {
		return Err(MissingAccount)
	}
	// Recorded before it runs, as Agave does, so a failed call still shows
	// in the failed transaction's inner instructions.
	inner := InnerInstruction{TopLevel: uint8(c.tx.topLevel), ProgramIDIndex: uint8(programIndex),
		Accounts: make([]uint8, len(accts)), Data: append([]byte(nil), ix.Data...), StackHeight: uint8(depth + 1)}
	for i, a := range accts {
		inner.Accounts[i] = uint8(a.tx)
	}
	c.tx.Inner = append(c.tx.Inner, inner)
	// Return data is reset before each invocation, so what the caller reads
	// afterwards is the callee's.
	c.tx.Return = ReturnData{ProgramID: c.program}
	if err := c.tx.process(ix.ProgramID, accts, ix.Data); err != nil {
		return err
	}
	return nil
}

// Account is one account of an instruction. Its setters enforce Solana's
// rules; each returns the InstructionError Solana would.
type Account struct {
	c                *Context
	ta               *TxAccount
	signer, writable bool
	index            int
}

// Key is the account's address.
func (a *Account) Key() sdk.Pubkey { return a.ta.Key }

// IsSigner reports whether the instruction has this account's signature.
func (a *Account) IsSigner() bool { return a.signer }

// IsWritable reports whether the instruction may change this account.
func (a *Account) IsWritable() bool { return a.writable }

// Lamports is the balance.
func (a *Account) Lamports() uint64 { return a.ta.Account.Lamports }

// Owner is the owning program.
func (a *Account) Owner() sdk.Pubkey { return a.ta.Account.Owner }

// Executable reports whether the account is a program.
func (a *Account) Executable() bool { return a.ta.Account.Executable }

// Data is the account data; programs must not write through it (use DataMut).
func (a *Account) Data() []byte { return a.ta.Account.Data }

// TxIndex is the account's index in the transaction.
func (a *Account) TxIndex() int { return a.index }

// IsOwnedByProgram reports whether the executing program owns the account.
func (a *Account) IsOwnedByProgram() bool { return a.ta.Account.Owner == a.c.program }

// SetLamports changes the balance: anyone may credit a writable account, only
// the owner may debit it, and executable accounts never change. As in Agave,
// even an unchanged balance counts as a change to a read-only account.
func (a *Account) SetLamports(v uint64) error {
	cur := a.ta.Account.Lamports
	if v < cur && !a.IsOwnedByProgram() {
		return Err(ExternalAccountLamportSpend)
	}
	if !a.writable {
		return Err(ReadonlyLamportChange)
	}
	if a.ta.Account.Executable {
		return Err(ExecutableLamportChange)
	}
	a.ta.Account.Lamports = v
	return nil
}

// AddLamports credits the account.
func (a *Account) AddLamports(v uint64) error {
	sum := a.ta.Account.Lamports + v
	if sum < v {
		return Err(ArithmeticOverflow)
	}
	return a.SetLamports(sum)
}

// SubLamports debits the account; programs check funds first and return their
// own error, so an underflow here is an arithmetic bug, as in Agave.
func (a *Account) SubLamports(v uint64) error {
	if v > a.ta.Account.Lamports {
		return Err(ArithmeticOverflow)
	}
	return a.SetLamports(a.ta.Account.Lamports - v)
}

// canChangeData applies Solana's rule for data changes.
func (a *Account) canChangeData() error {
	switch {
	case a.ta.Account.Executable:
		return Err(ExecutableDataModified)
	case !a.writable:
		return Err(ReadonlyDataModified)
	case !a.IsOwnedByProgram():
		return Err(ExternalAccountDataModified)
	}
	return nil
}

// DataMut returns the data for writing, if the program may change it.
func (a *Account) DataMut() ([]byte, error) {
	if err := a.canChangeData(); err != nil {
		return nil, err
	}
	return a.ta.Account.Data, nil
}

// SetData replaces the data with a copy of b (resizing if needed).
func (a *Account) SetData(b []byte) error {
	if err := a.SetDataLen(len(b)); err != nil {
		return err
	}
	copy(a.ta.Account.Data, b)
	return nil
}

// SetDataLen resizes the data, zero-filling growth. Only the owner may
// resize, and never past sdk.MaxAccountDataLen.
func (a *Account) SetDataLen(n int) error {
	cur := len(a.ta.Account.Data)
	if n == cur {
		return a.canChangeData()
	}
	if !a.IsOwnedByProgram() {
		return Err(AccountDataSizeChanged)
	}
	if n > sdk.MaxAccountDataLen || n < 0 {
		return Err(InvalidRealloc)
	}
	if err := a.canChangeData(); err != nil {
		return err
	}
	if n <= cap(a.ta.Account.Data) {
		old := a.ta.Account.Data
		a.ta.Account.Data = old[:n]
		clear(a.ta.Account.Data[min(cur, n):])
		return nil
	}
	grown := make([]byte, n)
	copy(grown, a.ta.Account.Data)
	a.ta.Account.Data = grown
	return nil
}

// SetOwner assigns the account to another program: only its owner may, only
// while writable and not executable, and only with all-zero data.
func (a *Account) SetOwner(owner sdk.Pubkey) error {
	if a.ta.Account.Owner == owner {
		return nil
	}
	if !a.IsOwnedByProgram() || !a.writable || a.ta.Account.Executable {
		return Err(ModifiedProgramID)
	}
	for _, b := range a.ta.Account.Data {
		if b != 0 {
			return Err(ModifiedProgramID)
		}
	}
	a.ta.Account.Owner = owner
	return nil
}
