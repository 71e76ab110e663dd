package runtime

import (
	"errors"
	"slices"

	"github.com/gnomon-chain/gnomon/runtime/invoke"
	"github.com/gnomon-chain/gnomon/runtime/programs/alt"
	"github.com/gnomon-chain/gnomon/runtime/programs/computebudget"
	"github.com/gnomon-chain/gnomon/runtime/programs/system"
	"github.com/gnomon-chain/gnomon/runtime/programs/token"
	"github.com/gnomon-chain/gnomon/runtime/sysvar"
	"github.com/gnomon-chain/gnomon/sdk"
)

// MaxAccountLocks is the most accounts one transaction may reference.
const MaxAccountLocks = 128

// TxResult is what executing a transaction produced.
type TxResult struct {
	// Err is nil on success.
	Err *TransactionError
	// Committed is false for a transaction that was dropped before
	// execution (bad blockhash, already processed, payer cannot pay...):
	// it charged no fee and is not part of the block.
	Committed    bool
	Fee          uint64
	ComputeUnits uint64
	Logs         []string
	ReturnData   invoke.ReturnData
	// PreBalances and PostBalances are the lamports of every account the
	// transaction used, static keys then looked-up keys.
	PreBalances, PostBalances []uint64
	// PreTokenBalances and PostTokenBalances are the SPL Token accounts
	// among them, before and after.
	PreTokenBalances, PostTokenBalances []TokenBalance
	// LoadedAddresses are the keys a v0 message looked up.
	LoadedAddresses LoadedAddresses
	// InnerInstructions are the cross-program invocations the transaction
	// made, in call order (nil when it made none).
	InnerInstructions []invoke.InnerInstruction
	// writes are the accounts to store when the result is committed.
	writes []write
}

// TokenBalance is one SPL Token account's balance, as getTransaction
// reports it.
type TokenBalance struct {
	AccountIndex uint8
	Mint, Owner  sdk.Pubkey
	ProgramID    sdk.Pubkey
	Amount       uint64
	Decimals     uint8
}

// tokenBalances lists the initialized token accounts among accts. Mint
// decimals come from the transaction's own accounts, else the bank.
func (b *Bank) tokenBalances(keys []sdk.Pubkey, accts []invoke.TxAccount, ar *arena) []TokenBalance {
	n := 0
	for i := range accts {
		if accts[i].Account.Owner == sdk.TokenProgramID && len(accts[i].Account.Data) == token.AccountSize {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out := ar.tokenBalances(n)
	for i := range accts {
		a := &accts[i].Account
		if a.Owner != sdk.TokenProgramID || len(a.Data) != token.AccountSize || a.Lamports == 0 {
			continue
		}
		ta, err := token.DecodeAccount(a.Data)
		if err != nil || ta.State == token.StateUninitialized {
			continue
		}
		tb := TokenBalance{AccountIndex: uint8(i), Mint: ta.Mint, Owner: ta.Owner, ProgramID: sdk.TokenProgramID, Amount: ta.Amount}
		var mintData []byte
		for j := range accts {
			if keys[j] == ta.Mint {
				mintData = accts[j].Account.Data
			}
		}
		if mintData != nil {
			if m, err := token.DecodeMint(mintData); err == nil {
				tb.Decimals = m.Decimals
			}
		} else {
			tb.Decimals = ar.mintDecimals(b, ta.Mint)
		}
		out = append(out, tb)
	}
	return out
}

// LoadedAddresses are the accounts a v0 transaction loaded from tables.
type LoadedAddresses struct {
	Writable, Readonly []sdk.Pubkey
}

type write struct {
	key  sdk.Pubkey
	acct sdk.Account
}

// dropped returns a result for a transaction that is not committed.
func dropped(err *TransactionError) TxResult { return TxResult{Err: err} }

// scratch is one worker's reusable memory for executing transactions.
type scratch struct {
	arena         arena
	committedKeys []sdk.Pubkey
	committedSigs []sdk.Signature
	keys          []sdk.Pubkey
	writable      []bool
	accts         []invoke.TxAccount
	itx           invoke.Transaction
}

// arena hands out the small per-result slices (balances, logs) from large
// blocks, one allocation per block instead of one per transaction: with two
// workers allocating per transaction, the allocator's shared locks were the
// bottleneck. A block lives as long as any result that uses it. (Account
// writes do not come from here: a stored account could keep a whole block
// alive for as long as it stays unchanged.)
type arena struct {
	u64    []uint64
	strs   []string
	tokens []TokenBalance
	// decimals caches mint decimals for one bank: a mint's decimals never
	// change once initialized, and every token transfer of a mint would
	// otherwise read the same hot account.
	decimalsBank *Bank
	decimals     map[sdk.Pubkey]uint8
}

func (a *arena) mintDecimals(b *Bank, mint sdk.Pubkey) uint8 {
	if a.decimalsBank != b || a.decimals == nil {
		a.decimalsBank, a.decimals = b, make(map[sdk.Pubkey]uint8)
	}
	if d, ok := a.decimals[mint]; ok {
		return d
	}
	var d uint8
	if acct := b.accounts.load(b, mint); acct != nil {
		if m, err := token.DecodeMint(acct.Data); err == nil && m.IsInitialized {
			d = m.Decimals
			a.decimals[mint] = d
		}
	}
	return d
}

const arenaBlock = 8192

func (a *arena) uint64s(n int) []uint64 {
	if len(a.u64)+n > cap(a.u64) {
		a.u64 = make([]uint64, 0, max(arenaBlock, n))
	}
	l := len(a.u64)
	a.u64 = a.u64[:l+n]
	return a.u64[l : l+n : l+n]
}

// tokenBalances returns an empty slice with room for n balances.
func (a *arena) tokenBalances(n int) []TokenBalance {
	if len(a.tokens)+n > cap(a.tokens) {
		a.tokens = make([]TokenBalance, 0, max(arenaBlock/4, n))
	}
	l := len(a.tokens)
	a.tokens = a.tokens[:l+n]
	return a.tokens[l : l : l+n]
}

func (a *arena) strings(src []string) []string {
	n := len(src)
	if len(a.strs)+n > cap(a.strs) {
		a.strs = make([]string, 0, max(arenaBlock, n))
	}
	l := len(a.strs)
	a.strs = append(a.strs, src...)
	return a.strs[l : l+n : l+n]
}

// execute runs one sanitized, signature-verified transaction against the bank
// without committing it. It reads the bank but writes nothing shared, so the
// transactions of an entry run concurrently.
func (b *Bank) execute(tx *sdk.Transaction, s *scratch) TxResult {
	return b.executeMode(tx, s, false)
}

// executeMode is execute; simulate checks the status cache without claiming
// the signature, so a simulation leaves no trace in the bank.
func (b *Bank) executeMode(tx *sdk.Transaction, s *scratch, simulate bool) TxResult {
	m := &tx.Message
	cfg := b.cfg

	// The full account list: static keys, then looked-up writable, then
	// looked-up read-only.
	keys := append(s.keys[:0], m.AccountKeys...)
	nLookupW := 0
	if m.Version == sdk.MessageV0 && len(m.AddressTableLookups) > 0 {
		var err *TransactionError
		keys, nLookupW, err = b.resolveLookups(m, keys)
		if err != nil {
			return dropped(err)
		}
		if hasDuplicates(keys) {
			return dropped(TxErr(AccountLoadedTwice))
		}
	}
	s.keys = keys
	if len(keys) > MaxAccountLocks {
		return dropped(TxErr(TooManyAccountLocks))
	}
	writable := resizeBools(s.writable, len(keys))
	s.writable = writable
	for i, k := range keys {
		writable[i] = m.IsWritableIndex(i) && !cfg.isReserved(k) && !isInvoked(m, i)
	}

	budget, fail := computebudget.Parse(m, cfg.isNativeBuiltin)
	if fail != nil {
		switch {
		case fail.Duplicate:
			return dropped(&TransactionError{Kind: DuplicateInstruction, Index: uint8(fail.Index)})
		case fail.InvalidLoadedDataLimit:
			return dropped(TxErr(InvalidLoadedAccountsDataSizeLimit))
		}
		return dropped(&TransactionError{Kind: InstructionError, Index: uint8(fail.Index),
			Instruction: invoke.Err(invoke.InvalidInstructionData)})
	}

	// Age: a young blockhash, or a durable nonce advanced by the first instruction.
	lamportsPerSig, young := b.blockhashes.valid(m.RecentBlockhash)
	nonceIdx := -1
	if !young {
		var ok bool
		nonceIdx, ok = b.checkDurableNonce(m, writable)
		if !ok {
			return dropped(TxErr(BlockhashNotFound))
		}
		lamportsPerSig = cfg.LamportsPerSignature
	}
	if simulate {
		if b.status.seen(b, tx.Signatures[0]) {
			return dropped(TxErr(AlreadyProcessed))
		}
		return b.executeClaimed(tx, s, keys, writable, budget, lamportsPerSig, nonceIdx, nLookupW)
	}
	if b.status.claim(b, b.slot, tx.Signatures[0]) {
		return dropped(TxErr(AlreadyProcessed))
	}
	res := b.executeClaimed(tx, s, keys, writable, budget, lamportsPerSig, nonceIdx, nLookupW)
	if !res.Committed {
		b.status.forget(b.slot, tx.Signatures[0])
	}
	return res
}

// executeClaimed continues execute once the signature is claimed.
func (b *Bank) executeClaimed(tx *sdk.Transaction, s *scratch, keys []sdk.Pubkey, writable []bool,
	budget computebudget.Budget, lamportsPerSig uint64, nonceIdx, nLookupW int) TxResult {
	m := &tx.Message
	cfg := b.cfg

	fee := lamportsPerSig*uint64(len(tx.Signatures)) + budget.PriorityFee()
	if fee < budget.PriorityFee() {
		fee = ^uint64(0)
	}

	// Load every account; writable ones are private copies.
	accts := s.accts[:0]
	var loadedBytes uint64
	for i, k := range keys {
		ta := invoke.TxAccount{Key: k, Signer: m.IsSigner(i), Writable: writable[i]}
		if k == sdk.SysvarInstructionsID {
			ta.Account = sdk.Account{Lamports: 1, Owner: sdk.SysvarOwnerID,
				Data: sysvar.InstructionsData(m, keys, func(j int) bool { return writable[j] })}
		} else if stored := b.loadForTx(k); stored != nil {
			if ta.Writable {
				ta.Account = stored.Clone()
			} else {
				ta.Account = *stored
			}
		} else {
			ta.Account = sdk.Account{Owner: sdk.SystemProgramID}
		}
		loadedBytes += uint64(len(ta.Account.Data))
		accts = append(accts, ta)
	}
	s.accts = accts
	if loadedBytes > uint64(budget.LoadedAccountsDataSizeMax) {
		return dropped(TxErr(MaxLoadedAccountsDataSizeExceeded))
	}

	// The fee payer: exists, is a System account (plain or nonce), can pay,
	// and does not drop into the rent-paying range.
	payer := &accts[0]
	if payer.Account.Lamports == 0 {
		return dropped(TxErr(AccountNotFound))
	}
	minBalance := uint64(0)
	switch {
	case payer.Account.Owner != sdk.SystemProgramID:
		return dropped(TxErr(InvalidAccountForFee))
	case len(payer.Account.Data) == system.NonceAccountSize:
		minBalance = cfg.Rent.MinimumBalance(system.NonceAccountSize)
	case len(payer.Account.Data) != 0:
		return dropped(TxErr(InvalidAccountForFee))
	}
	if payer.Account.Lamports < minBalance || payer.Account.Lamports-minBalance < fee {
		return dropped(TxErr(InsufficientFundsForFee))
	}
	preBalances := s.arena.uint64s(2 * len(accts))
	postBalances := preBalances[len(accts):]
	preBalances = preBalances[:len(accts)]
	for i := range accts {
		preBalances[i] = accts[i].Account.Lamports
	}
	if !rentStateOK(&cfg.Rent, preBalances[0], &payer.Account, payer.Account.Lamports-fee) {
		return dropped(&TransactionError{Kind: InsufficientFundsForRent, Index: 0})
	}
	payer.Account.Lamports -= fee
	payerAfterFee := payer.Account.Clone()

	// A durable-nonce transaction advances its nonce even if it fails: the
	// advanced state is prepared now and stored only on failure (on success
	// its AdvanceNonceAccount instruction did the same).
	var nonceAfter *sdk.Account
	if nonceIdx >= 0 {
		na := accts[nonceIdx].Account.Clone()
		if nonceIdx == 0 {
			na = payerAfterFee.Clone()
		}
		if st, err := system.DecodeNonce(na.Data); err == nil {
			st.DurableNonce = system.DurableNonceOf(b.env.Blockhash)
			st.LamportsPerSignature = cfg.LamportsPerSignature
			copy(na.Data, st.Encode())
			nonceAfter = &na
		}
	}

	res := TxResult{Committed: true, Fee: fee, PreBalances: preBalances, PostBalances: postBalances}
	usesToken := false
	for _, k := range keys {
		usesToken = usesToken || k == sdk.TokenProgramID
	}
	if usesToken {
		res.PreTokenBalances = b.tokenBalances(keys, accts, &s.arena)
	}
	if n := len(m.AccountKeys); len(keys) > n {
		res.LoadedAddresses = LoadedAddresses{Writable: slices.Clone(keys[n : n+nLookupW]), Readonly: slices.Clone(keys[n+nLookupW:])}
	}
	itx := &s.itx
	itx.Reset(&b.env, accts, budget.ComputeUnitLimit)
	for i, k := range keys {
		if k == sdk.SysvarInstructionsID {
			itx.InstructionsSysvar = i
		}
	}
	var execErr *TransactionError
	for i := range m.Instructions {
		ix := &m.Instructions[i]
		if int(ix.ProgramIDIndex) >= len(keys) {
			execErr = TxErr(InvalidAccountIndex)
			break
		}
		prog := &accts[ix.ProgramIDIndex]
		if prog.Account.Lamports == 0 && !prog.Account.Executable {
			execErr = TxErr(ProgramAccountNotFound)
			break
		}
		if _, ok := cfg.Programs[prog.Key]; !ok || !prog.Account.Executable {
			execErr = TxErr(InvalidProgramForExecution)
			break
		}
		if ierr := itx.ExecuteInstruction(i, ix); ierr != nil {
			execErr = &TransactionError{Kind: InstructionError, Index: uint8(i), Instruction: ierr}
			break
		}
	}
	if execErr == nil {
		for i := range accts {
			if writable[i] && !rentStateOK(&cfg.Rent, preBalances[i], &accts[i].Account, accts[i].Account.Lamports) {
				execErr = &TransactionError{Kind: InsufficientFundsForRent, Index: uint8(i)}
				break
			}
		}
	}
	res.ComputeUnits = itx.ComputeUsed()
	res.ReturnData = itx.Return
	res.Logs = s.arena.strings(itx.Logs)
	if len(itx.Inner) > 0 {
		// The scratch transaction is reused; the result keeps its own copy.
		res.InnerInstructions = slices.Clone(itx.Inner)
	}

	if execErr != nil {
		// Everything but the fee (and an advanced nonce) is undone.
		res.Err = execErr
		copy(postBalances, preBalances)
		postBalances[0] = payerAfterFee.Lamports
		res.PostTokenBalances = res.PreTokenBalances
		switch {
		case nonceAfter != nil && nonceIdx == 0:
			res.writes = []write{{key: keys[0], acct: *nonceAfter}}
		case nonceAfter != nil:
			res.writes = []write{{key: keys[0], acct: payerAfterFee}, {key: keys[nonceIdx], acct: *nonceAfter}}
		default:
			res.writes = []write{{key: keys[0], acct: payerAfterFee}}
		}
		return res
	}
	nw := 0
	for i := range accts {
		if writable[i] {
			nw++
		}
	}
	if usesToken {
		res.PostTokenBalances = b.tokenBalances(keys, accts, &s.arena)
	}
	res.writes = make([]write, 0, nw)
	for i := range accts {
		postBalances[i] = accts[i].Account.Lamports
		if writable[i] {
			res.writes = append(res.writes, write{key: keys[i], acct: accts[i].Account})
		}
	}
	return res
}

// loadForTx reads an account for a transaction.
func (b *Bank) loadForTx(k sdk.Pubkey) *sdk.Account {
	if b.cfg.reservedFilter.mayHave(&k) {
		if a, ok := b.reservedAccts[k]; ok {
			return a
		}
	}
	return b.accounts.load(b, k)
}

// rentStateOK is Solana's rent-state transition rule: an account may end
// empty or rent-exempt; an account that was already below exemption may stay
// so only with the same data size and no more lamports than it had.
func rentStateOK(rent *sysvar.Rent, preLamports uint64, post *sdk.Account, postLamports uint64) bool {
	if postLamports == 0 || rent.IsExempt(postLamports, len(post.Data)) {
		return true
	}
	return preLamports > 0 && !rent.IsExempt(preLamports, len(post.Data)) && postLamports <= preLamports
}

// isInvoked reports whether account i is some instruction's program.
func isInvoked(m *sdk.Message, i int) bool {
	for j := range m.Instructions {
		if int(m.Instructions[j].ProgramIDIndex) == i {
			return true
		}
	}
	return false
}

func hasDuplicates(keys []sdk.Pubkey) bool {
	seen := make(map[sdk.Pubkey]struct{}, len(keys))
	for _, k := range keys {
		if _, ok := seen[k]; ok {
			return true
		}
		seen[k] = struct{}{}
	}
	return false
}

func resizeBools(s []bool, n int) []bool {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]bool, n)
}

// checkDurableNonce accepts a transaction whose blockhash is not young if its
// first instruction is the System program's AdvanceNonceAccount on a
// writable, initialized nonce account whose stored nonce is the
// transaction's blockhash and whose authority signs. It returns the nonce
// account's index.
func (b *Bank) checkDurableNonce(m *sdk.Message, writable []bool) (int, bool) {
	if len(m.Instructions) == 0 {
		return -1, false
	}
	ix := &m.Instructions[0]
	if int(ix.ProgramIDIndex) >= len(m.AccountKeys) || m.AccountKeys[ix.ProgramIDIndex] != sdk.SystemProgramID ||
		len(ix.Data) < 4 || ix.Data[0] != byte(system.TagAdvanceNonceAccount) || ix.Data[1]|ix.Data[2]|ix.Data[3] != 0 ||
		len(ix.Accounts) == 0 {
		return -1, false
	}
	idx := int(ix.Accounts[0])
	if idx >= len(writable) || !writable[idx] {
		return -1, false
	}
	var key sdk.Pubkey
	if idx < len(m.AccountKeys) {
		key = m.AccountKeys[idx]
	} else {
		return -1, false
	}
	acct := b.accounts.load(b, key)
	if acct == nil || acct.Owner != sdk.SystemProgramID {
		return -1, false
	}
	st, err := system.DecodeNonce(acct.Data)
	if err != nil || !st.Initialized || st.DurableNonce != m.RecentBlockhash ||
		st.DurableNonce == system.DurableNonceOf(b.env.Blockhash) {
		return -1, false
	}
	for i := 0; i < int(m.Header.NumRequiredSignatures) && i < len(m.AccountKeys); i++ {
		if m.AccountKeys[i] == st.Authority {
			return idx, true
		}
	}
	return -1, false
}

// resolveLookups appends the looked-up keys of a v0 message: every table's
// writable indexes, then every table's read-only ones, as Solana orders them.
func (b *Bank) resolveLookups(m *sdk.Message, keys []sdk.Pubkey) ([]sdk.Pubkey, int, *TransactionError) {
	tables := make([]alt.Table, len(m.AddressTableLookups))
	for i := range m.AddressTableLookups {
		acct := b.accounts.load(b, m.AddressTableLookups[i].AccountKey)
		switch {
		case acct == nil:
			return keys, 0, TxErr(AddressLookupTableNotFound)
		case acct.Owner != alt.ID:
			return keys, 0, TxErr(InvalidAddressLookupTableOwner)
		}
		t, err := alt.DecodeTable(acct.Data)
		if err != nil {
			return keys, 0, TxErr(InvalidAddressLookupTableData)
		}
		tables[i] = t
	}
	lookup := func(writable bool) *TransactionError {
		for i := range m.AddressTableLookups {
			idx := m.AddressTableLookups[i].ReadonlyIndexes
			if writable {
				idx = m.AddressTableLookups[i].WritableIndexes
			}
			var err error
			keys, err = tables[i].Lookup(keys, b.slot, b.slotHashes, idx)
			switch {
			case errors.Is(err, alt.ErrInvalidLookupIndex):
				return TxErr(InvalidAddressLookupTableIndex)
			case err != nil:
				return TxErr(AddressLookupTableNotFound)
			}
		}
		return nil
	}
	static := len(keys)
	if err := lookup(true); err != nil {
		return keys, 0, err
	}
	nWritable := len(keys) - static
	if err := lookup(false); err != nil {
		return keys, 0, err
	}
	return keys, nWritable, nil
}
