package runtime

import (
	"testing"

	"github.com/gnomon-chain/gnomon/runtime/programs/computebudget"
	"github.com/gnomon-chain/gnomon/runtime/programs/memo"
	"github.com/gnomon-chain/gnomon/runtime/programs/system"
	"github.com/gnomon-chain/gnomon/sdk"
)

// fuzzPrograms are the programs fuzzed transactions call.
var fuzzPrograms = []sdk.Pubkey{system.ID, computebudget.ID, memo.ID, memo.IDV1, {0xde, 0xad}}

// fuzzTx builds a sanitized transaction from fuzz bytes: a signer count, a
// few accounts from the world (signers first), and instructions whose
// program, accounts and data come from the input. Signatures are not
// checked by execution (verification is the caller's job), so the input's
// bytes serve as a unique signature.
func fuzzTx(world []sdk.Pubkey, blockhash sdk.Hash, data []byte) *sdk.Transaction {
	take := func(n int) []byte {
		if len(data) < n {
			data = append(data, make([]byte, n-len(data))...)
		}
		out := data[:n]
		data = data[n:]
		return out
	}
	h := take(4)
	nSigners := 1 + int(h[0])%2
	nKeys := nSigners + int(h[1])%4
	var keys []sdk.Pubkey
	for i := 0; i < nKeys; i++ {
		k := world[int(take(1)[0])%len(world)]
		dup := false
		for _, e := range keys {
			dup = dup || e == k
		}
		if !dup {
			keys = append(keys, k)
		}
	}
	nSigners = min(nSigners, len(keys))
	progStart := len(keys)
	keys = append(keys, fuzzPrograms...)
	m := sdk.Message{Header: sdk.MessageHeader{NumRequiredSignatures: uint8(nSigners), NumReadonlyUnsignedAccounts: uint8(len(fuzzPrograms))},
		AccountKeys: keys, RecentBlockhash: blockhash}
	if h[2]&1 == 1 && nSigners == 2 {
		m.Header.NumReadonlySignedAccounts = 1
	}
	for i := 0; i < 1+int(h[3])%3; i++ {
		b := take(3)
		ix := sdk.CompiledInstruction{ProgramIDIndex: uint8(progStart + int(b[0])%len(fuzzPrograms))}
		for j := 0; j < int(b[1])%4; j++ {
			ix.Accounts = append(ix.Accounts, take(1)[0]%uint8(progStart))
		}
		ix.Data = append([]byte(nil), take(int(b[2])%48)...)
		m.Instructions = append(m.Instructions, ix)
	}
	tx := &sdk.Transaction{Message: m, Signatures: make([]sdk.Signature, nSigners)}
	sig := take(64)
	copy(tx.Signatures[0][:], sig)
	if tx.Sanitize() != nil {
		return nil
	}
	return tx
}

// FuzzExecute runs arbitrary transactions against a small bank. Whatever
// they do: no panic; lamports are conserved except the fees the bank
// collected; no account a transaction wrote is left rent-paying; and
// parallel execution of the same transactions as one-transaction entries,
// entry by entry or replayed as a block in runs, agrees with serial
// execution.
func FuzzExecute(f *testing.F) {
	keys := testKeypairs(3, 77)
	nonceKey := sdk.Pubkey{0x70}
	nonceData := system.NonceState{Initialized: true, Authority: keys[0].Pubkey(), DurableNonce: sdk.Hash{1}}.Encode()
	extra := map[sdk.Pubkey]sdk.Account{
		nonceKey:         {Lamports: 2 * lamportsPerSOL, Owner: sdk.SystemProgramID, Data: nonceData},
		sdk.Pubkey{0x71}: {Lamports: lamportsPerSOL, Owner: sdk.Pubkey{0x99}, Data: []byte{1, 2, 3}},
	}
	world := []sdk.Pubkey{keys[0].Pubkey(), keys[1].Pubkey(), keys[2].Pubkey(), nonceKey, {0x71}, {0x72}, sdk.SysvarRecentBlockhashes, sdk.SysvarRentID}
	f.Add([]byte{0, 1, 0, 0, 0, 1, 0, 0, 2, 12, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{1, 3, 1, 2, 0, 3, 4, 2, 3, 40})
	f.Add(append([]byte{0, 2, 0, 1, 0, 1}, system.TransferData(lamportsPerSOL)...))
	f.Fuzz(func(t *testing.T, data []byte) {
		n := newTestNode(t, keys, extra)
		b := n.child(t, n.forks.Root(), 1)
		bh := b.LastBlockhash()
		var txs []*sdk.Transaction
		for len(data) > 0 && len(txs) < 4 {
			cut := min(len(data), 40)
			if tx := fuzzTx(world, bh, data[:cut]); tx != nil {
				txs = append(txs, tx)
			}
			data = data[cut:]
		}
		if len(txs) == 0 {
			return
		}
		all := append(append([]sdk.Pubkey(nil), world...), fuzzPrograms...)
		var before uint64
		for _, k := range all {
			before += b.Balance(k)
		}
		res := process(t, b, txs...)
		var after, fees uint64
		for _, k := range all {
			after += b.Balance(k)
		}
		for _, r := range res {
			fees += r.Fee * map[bool]uint64{true: 1}[r.Committed]
		}
		if after+fees != before {
			t.Fatalf("lamports %d -> %d with %d fees", before, after, fees)
		}
		if fees != b.CollectedFees() {
			t.Fatalf("results say %d fees, bank collected %d", fees, b.CollectedFees())
		}
		rent := b.Config().Rent
		for _, k := range b.WrittenKeys() {
			a := b.Account(k)
			if a != nil && a.Owner != sdk.SysvarOwnerID && !rent.IsExempt(a.Lamports, len(a.Data)) && k != (sdk.Pubkey{0x71}) {
				t.Fatalf("%s left with %d lamports for %d bytes", k, a.Lamports, len(a.Data))
			}
		}
		// The same transactions as one-transaction entries on a second node.
		n2 := newTestNode(t, keys, extra)
		b2 := n2.child(t, n2.forks.Root(), 1)
		exec := NewExecutor(2)
		defer exec.Close()
		for i, tx := range txs {
			r, err := exec.ExecuteEntry(b2, []*sdk.Transaction{tx})
			if err != nil {
				t.Fatal(err)
			}
			if !sameResult(r[0], res[i]) {
				t.Fatalf("tx %d differs between executors", i)
			}
		}
		// And as a replayed block on a third: its one-transaction entries
		// never conflict within themselves, and those that do not conflict
		// with each other execute as one run.
		n3 := newTestNode(t, keys, extra)
		b3 := n3.child(t, n3.forks.Root(), 1)
		block := make([][]*sdk.Transaction, len(txs))
		for i, tx := range txs {
			block[i] = []*sdk.Transaction{tx}
		}
		r3, err := exec.ExecuteEntries(b3, block)
		if err != nil {
			t.Fatal(err)
		}
		for i := range txs {
			if !sameResult(r3[i], res[i]) {
				t.Fatalf("tx %d differs when replayed in runs", i)
			}
		}
		h := b.Freeze(sdk.Hash{5})
		if h != b2.Freeze(sdk.Hash{5}) || h != b3.Freeze(sdk.Hash{5}) {
			t.Fatal("bank hashes differ")
		}
	})
}
