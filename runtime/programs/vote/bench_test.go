package vote

import (
	"testing"

	"github.com/gnomon-chain/gnomon/runtime/invoke"
	"github.com/gnomon-chain/gnomon/sdk"
)

// BenchmarkTowerSync runs one TowerSync of a full tower (31 votes and a
// root, so the vote roots a slot and earns credits) through the executor,
// against a 512-entry SlotHashes, as a replaying bank does for every vote
// transaction.
func BenchmarkTowerSync(b *testing.B) {
	local := initialized()
	for slot := uint64(1000); slot < 1040; slot++ {
		local.ProcessNextVoteSlot(slot, 1, slot+1)
	}
	chain := local.Clone()
	local.ProcessNextVoteSlot(1040, 1, 1041)
	ts := local.TowerSync(hashOf(1040))
	data, err := TowerSyncData(&ts)
	if err != nil {
		b.Fatal(err)
	}
	env := testEnv(1041, 1)
	orig := chain.Encode()
	accounts := []invoke.TxAccount{
		{Key: voteKey, Writable: true, Account: sdk.Account{Lamports: rentMin, Owner: ID, Data: make([]byte, StateSize)}},
		{Key: voter, Signer: true, Writable: true, Account: sdk.Account{Lamports: 1}},
		{Key: ID, Account: sdk.Account{Lamports: 1, Owner: sdk.NativeLoaderID, Executable: true}},
	}
	ix := &sdk.CompiledInstruction{ProgramIDIndex: 2, Accounts: []uint8{0, 1}, Data: data}
	tx := invoke.NewTransaction(env, accounts, 1_400_000)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		copy(accounts[0].Account.Data, orig)
		tx.Reset(env, accounts, 1_400_000)
		if err := tx.ExecuteInstruction(0, ix); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if s, err := DecodeState(accounts[0].Account.Data); err != nil || s.RootSlot != 1009 {
		b.Fatalf("vote did not land: %v %+v", err, s)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "votes/s")
}
