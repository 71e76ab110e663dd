package parsed

import (
	"testing"

	"github.com/gnomon-chain/gnomon/runtime/programs/alt"
	"github.com/gnomon-chain/gnomon/runtime/programs/ata"
	"github.com/gnomon-chain/gnomon/runtime/programs/computebudget"
	"github.com/gnomon-chain/gnomon/runtime/programs/system"
	"github.com/gnomon-chain/gnomon/runtime/programs/token"
	"github.com/gnomon-chain/gnomon/runtime/programs/vote"
	"github.com/gnomon-chain/gnomon/sdk"
)

type ixCase struct {
	name     string
	accounts []sdk.Pubkey
	data     []byte
	want     string // the "parsed" value
}

// checkInstructions parses each case under program, compares the "parsed"
// value with the golden JSON, and checks that one account fewer than the
// case has (where the case's minimum is all it has) is refused, as Agave's
// tests pop an account and expect an error.
func checkInstructions(t *testing.T, program sdk.Pubkey, name string, cases []ixCase) {
	t.Helper()
	for _, c := range cases {
		ix, ok := ParseInstruction(program, c.accounts, c.data, nil)
		if !ok {
			_, _, err := parseInstruction(program, c.accounts, c.data)
			t.Errorf("%s: not parsed: %v", c.name, err)
			continue
		}
		if ix.Program != name || ix.ProgramID != program.String() || ix.StackHeight != nil {
			t.Errorf("%s: program %q id %q stack %v", c.name, ix.Program, ix.ProgramID, ix.StackHeight)
		}
		checkGolden(t, ix.Parsed, c.want)
	}
}

func refuseInstruction(t *testing.T, what string, program sdk.Pubkey, accounts []sdk.Pubkey, data []byte) {
	t.Helper()
	if ix, ok := ParseInstruction(program, accounts, data, nil); ok {
		t.Errorf("%s: parsed as %s, want raw", what, marshal(t, ix))
	}
}

func keys(n int) []sdk.Pubkey {
	all := []sdk.Pubkey{k1, k2, k3, k4, k5, k6, k7, k8, k9}
	return all[:n]
}

func TestInstructionEnvelope(t *testing.T) {
	height := uint32(2)
	ix, ok := ParseInstruction(sdk.SystemProgramID, keys(2), system.TransferData(55), &height)
	if !ok {
		t.Fatal("transfer not parsed")
	}
	checkGolden(t, ix, `{
		"parsed": {"info": {"destination": "K2", "lamports": 55, "source": "K1"}, "type": "transfer"},
		"program": "system",
		"programId": "11111111111111111111111111111111",
		"stackHeight": 2
	}`)
	ix, _ = ParseInstruction(sdk.MemoV1ProgramID, nil, []byte{240, 159, 166, 150}, nil)
	checkGolden(t, ix, `{"parsed": "🦖", "program": "spl-memo", "programId": "Memo1UhkJRfHyvLMcVucJwxXeuD728EqVDDwQDxFMNo", "stackHeight": null}`)
}

func TestMemoInstructions(t *testing.T) {
	for _, id := range []sdk.Pubkey{sdk.MemoProgramID, sdk.MemoV1ProgramID} {
		checkInstructions(t, id, "spl-memo", []ixCase{
			{"dino", nil, []byte{240, 159, 166, 150}, `"🦖"`},
			{"markup", keys(1), []byte(`<a href="x">&`), `"<a href=\"x\">&"`},
			{"empty", nil, nil, `""`},
		})
		refuseInstruction(t, "bad utf-8", id, nil, []byte{128})
	}
}

// Compute Budget is not among Agave's parsable programs.
func TestComputeBudgetIsRaw(t *testing.T) {
	refuseInstruction(t, "compute budget", sdk.ComputeBudgetProgramID, nil, computebudget.SetComputeUnitLimitData(1000))
}

// Field names and types follow Agave's parse_system and its tests.
func TestSystemInstructions(t *testing.T) {
	checkInstructions(t, sdk.SystemProgramID, "system", []ixCase{
		{"createAccount", keys(2), system.CreateAccountData(55, 128, k3),
			`{"info": {"lamports": 55, "newAccount": "K2", "owner": "K3", "source": "K1", "space": 128}, "type": "createAccount"}`},
		{"assign", keys(1), system.AssignData(k3),
			`{"info": {"account": "K1", "owner": "K3"}, "type": "assign"}`},
		{"transfer", keys(2), system.TransferData(55),
			`{"info": {"destination": "K2", "lamports": 55, "source": "K1"}, "type": "transfer"}`},
		{"createAccountWithSeed", keys(2), system.CreateAccountWithSeedData(k4, "seed", 55, 128, k3),
			`{"info": {"base": "K4", "lamports": 55, "newAccount": "K2", "owner": "K3", "seed": "seed", "source": "K1", "space": 128}, "type": "createAccountWithSeed"}`},
		{"advanceNonce", keys(3), system.AdvanceNonceData(),
			`{"info": {"nonceAccount": "K1", "nonceAuthority": "K3", "recentBlockhashesSysvar": "K2"}, "type": "advanceNonce"}`},
		{"withdrawFromNonce", keys(5), system.WithdrawNonceData(55),
			`{"info": {"destination": "K2", "lamports": 55, "nonceAccount": "K1", "nonceAuthority": "K5", "recentBlockhashesSysvar": "K3", "rentSysvar": "K4"}, "type": "withdrawFromNonce"}`},
		{"initializeNonce", keys(3), system.InitializeNonceData(k6),
			`{"info": {"nonceAccount": "K1", "nonceAuthority": "K6", "recentBlockhashesSysvar": "K2", "rentSysvar": "K3"}, "type": "initializeNonce"}`},
		{"authorizeNonce", keys(2), system.AuthorizeNonceData(k6),
			`{"info": {"newAuthorized": "K6", "nonceAccount": "K1", "nonceAuthority": "K2"}, "type": "authorizeNonce"}`},
		{"allocate", keys(1), system.AllocateData(128),
			`{"info": {"account": "K1", "space": 128}, "type": "allocate"}`},
		{"allocateWithSeed", keys(2), system.AllocateWithSeedData(k4, "seed", 128, k3),
			`{"info": {"account": "K1", "base": "K4", "owner": "K3", "seed": "seed", "space": 128}, "type": "allocateWithSeed"}`},
		{"assignWithSeed", keys(2), system.AssignWithSeedData(k4, "seed", k3),
			`{"info": {"account": "K1", "base": "K4", "owner": "K3", "seed": "seed"}, "type": "assignWithSeed"}`},
		{"transferWithSeed", keys(3), system.TransferWithSeedData(55, "seed", k4),
			`{"info": {"destination": "K3", "lamports": 55, "source": "K1", "sourceBase": "K2", "sourceOwner": "K4", "sourceSeed": "seed"}, "type": "transferWithSeed"}`},
		{"upgradeNonce", keys(1), system.UpgradeNonceData(),
			`{"info": {"nonceAccount": "K1"}, "type": "upgradeNonce"}`},
	})
	refuseInstruction(t, "transfer with one account", sdk.SystemProgramID, keys(1), system.TransferData(55))
	refuseInstruction(t, "withdraw with four accounts", sdk.SystemProgramID, keys(4), system.WithdrawNonceData(55))
	refuseInstruction(t, "assign with no accounts", sdk.SystemProgramID, nil, system.AssignData(k3))
	refuseInstruction(t, "unknown tag", sdk.SystemProgramID, keys(3), []byte{13, 0, 0, 0})
	refuseInstruction(t, "short data", sdk.SystemProgramID, keys(3), system.TransferData(55)[:11])
}

// Field names follow Agave's parse_token; amounts are strings, and the
// Checked forms carry a full tokenAmount.
func TestTokenInstructions(t *testing.T) {
	rent := sdk.SysvarRentID
	checkInstructions(t, sdk.TokenProgramID, "spl-token", []ixCase{
		{"initializeMint", []sdk.Pubkey{k1, rent}, token.InitializeMintData(2, k2, &k3),
			`{"info": {"decimals": 2, "freezeAuthority": "K3", "mint": "K1", "mintAuthority": "K2", "rentSysvar": "SysvarRent111111111111111111111111111111111"}, "type": "initializeMint"}`},
		{"initializeMint no freeze", []sdk.Pubkey{k1, rent}, token.InitializeMintData(2, k2, nil),
			`{"info": {"decimals": 2, "mint": "K1", "mintAuthority": "K2", "rentSysvar": "SysvarRent111111111111111111111111111111111"}, "type": "initializeMint"}`},
		{"initializeMint2", keys(1), token.InitializeMint2Data(2, k2, &k3),
			`{"info": {"decimals": 2, "freezeAuthority": "K3", "mint": "K1", "mintAuthority": "K2"}, "type": "initializeMint2"}`},
		{"initializeAccount", keys(4), token.InitializeAccountData(),
			`{"info": {"account": "K1", "mint": "K2", "owner": "K3", "rentSysvar": "K4"}, "type": "initializeAccount"}`},
		{"initializeAccount2", keys(3), token.InitializeAccount2Data(k5),
			`{"info": {"account": "K1", "mint": "K2", "owner": "K5", "rentSysvar": "K3"}, "type": "initializeAccount2"}`},
		{"initializeAccount3", keys(2), token.InitializeAccount3Data(k5),
			`{"info": {"account": "K1", "mint": "K2", "owner": "K5"}, "type": "initializeAccount3"}`},
		{"initializeMultisig", keys(5), token.InitializeMultisigData(2),
			`{"info": {"m": 2, "multisig": "K1", "rentSysvar": "K2", "signers": ["K3", "K4", "K5"]}, "type": "initializeMultisig"}`},
		{"initializeMultisig2", keys(4), token.InitializeMultisig2Data(2),
			`{"info": {"m": 2, "multisig": "K1", "signers": ["K2", "K3", "K4"]}, "type": "initializeMultisig2"}`},
		{"transfer", keys(3), token.TransferData(42),
			`{"info": {"amount": "42", "authority": "K3", "destination": "K2", "source": "K1"}, "type": "transfer"}`},
		{"transfer multisig", keys(5), token.TransferData(42),
			`{"info": {"amount": "42", "destination": "K2", "multisigAuthority": "K3", "signers": ["K4", "K5"], "source": "K1"}, "type": "transfer"}`},
		{"approve", keys(3), token.ApproveData(42),
			`{"info": {"amount": "42", "delegate": "K2", "owner": "K3", "source": "K1"}, "type": "approve"}`},
		{"revoke multisig", keys(4), token.RevokeData(),
			`{"info": {"multisigOwner": "K2", "signers": ["K3", "K4"], "source": "K1"}, "type": "revoke"}`},
		{"setAuthority mint", keys(2), token.SetAuthorityData(token.AuthorityMintTokens, &k3),
			`{"info": {"authority": "K2", "authorityType": "mintTokens", "mint": "K1", "newAuthority": "K3"}, "type": "setAuthority"}`},
		{"setAuthority close to none", keys(2), token.SetAuthorityData(token.AuthorityCloseAccount, nil),
			`{"info": {"account": "K1", "authority": "K2", "authorityType": "closeAccount", "newAuthority": null}, "type": "setAuthority"}`},
		{"mintTo", keys(3), token.MintToData(42),
			`{"info": {"account": "K2", "amount": "42", "mint": "K1", "mintAuthority": "K3"}, "type": "mintTo"}`},
		{"burn", keys(3), token.BurnData(42),
			`{"info": {"account": "K1", "amount": "42", "authority": "K3", "mint": "K2"}, "type": "burn"}`},
		{"closeAccount", keys(3), token.CloseAccountData(),
			`{"info": {"account": "K1", "destination": "K2", "owner": "K3"}, "type": "closeAccount"}`},
		{"freezeAccount", keys(3), token.FreezeAccountData(),
			`{"info": {"account": "K1", "freezeAuthority": "K3", "mint": "K2"}, "type": "freezeAccount"}`},
		{"thawAccount multisig", keys(4), token.ThawAccountData(),
			`{"info": {"account": "K1", "mint": "K2", "multisigFreezeAuthority": "K3", "signers": ["K4"]}, "type": "thawAccount"}`},
		{"transferChecked", keys(4), token.TransferCheckedData(42, 2),
			`{"info": {"authority": "K4", "destination": "K3", "mint": "K2", "source": "K1",
				"tokenAmount": {"amount": "42", "decimals": 2, "uiAmount": 0.42, "uiAmountString": "0.42"}}, "type": "transferChecked"}`},
		{"approveChecked", keys(4), token.ApproveCheckedData(1_000_000, 6),
			`{"info": {"delegate": "K3", "mint": "K2", "owner": "K4", "source": "K1",
				"tokenAmount": {"amount": "1000000", "decimals": 6, "uiAmount": 1.0, "uiAmountString": "1"}}, "type": "approveChecked"}`},
		{"mintToChecked", keys(3), token.MintToCheckedData(1, 9),
			`{"info": {"account": "K2", "mint": "K1", "mintAuthority": "K3",
				"tokenAmount": {"amount": "1", "decimals": 9, "uiAmount": 1e-9, "uiAmountString": "0.000000001"}}, "type": "mintToChecked"}`},
		{"burnChecked huge decimals", keys(3), token.BurnCheckedData(1, 20),
			`{"info": {"account": "K1", "authority": "K3", "mint": "K2",
				"tokenAmount": {"amount": "1", "decimals": 20, "uiAmount": null, "uiAmountString": "0.00000000000000000001"}}, "type": "burnChecked"}`},
		{"syncNative", keys(1), token.SyncNativeData(),
			`{"info": {"account": "K1"}, "type": "syncNative"}`},
		{"getAccountDataSize", keys(1), token.GetAccountDataSizeData(),
			`{"info": {"mint": "K1"}, "type": "getAccountDataSize"}`},
		{"getAccountDataSize from ata", keys(1), append(token.GetAccountDataSizeData(), 7, 0),
			`{"info": {"extensionTypes": ["immutableOwner"], "mint": "K1"}, "type": "getAccountDataSize"}`},
		{"initializeImmutableOwner", keys(1), token.InitializeImmutableOwnerData(),
			`{"info": {"account": "K1"}, "type": "initializeImmutableOwner"}`},
		{"amountToUiAmount", keys(1), token.AmountToUiAmountData(42),
			`{"info": {"amount": "42", "mint": "K1"}, "type": "amountToUiAmount"}`},
		{"uiAmountToAmount", keys(1), token.UiAmountToAmountData("0.42"),
			`{"info": {"mint": "K1", "uiAmount": "0.42"}, "type": "uiAmountToAmount"}`},
	})
	refuseInstruction(t, "transferChecked with three accounts", sdk.TokenProgramID, keys(3), token.TransferCheckedData(42, 2))
	refuseInstruction(t, "syncNative with no accounts", sdk.TokenProgramID, nil, token.SyncNativeData())
	refuseInstruction(t, "odd extension bytes", sdk.TokenProgramID, keys(1), append(token.GetAccountDataSizeData(), 7))
	refuseInstruction(t, "unknown extension", sdk.TokenProgramID, keys(1), append(token.GetAccountDataSizeData(), 0xff, 0))
	refuseInstruction(t, "token-2022 tag", sdk.TokenProgramID, keys(3), []byte{25})
	refuseInstruction(t, "empty", sdk.TokenProgramID, keys(3), nil)
}

func TestAssociatedTokenInstructions(t *testing.T) {
	six := []sdk.Pubkey{k1, k2, k3, k4, sdk.SystemProgramID, sdk.TokenProgramID}
	checkInstructions(t, sdk.AssociatedTokenID, "spl-associated-token-account", []ixCase{
		{"create", six, ata.CreateData(),
			`{"info": {"account": "K2", "mint": "K4", "source": "K1", "systemProgram": "11111111111111111111111111111111",
				"tokenProgram": "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA", "wallet": "K3"}, "type": "create"}`},
		// The deprecated form: no data, and a trailing rent sysvar.
		{"create deprecated", append(six[:6:6], sdk.SysvarRentID), nil,
			`{"info": {"account": "K2", "mint": "K4", "source": "K1", "systemProgram": "11111111111111111111111111111111",
				"tokenProgram": "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA", "wallet": "K3"}, "type": "create"}`},
		{"createIdempotent", six, ata.CreateIdempotentData(),
			`{"info": {"account": "K2", "mint": "K4", "source": "K1", "systemProgram": "11111111111111111111111111111111",
				"tokenProgram": "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA", "wallet": "K3"}, "type": "createIdempotent"}`},
		{"recoverNested", keys(7), ata.RecoverNestedData(),
			`{"info": {"destination": "K3", "nestedMint": "K2", "nestedOwner": "K4", "nestedSource": "K1", "ownerMint": "K5",
				"tokenProgram": "K7", "wallet": "K6"}, "type": "recoverNested"}`},
	})
	refuseInstruction(t, "create with five accounts", sdk.AssociatedTokenID, six[:5], ata.CreateData())
	refuseInstruction(t, "recoverNested with six accounts", sdk.AssociatedTokenID, keys(6), ata.RecoverNestedData())
	refuseInstruction(t, "trailing byte", sdk.AssociatedTokenID, six, []byte{1, 0})
	refuseInstruction(t, "unknown tag", sdk.AssociatedTokenID, keys(7), []byte{3})
}

func TestVoteInstructions(t *testing.T) {
	tower := &vote.TowerSync{
		Lockouts: []vote.Lockout{{Slot: 1, ConfirmationCount: 3}, {Slot: 2, ConfirmationCount: 2}, {Slot: 3, ConfirmationCount: 1}},
		Hash:     h1, BlockID: h2,
	}
	towerData, err := vote.TowerSyncData(tower)
	if err != nil {
		t.Fatal(err)
	}
	rooted := &vote.TowerSync{
		Lockouts: []vote.Lockout{{Slot: 12, ConfirmationCount: 1}},
		HasRoot:  true, Root: 10, Hash: h1, HasTimestamp: true, Timestamp: 1_700_000_000, BlockID: h2,
	}
	switchData, err := vote.TowerSyncSwitchData(rooted, h2)
	if err != nil {
		t.Fatal(err)
	}
	checkInstructions(t, sdk.VoteProgramID, "vote", []ixCase{
		{"initialize", []sdk.Pubkey{k1, sdk.SysvarRentID, sdk.SysvarClockID, k2},
			vote.InitializeAccountData(vote.Init{NodePubkey: k2, AuthorizedVoter: k3, AuthorizedWithdrawer: k4, Commission: 10}),
			`{"info": {"authorizedVoter": "K3", "authorizedWithdrawer": "K4", "clockSysvar": "SysvarC1ock11111111111111111111111111111111",
				"commission": 10, "node": "K2", "rentSysvar": "SysvarRent111111111111111111111111111111111", "voteAccount": "K1"}, "type": "initialize"}`},
		{"authorize", keys(3), vote.AuthorizeData(k5, vote.AuthorizeVoter),
			`{"info": {"authority": "K3", "authorityType": "Voter", "clockSysvar": "K2", "newAuthority": "K5", "voteAccount": "K1"}, "type": "authorize"}`},
		{"authorizeChecked", keys(4), vote.AuthorizeCheckedData(vote.AuthorizeWithdrawer),
			`{"info": {"authority": "K3", "authorityType": "Withdrawer", "clockSysvar": "K2", "newAuthority": "K4", "voteAccount": "K1"}, "type": "authorizeChecked"}`},
		{"withdraw", keys(3), vote.WithdrawData(55),
			`{"info": {"destination": "K2", "lamports": 55, "voteAccount": "K1", "withdrawAuthority": "K3"}, "type": "withdraw"}`},
		{"updateValidatorIdentity", keys(3), vote.UpdateValidatorIdentityData(),
			`{"info": {"newValidatorIdentity": "K2", "voteAccount": "K1", "withdrawAuthority": "K3"}, "type": "updateValidatorIdentity"}`},
		{"updateCommission", keys(2), vote.UpdateCommissionData(10),
			`{"info": {"commission": 10, "voteAccount": "K1", "withdrawAuthority": "K2"}, "type": "updateCommission"}`},
		// Agave's test_parse_tower_sync_ix tower; Lockout keeps serde's
		// snake case.
		{"towersync", keys(2), towerData,
			`{"info": {"towerSync": {"blockId": "H2", "hash": "H1",
				"lockouts": [{"confirmation_count": 3, "slot": 1}, {"confirmation_count": 2, "slot": 2}, {"confirmation_count": 1, "slot": 3}],
				"root": null, "timestamp": null}, "voteAccount": "K1", "voteAuthority": "K2"}, "type": "towersync"}`},
		{"towersyncswitch", keys(2), switchData,
			`{"info": {"hash": "H2", "towerSync": {"blockId": "H2", "hash": "H1",
				"lockouts": [{"confirmation_count": 1, "slot": 12}], "root": 10, "timestamp": 1700000000},
				"voteAccount": "K1", "voteAuthority": "K2"}, "type": "towersyncswitch"}`},
	})
	refuseInstruction(t, "towersync with one account", sdk.VoteProgramID, keys(1), towerData)
	refuseInstruction(t, "withdraw with two accounts", sdk.VoteProgramID, keys(2), vote.WithdrawData(55))
	refuseInstruction(t, "legacy vote", sdk.VoteProgramID, keys(4), []byte{2, 0, 0, 0})
}

func TestLookupTableInstructions(t *testing.T) {
	checkInstructions(t, sdk.AddressLookupTableID, "address-lookup-table", []ixCase{
		{"createLookupTable", []sdk.Pubkey{k1, k2, k3, sdk.SystemProgramID}, alt.CreateLookupTableData(42, 254),
			`{"info": {"bumpSeed": 254, "lookupTableAccount": "K1", "lookupTableAuthority": "K2", "payerAccount": "K3",
				"recentSlot": 42, "systemProgram": "11111111111111111111111111111111"}, "type": "createLookupTable"}`},
		{"freezeLookupTable", keys(2), alt.FreezeLookupTableData(),
			`{"info": {"lookupTableAccount": "K1", "lookupTableAuthority": "K2"}, "type": "freezeLookupTable"}`},
		{"extendLookupTable", keys(2), alt.ExtendLookupTableData(nil),
			`{"info": {"lookupTableAccount": "K1", "lookupTableAuthority": "K2", "newAddresses": []}, "type": "extendLookupTable"}`},
		{"extendLookupTable with payer", []sdk.Pubkey{k1, k2, k3, sdk.SystemProgramID}, alt.ExtendLookupTableData([]sdk.Pubkey{k5, k6}),
			`{"info": {"lookupTableAccount": "K1", "lookupTableAuthority": "K2", "newAddresses": ["K5", "K6"], "payerAccount": "K3",
				"systemProgram": "11111111111111111111111111111111"}, "type": "extendLookupTable"}`},
		// A payer without the System program is not shown, as in Agave.
		{"extendLookupTable three accounts", keys(3), alt.ExtendLookupTableData([]sdk.Pubkey{k5}),
			`{"info": {"lookupTableAccount": "K1", "lookupTableAuthority": "K2", "newAddresses": ["K5"]}, "type": "extendLookupTable"}`},
		{"deactivateLookupTable", keys(2), alt.DeactivateLookupTableData(),
			`{"info": {"lookupTableAccount": "K1", "lookupTableAuthority": "K2"}, "type": "deactivateLookupTable"}`},
		{"closeLookupTable", keys(3), alt.CloseLookupTableData(),
			`{"info": {"lookupTableAccount": "K1", "lookupTableAuthority": "K2", "recipient": "K3"}, "type": "closeLookupTable"}`},
	})
	refuseInstruction(t, "create with three accounts", sdk.AddressLookupTableID, keys(3), alt.CreateLookupTableData(42, 254))
	refuseInstruction(t, "close with two accounts", sdk.AddressLookupTableID, keys(2), alt.CloseLookupTableData())
	refuseInstruction(t, "unknown tag", sdk.AddressLookupTableID, keys(3), []byte{5, 0, 0, 0})
}
