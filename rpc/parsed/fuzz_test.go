package parsed

import (
	"encoding/json"
	"testing"

	"github.com/gnomon-chain/gnomon/runtime/programs/alt"
	"github.com/gnomon-chain/gnomon/runtime/programs/ata"
	"github.com/gnomon-chain/gnomon/runtime/programs/system"
	"github.com/gnomon-chain/gnomon/runtime/programs/token"
	"github.com/gnomon-chain/gnomon/runtime/programs/vote"
	"github.com/gnomon-chain/gnomon/runtime/sysvar"
	"github.com/gnomon-chain/gnomon/sdk"
)

// fuzzPrograms are the owners and program ids the fuzzers pick from: every
// one this package parses, plus one it does not.
var fuzzPrograms = []sdk.Pubkey{
	sdk.SystemProgramID, sdk.TokenProgramID, sdk.VoteProgramID, sdk.AddressLookupTableID, sdk.SysvarOwnerID,
	sdk.AssociatedTokenID, sdk.MemoProgramID, sdk.MemoV1ProgramID, sdk.ComputeBudgetProgramID, k9,
}

// fuzzSysvars are the account addresses FuzzParseAccount picks from, so that
// sysvar-owned data reaches every sysvar parser.
var fuzzSysvars = []sdk.Pubkey{
	sdk.SysvarClockID, sdk.SysvarRentID, sdk.SysvarEpochScheduleID, sdk.SysvarSlotHashesID,
	sdk.SysvarRecentBlockhashes, sdk.SysvarInstructionsID, k8,
}

// checkJSON fails unless v marshals to valid JSON; a parser's result that
// cannot be marshalled would break the RPC response it is part of.
func checkJSON(t *testing.T, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal %#v: %v", v, err)
	}
	if !json.Valid(b) {
		t.Fatalf("invalid JSON %s", b)
	}
}

func FuzzParseAccount(f *testing.F) {
	add := func(program, key int, known bool, decimals uint8, data []byte) {
		f.Add(uint8(program), uint8(key), known, decimals, data)
	}
	tok := token.Account{Mint: k2, Owner: k3, Amount: 42, State: token.StateInitialized, Delegate: token.SomePubkey(k4)}
	mint := token.Mint{MintAuthority: token.SomePubkey(k3), Supply: 42, Decimals: 3, IsInitialized: true}
	add(0, 6, true, 0, system.NonceState{Initialized: true, Authority: k1, LamportsPerSignature: 5000}.Encode())
	add(1, 6, true, 2, tok.Encode())
	add(1, 6, false, 2, tok.Encode())
	add(1, 6, true, 200, mint.Encode())
	add(1, 6, true, 0, (&token.Multisig{M: 1, N: 1, IsInitialized: true, Signers: [token.MaxSigners]sdk.Pubkey{k1}}).Encode())
	add(2, 6, true, 0, vote.NewState(vote.Init{NodePubkey: k1, AuthorizedVoter: k2, AuthorizedWithdrawer: k3}, 1).Encode())
	add(2, 6, true, 0, make([]byte, vote.StateSize))
	add(3, 6, true, 0, lookupTable(1, 2, 0, &k1, k4))
	add(4, 0, true, 0, sysvar.Clock{Slot: 1}.Encode())
	add(4, 1, true, 0, sysvar.DefaultRent.Encode())
	add(4, 2, true, 0, sysvar.NewEpochSchedule(32).Encode())
	add(4, 3, true, 0, sysvar.EncodeSlotHashes([]sysvar.SlotHash{{Slot: 1}}))
	add(4, 4, true, 0, sysvar.EncodeRecentBlockhashes([]sysvar.RecentBlockhash{{LamportsPerSignature: 1}}))
	add(9, 6, true, 0, nil)
	f.Fuzz(func(t *testing.T, program, key uint8, known bool, decimals uint8, data []byte) {
		owner := fuzzPrograms[int(program)%len(fuzzPrograms)]
		pubkey := fuzzSysvars[int(key)%len(fuzzSysvars)]
		dec := func(sdk.Pubkey) (uint8, bool) { return decimals, known }
		acct, ok := ParseAccount(pubkey, owner, data, dec)
		if !ok {
			return
		}
		if acct.Space != uint64(len(data)) || acct.Program == "" {
			t.Fatalf("account %+v for %d bytes", acct, len(data))
		}
		checkJSON(t, acct)
		if bal, ok := TokenBalanceOf(0, owner, data, dec); ok {
			checkJSON(t, bal)
		}
	})
}

func FuzzParseInstruction(f *testing.F) {
	add := func(program, accounts int, data []byte) { f.Add(uint8(program), uint8(accounts), data) }
	tower, _ := vote.TowerSyncData(&vote.TowerSync{Lockouts: []vote.Lockout{{Slot: 5, ConfirmationCount: 1}}, HasRoot: true, Root: 4})
	add(0, 2, system.TransferData(5))
	add(0, 2, system.CreateAccountWithSeedData(k1, "seed", 1, 2, k3))
	add(0, 5, system.WithdrawNonceData(1))
	add(1, 4, token.TransferCheckedData(42, 6))
	add(1, 6, token.TransferData(42))
	add(1, 2, token.SetAuthorityData(token.AuthorityAccountOwner, nil))
	add(1, 1, append(token.GetAccountDataSizeData(), 7, 0))
	add(1, 1, token.UiAmountToAmountData("1.5"))
	add(5, 7, ata.RecoverNestedData())
	add(5, 6, nil)
	add(6, 0, []byte("hello"))
	add(7, 0, []byte{0xff})
	add(2, 2, tower)
	add(3, 4, alt.CreateLookupTableData(1, 255))
	add(3, 4, alt.ExtendLookupTableData([]sdk.Pubkey{k1}))
	add(8, 0, []byte{2, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, program, accounts uint8, data []byte) {
		id := fuzzPrograms[int(program)%len(fuzzPrograms)]
		keys := make([]sdk.Pubkey, int(accounts)%12)
		for i := range keys {
			keys[i] = sdk.Pubkey{byte(i + 1)}
		}
		height := uint32(accounts)
		ix, ok := ParseInstruction(id, keys, data, &height)
		if !ok {
			return
		}
		if ix.ProgramID != id.String() || ix.Program == "" || ix.StackHeight != &height {
			t.Fatalf("instruction %+v", ix)
		}
		checkJSON(t, ix)
	})
}
