package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/gnomon-chain/gnomon/runtime/programs/ata"
	"github.com/gnomon-chain/gnomon/runtime/programs/computebudget"
	"github.com/gnomon-chain/gnomon/runtime/programs/system"
	"github.com/gnomon-chain/gnomon/runtime/programs/token"
	"github.com/gnomon-chain/gnomon/sdk"
)

// Scenario names, as --scenario takes them.
const (
	scenarioTransfer      = "transfer"
	scenarioHotAccount    = "hot-account"
	scenarioTokenTransfer = "token-transfer"
	scenarioMixed         = "mixed"
)

var scenarios = []string{scenarioTransfer, scenarioHotAccount, scenarioTokenTransfer, scenarioMixed}

// txKind is what one load transaction does.
type txKind uint8

const (
	kindTransfer txKind = iota // payer i → its own recipient i (no two transactions of a round conflict)
	kindHot                    // payer i → the one hot account (every transaction writes it)
	kindToken                  // payer i's token account → recipient i's token account
	numKinds
)

var kindNames = [numKinds]string{"transfer", "hot", "token"}

// kindOf decides the kind of the k-th load transaction. Mixed is half SOL
// transfers, a quarter token transfers and a quarter into the hot account.
func kindOf(scenario string, k int) txKind {
	switch scenario {
	case scenarioHotAccount:
		return kindHot
	case scenarioTokenTransfer:
		return kindToken
	case scenarioMixed:
		return [4]txKind{kindTransfer, kindToken, kindTransfer, kindHot}[k%4]
	}
	return kindTransfer
}

func (w *workload) needs(k txKind) bool {
	if w.scenario == scenarioMixed {
		return true
	}
	return kindOf(w.scenario, 0) == k
}

// Fees the set-up budgets for: Solana's 5,000 lamports per signature, with
// room to spare so a payer never falls below rent exemption.
const feePerTx = 10_000

// workload is the accounts one run uses. Payer i always signs and pays; the
// k-th transaction uses payer k mod N in round k / N, and its amount is
// 1 + round, which makes every signature distinct.
type workload struct {
	scenario   string
	payers     []sdk.Keypair
	recipients []sdk.Pubkey // SOL recipients, funded to rent exemption
	hot        sdk.Pubkey
	mint       sdk.Keypair
	payerATAs  []sdk.Pubkey
	recipATAs  []sdk.Pubkey
}

// setupConfig is what set-up needs to know.
type setupConfig struct {
	scenario string
	accounts int
	rounds   int // load transactions per payer, at most
	funder   sdk.Keypair
	airdrop  bool // fund the funder through requestAirdrop first
}

// setup creates and funds everything the scenario's transactions touch and
// waits until all of it is confirmed, so that no load transaction can fail
// for a reason set-up could have prevented.
func setup(ctx context.Context, rc *rpcClient, cfg setupConfig, prog *progress) (*workload, error) {
	w := &workload{scenario: cfg.scenario}
	n := cfg.accounts
	rent0, err := rc.minimumBalance(ctx, 0)
	if err != nil {
		return nil, fmt.Errorf("set-up: %w", err)
	}
	prog.begin("keys", int64(2*n+1), nil)
	for range n {
		kp, err := sdk.NewKeypair()
		if err != nil {
			return nil, fmt.Errorf("set-up: %w", err)
		}
		w.payers = append(w.payers, kp)
		r, err := sdk.NewKeypair()
		if err != nil {
			return nil, fmt.Errorf("set-up: %w", err)
		}
		w.recipients = append(w.recipients, r.Pubkey())
		prog.add(2)
	}
	hot, err := sdk.NewKeypair()
	if err != nil {
		return nil, fmt.Errorf("set-up: %w", err)
	}
	w.hot = hot.Pubkey()
	if w.needs(kindToken) {
		if w.mint, err = sdk.NewKeypair(); err != nil {
			return nil, fmt.Errorf("set-up: %w", err)
		}
	}
	prog.add(1)

	// What each payer spends: a fee and at most 1+rounds lamports per
	// transaction, and it must stay rent exempt.
	perPayer := rent0 + 2*uint64(cfg.rounds)*(feePerTx+uint64(cfg.rounds)+1)
	var rentAccount, rentMint uint64
	if w.needs(kindToken) {
		if rentAccount, err = rc.minimumBalance(ctx, 165); err != nil {
			return nil, fmt.Errorf("set-up: %w", err)
		}
		if rentMint, err = rc.minimumBalance(ctx, token.MintSize); err != nil {
			return nil, fmt.Errorf("set-up: %w", err)
		}
		// Each payer creates its own token account and its recipient's.
		perPayer += 2*rentAccount + feePerTx
	}
	type payment struct {
		to       sdk.Pubkey
		lamports uint64
	}
	var pays []payment
	for _, p := range w.payers {
		pays = append(pays, payment{p.Pubkey(), perPayer})
	}
	if w.needs(kindTransfer) {
		for _, r := range w.recipients {
			pays = append(pays, payment{r, rent0})
		}
	}
	if w.needs(kindHot) {
		pays = append(pays, payment{w.hot, rent0})
	}
	var total uint64
	for _, p := range pays {
		total += p.lamports
	}
	total += rentMint + uint64(len(pays))*feePerTx + 1_000_000_000
	if cfg.airdrop {
		if err := airdrop(ctx, rc, cfg.funder.Pubkey(), total, prog); err != nil {
			return nil, err
		}
	} else if have, err := rc.balance(ctx, cfg.funder.Pubkey()); err != nil {
		return nil, fmt.Errorf("set-up: %w", err)
	} else if have < total {
		return nil, fmt.Errorf("set-up: payer %s holds %d lamports, the run needs %d", cfg.funder.Pubkey(), have, total)
	}

	// Funding: one transaction per 20 recipients (a legacy transaction of 20
	// transfers from one payer stays under the 1,232-byte limit).
	var txs []setupTx
	for start := 0; start < len(pays); start += 20 {
		var batch []sdk.Instruction
		for _, p := range pays[start:min(start+20, len(pays))] {
			batch = append(batch, transferIx(cfg.funder.Pubkey(), p.to, p.lamports))
		}
		txs = append(txs, setupTx{batch, []sdk.Keypair{cfg.funder}})
	}
	if err := submitAll(ctx, rc, "funding", txs, prog); err != nil {
		return nil, err
	}
	if !w.needs(kindToken) {
		return w, nil
	}

	funder := cfg.funder.Pubkey()
	mint := w.mint.Pubkey()
	mintIxs := []sdk.Instruction{
		{ProgramID: system.ID, Accounts: []sdk.AccountMeta{{Pubkey: funder, IsSigner: true, IsWritable: true}, {Pubkey: mint, IsSigner: true, IsWritable: true}},
			Data: system.CreateAccountData(rentMint, token.MintSize, token.ID)},
		{ProgramID: token.ID, Accounts: []sdk.AccountMeta{{Pubkey: mint, IsWritable: true}}, Data: token.InitializeMint2Data(0, funder, nil)},
	}
	if err := submitAll(ctx, rc, "mint", []setupTx{{mintIxs, []sdk.Keypair{cfg.funder, w.mint}}}, prog); err != nil {
		return nil, err
	}
	// Token accounts: payer i creates its own associated account and its
	// recipient's, so no account is written by every creation and they run
	// in parallel. Like a wallet, set-up asks for a compute limit a little
	// above the cost instead of the default 200,000 per instruction, which
	// would let only a handful into a block.
	txs = txs[:0]
	for i, p := range w.payers {
		var batch []sdk.Instruction
		batch = append(batch, computeLimitIx(2*ataCreateUnits))
		for _, wal := range []sdk.Pubkey{p.Pubkey(), w.recipients[i]} {
			batch = append(batch, sdk.Instruction{ProgramID: ata.ID, Data: ata.CreateIdempotentData(), Accounts: []sdk.AccountMeta{
				{Pubkey: p.Pubkey(), IsSigner: true, IsWritable: true}, {Pubkey: ata.Address(wal, mint), IsWritable: true},
				{Pubkey: wal}, {Pubkey: mint}, {Pubkey: system.ID}, {Pubkey: token.ID}}})
		}
		txs = append(txs, setupTx{batch, []sdk.Keypair{p}})
		w.payerATAs = append(w.payerATAs, ata.Address(p.Pubkey(), mint))
		w.recipATAs = append(w.recipATAs, ata.Address(w.recipients[i], mint))
	}
	if err := submitAll(ctx, rc, "token accounts", txs, prog); err != nil {
		return nil, err
	}
	// Each payer's token account gets enough for every round.
	perAccount := 2 * uint64(cfg.rounds) * (uint64(cfg.rounds) + 1)
	txs = txs[:0]
	for start := 0; start < n; start += 12 {
		batch := []sdk.Instruction{computeLimitIx(12 * tokenUnits)}
		for _, a := range w.payerATAs[start:min(start+12, n)] {
			batch = append(batch, sdk.Instruction{ProgramID: token.ID, Data: token.MintToData(perAccount), Accounts: []sdk.AccountMeta{
				{Pubkey: mint, IsWritable: true}, {Pubkey: a, IsWritable: true}, {Pubkey: funder, IsSigner: true}}})
		}
		txs = append(txs, setupTx{batch, []sdk.Keypair{cfg.funder}})
	}
	if err := submitAll(ctx, rc, "mint to", txs, prog); err != nil {
		return nil, err
	}
	return w, nil
}

// Compute limits the harness asks for, a margin above what the node's
// programs charge (Token: 4,645 for Transfer, 4,492 for MintTo; an
// associated account's creation ~21,000 with its CPIs, more when the bump
// search runs long).
const (
	tokenUnits     = 6_000
	ataCreateUnits = 60_000
)

func computeLimitIx(units uint32) sdk.Instruction {
	return sdk.Instruction{ProgramID: computebudget.ID, Data: computebudget.SetComputeUnitLimitData(units)}
}

func transferIx(from, to sdk.Pubkey, lamports uint64) sdk.Instruction {
	return sdk.Instruction{ProgramID: system.ID, Data: system.TransferData(lamports), Accounts: []sdk.AccountMeta{
		{Pubkey: from, IsSigner: true, IsWritable: true}, {Pubkey: to, IsWritable: true}}}
}

// airdrop funds to with at least lamports from the dev faucet, within its
// limits: 1,000 SOL a request and 10,000 SOL per address a minute.
func airdrop(ctx context.Context, rc *rpcClient, to sdk.Pubkey, lamports uint64, prog *progress) error {
	const perRequest = 1_000 * 1_000_000_000
	const perMinute = 10_000 * 1_000_000_000
	if lamports > perMinute {
		return fmt.Errorf("set-up: the run needs %d lamports, more than the faucet gives an address in a minute; pass --payer or fewer --accounts", lamports)
	}
	var sigs []sdk.Signature
	prog.begin("airdrop", int64((lamports+perRequest-1)/perRequest), nil)
	for left := lamports; left > 0; {
		amt := min(left, perRequest)
		sig, err := rc.requestAirdrop(ctx, to, amt)
		if err != nil {
			return fmt.Errorf("set-up: airdrop to %s: %w", to, err)
		}
		sigs = append(sigs, sig)
		left -= amt
		prog.add(1)
	}
	return rc.confirmAll(ctx, sigs, "airdrop")
}

// setupTx is one set-up transaction: its instructions and its signers, the
// first of which pays.
type setupTx struct {
	ixs     []sdk.Instruction
	signers []sdk.Keypair
}

// submitAll signs txs, sends them through RPC a few at a time and waits
// until all are confirmed.
func submitAll(ctx context.Context, rc *rpcClient, what string, txs []setupTx, prog *progress) error {
	bh, err := rc.latestBlockhash(ctx)
	if err != nil {
		return fmt.Errorf("set-up %s: %w", what, err)
	}
	prog.begin(what, int64(len(txs)), nil)
	sigs := make([]sdk.Signature, len(txs))
	errs := make([]error, len(txs))
	var wg sync.WaitGroup
	next := make(chan int)
	for range 8 {
		wg.Go(func() {
			for i := range next {
				tx, err := sdk.NewTransaction(txs[i].ixs, bh.Blockhash, txs[i].signers...)
				if err != nil {
					errs[i] = err
					continue
				}
				raw, err := tx.MarshalBinary()
				if err != nil {
					errs[i] = err
					continue
				}
				sigs[i] = tx.ID()
				errs[i] = rc.sendTransaction(ctx, raw)
				prog.add(1)
			}
		})
	}
	for i := range txs {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return fmt.Errorf("set-up %s, transaction %d: %w", what, i, err)
		}
	}
	cctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	return rc.confirmAll(cctx, sigs, "set-up "+what)
}

// presigned is every load transaction, signed before the clock starts.
type presigned struct {
	raw   [][]byte
	sigs  []sdk.Signature
	kinds []txKind
	index map[sdk.Signature]int32
}

// template is one payer's transaction of one kind in round 0, whose amount
// is the message's last 8 bytes, so later rounds patch it and re-sign
// instead of compiling a message again.
type template struct {
	raw    []byte // 1 (signature count) ‖ signature ‖ message
	payer  sdk.Keypair
	msgOff int
}

func (w *workload) template(kind txKind, i int, bh sdk.Hash) (template, error) {
	p := w.payers[i]
	var ixs []sdk.Instruction
	switch kind {
	case kindTransfer:
		ixs = []sdk.Instruction{transferIx(p.Pubkey(), w.recipients[i], 1)}
	case kindHot:
		ixs = []sdk.Instruction{transferIx(p.Pubkey(), w.hot, 1)}
	case kindToken:
		// A wallet sets a compute limit for a token transfer; without it
		// the transaction reserves 200,000 units and a block holds 75.
		ixs = []sdk.Instruction{computeLimitIx(tokenUnits), {ProgramID: token.ID, Data: token.TransferData(1), Accounts: []sdk.AccountMeta{
			{Pubkey: w.payerATAs[i], IsWritable: true}, {Pubkey: w.recipATAs[i], IsWritable: true}, {Pubkey: p.Pubkey(), IsSigner: true}}}}
	}
	tx, err := sdk.NewTransaction(ixs, bh, p)
	if err != nil {
		return template{}, fmt.Errorf("template: %w", err)
	}
	raw, err := tx.MarshalBinary()
	if err != nil {
		return template{}, fmt.Errorf("template: %w", err)
	}
	msg, err := tx.MessageBytes()
	if err != nil {
		return template{}, fmt.Errorf("template: %w", err)
	}
	// The patch is only sound if the wire form is exactly one signature
	// then the message, and the message ends with the amount.
	var one [8]byte
	binary.LittleEndian.PutUint64(one[:], 1)
	off := 1 + sdk.SignatureSize
	if len(raw) != off+len(msg) || raw[0] != 1 || !bytes.Equal(raw[off:], msg) || !bytes.HasSuffix(msg, one[:]) {
		return template{}, fmt.Errorf("template: unexpected layout for %s", kindNames[kind])
	}
	return template{raw: raw, payer: p, msgOff: off}, nil
}

// presign builds and signs count load transactions on every core.
func (w *workload) presign(count int, bh sdk.Hash, prog *progress) (*presigned, error) {
	n := len(w.payers)
	var tmpls [numKinds][]template
	for k := range numKinds {
		if !w.needs(k) {
			continue
		}
		tmpls[k] = make([]template, n)
		for i := range n {
			t, err := w.template(k, i, bh)
			if err != nil {
				return nil, err
			}
			tmpls[k][i] = t
		}
	}
	ps := &presigned{raw: make([][]byte, count), sigs: make([]sdk.Signature, count), kinds: make([]txKind, count)}
	prog.begin("sign", int64(count), nil)
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for wk := range workers {
		wg.Go(func() {
			var arena []byte
			for k := wk; k < count; k += workers {
				kind := kindOf(w.scenario, k)
				t := &tmpls[kind][k%n]
				if len(arena) < len(t.raw) {
					arena = make([]byte, 64<<10)
				}
				raw := arena[:len(t.raw):len(t.raw)]
				arena = arena[len(t.raw):]
				copy(raw, t.raw)
				msg := raw[t.msgOff:]
				binary.LittleEndian.PutUint64(msg[len(msg)-8:], uint64(1+k/n))
				sig := t.payer.Sign(msg)
				copy(raw[1:], sig[:])
				ps.raw[k], ps.sigs[k], ps.kinds[k] = raw, sig, kind
				if (k/workers)%256 == 255 {
					prog.add(256)
				}
			}
		})
	}
	wg.Wait()
	prog.done.Store(int64(count))
	ps.index = make(map[sdk.Signature]int32, count)
	for k, s := range ps.sigs {
		ps.index[s] = int32(k)
	}
	if len(ps.index) != count {
		return nil, fmt.Errorf("presign: %d distinct signatures for %d transactions", len(ps.index), count)
	}
	return ps, nil
}
