package parsed

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/gnomon-chain/gnomon/runtime/programs/system"
	"github.com/gnomon-chain/gnomon/runtime/programs/token"
	"github.com/gnomon-chain/gnomon/runtime/programs/vote"
	"github.com/gnomon-chain/gnomon/runtime/sysvar"
	"github.com/gnomon-chain/gnomon/sdk"
)

func mustParseAccount(t *testing.T, pubkey, owner sdk.Pubkey, data []byte, dec func(sdk.Pubkey) (uint8, bool)) Account {
	t.Helper()
	acct, ok := ParseAccount(pubkey, owner, data, dec)
	if !ok {
		_, _, err := parseAccount(pubkey, owner, data, dec)
		t.Fatalf("ParseAccount not ok: %v", err)
	}
	return acct
}

func refuseAccount(t *testing.T, what string, pubkey, owner sdk.Pubkey, data []byte, dec func(sdk.Pubkey) (uint8, bool)) {
	t.Helper()
	if acct, ok := ParseAccount(pubkey, owner, data, dec); ok {
		t.Errorf("%s: parsed as %s, want fallback", what, marshal(t, acct))
	}
}

// The first case is Agave's test_parse_token account, with its 2 decimals.
func TestTokenAccountGolden(t *testing.T) {
	dec := decimalsOf(map[sdk.Pubkey]uint8{k2: 2, sdk.NativeMintID: 9})
	a := token.Account{Mint: k2, Owner: k3, Amount: 42, State: token.StateInitialized, CloseAuthority: token.SomePubkey(k3)}
	checkGolden(t, mustParseAccount(t, k9, sdk.TokenProgramID, a.Encode(), dec), `{
		"parsed": {
			"info": {
				"closeAuthority": "K3",
				"isNative": false,
				"mint": "K2",
				"owner": "K3",
				"state": "initialized",
				"tokenAmount": {"amount": "42", "decimals": 2, "uiAmount": 0.42, "uiAmountString": "0.42"}
			},
			"type": "account"
		},
		"program": "spl-token",
		"space": 165
	}`)

	// A frozen wrapped-SOL account with a delegate: delegatedAmount appears
	// with the delegate even at zero, rentExemptReserve with isNative.
	w := token.Account{Mint: sdk.NativeMintID, Owner: k3, Amount: 5_000_000_000, Delegate: token.SomePubkey(k4),
		State: token.StateFrozen, IsNative: token.COptionU64{Some: true, Value: 2_039_280}}
	checkGolden(t, mustParseAccount(t, k9, sdk.TokenProgramID, w.Encode(), dec), `{
		"parsed": {
			"info": {
				"delegate": "K4",
				"delegatedAmount": {"amount": "0", "decimals": 9, "uiAmount": 0.0, "uiAmountString": "0"},
				"isNative": true,
				"mint": "So11111111111111111111111111111111111111112",
				"owner": "K3",
				"rentExemptReserve": {"amount": "2039280", "decimals": 9, "uiAmount": 0.00203928, "uiAmountString": "0.00203928"},
				"state": "frozen",
				"tokenAmount": {"amount": "5000000000", "decimals": 9, "uiAmount": 5.0, "uiAmountString": "5"}
			},
			"type": "account"
		},
		"program": "spl-token",
		"space": 165
	}`)

	refuseAccount(t, "unknown mint", k9, sdk.TokenProgramID, a.Encode(), decimalsOf(nil))
	refuseAccount(t, "no decimals lookup", k9, sdk.TokenProgramID, a.Encode(), nil)
	refuseAccount(t, "uninitialized account", k9, sdk.TokenProgramID, make([]byte, token.AccountSize), dec)
	refuseAccount(t, "uninitialized mint", k9, sdk.TokenProgramID, make([]byte, token.MintSize), dec)
	refuseAccount(t, "uninitialized multisig", k9, sdk.TokenProgramID, make([]byte, token.MultisigSize), dec)
	refuseAccount(t, "odd size", k9, sdk.TokenProgramID, make([]byte, 4), dec)
	bad := a.Encode()
	bad[108] = 3 // no such account state
	refuseAccount(t, "bad state", k9, sdk.TokenProgramID, bad, dec)

	bal, ok := TokenBalanceOf(3, sdk.TokenProgramID, a.Encode(), dec)
	if !ok {
		t.Fatal("TokenBalanceOf not ok")
	}
	checkGolden(t, bal, `{"accountIndex": 3, "mint": "K2", "owner": "K3",
		"programId": "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA",
		"uiTokenAmount": {"amount": "42", "decimals": 2, "uiAmount": 0.42, "uiAmountString": "0.42"}}`)
	if _, ok := TokenBalanceOf(3, sdk.TokenProgramID, a.Encode(), decimalsOf(nil)); ok {
		t.Error("TokenBalanceOf with an unknown mint")
	}
}

// Mint and multisig are Agave's test_parse_token cases (3 decimals, supply
// 42; 2 of 3 signers), plus a mint with no authorities, which shows null.
func TestMintAndMultisigGolden(t *testing.T) {
	m := token.Mint{MintAuthority: token.SomePubkey(k3), Supply: 42, Decimals: 3, IsInitialized: true, FreezeAuthority: token.SomePubkey(k3)}
	checkGolden(t, mustParseAccount(t, k9, sdk.TokenProgramID, m.Encode(), nil), `{
		"parsed": {
			"info": {"decimals": 3, "freezeAuthority": "K3", "isInitialized": true, "mintAuthority": "K3", "supply": "42"},
			"type": "mint"
		},
		"program": "spl-token",
		"space": 82
	}`)
	fixed := token.Mint{Supply: math.MaxUint64, Decimals: 0, IsInitialized: true}
	checkGolden(t, mustParseAccount(t, k9, sdk.TokenProgramID, fixed.Encode(), nil), `{
		"parsed": {
			"info": {"decimals": 0, "freezeAuthority": null, "isInitialized": true, "mintAuthority": null, "supply": "18446744073709551615"},
			"type": "mint"
		},
		"program": "spl-token",
		"space": 82
	}`)

	ms := token.Multisig{M: 2, N: 3, IsInitialized: true}
	ms.Signers[0], ms.Signers[1], ms.Signers[2] = k1, k2, k3
	checkGolden(t, mustParseAccount(t, k9, sdk.TokenProgramID, ms.Encode(), nil), `{
		"parsed": {
			"info": {"isInitialized": true, "numRequiredSigners": 2, "numValidSigners": 3, "signers": ["K1", "K2", "K3"]},
			"type": "multisig"
		},
		"program": "spl-token",
		"space": 355
	}`)
}

func TestNonceGolden(t *testing.T) {
	n := system.NonceState{Initialized: true, Authority: k1, DurableNonce: h1, LamportsPerSignature: 5000}
	checkGolden(t, mustParseAccount(t, k9, sdk.SystemProgramID, n.Encode(), nil), `{
		"parsed": {
			"info": {"authority": "K1", "blockhash": "H1", "feeCalculator": {"lamportsPerSignature": "5000"}},
			"type": "initialized"
		},
		"program": "nonce",
		"space": 80
	}`)
	// Agave's parse_nonce refuses Uninitialized, so that zeroed System
	// accounts are not shown as nonces; plain wallets have no data.
	refuseAccount(t, "uninitialized nonce", k9, sdk.SystemProgramID, make([]byte, system.NonceAccountSize), nil)
	refuseAccount(t, "wallet", k9, sdk.SystemProgramID, nil, nil)
	refuseAccount(t, "short", k9, sdk.SystemProgramID, n.Encode()[:79], nil)
}

func TestVoteGolden(t *testing.T) {
	s := &vote.State{
		NodePubkey: k1, AuthorizedWithdrawer: k2, Commission: 10,
		Votes: []vote.LandedVote{
			{Latency: 1, Lockout: vote.Lockout{Slot: 100, ConfirmationCount: 2}},
			{Latency: 2, Lockout: vote.Lockout{Slot: 101, ConfirmationCount: 1}},
		},
		HasRoot: true, RootSlot: 99,
		AuthorizedVoters: []vote.AuthorizedVoter{{Epoch: 3, Pubkey: k3}},
		EpochCredits:     []vote.EpochCredits{{Epoch: 3, Credits: 1000, PrevCredits: 900}},
		LastTimestamp:    vote.BlockTimestamp{Slot: 101, Timestamp: 1_700_000_000},
	}
	s.PriorVoters.Buf[0] = vote.PriorVoter{Pubkey: k4, StartEpoch: 1, EndEpoch: 3}
	checkGolden(t, mustParseAccount(t, k9, sdk.VoteProgramID, s.Encode(), nil), `{
		"parsed": {
			"info": {
				"authorizedVoters": [{"authorizedVoter": "K3", "epoch": 3}],
				"authorizedWithdrawer": "K2",
				"commission": 10,
				"epochCredits": [{"credits": "1000", "epoch": 3, "previousCredits": "900"}],
				"lastTimestamp": {"slot": 101, "timestamp": 1700000000},
				"nodePubkey": "K1",
				"priorVoters": [{"authorizedPubkey": "K4", "epochOfLastAuthorizedSwitch": 1, "targetEpoch": 3}],
				"rootSlot": 99,
				"votes": [{"confirmationCount": 2, "slot": 100}, {"confirmationCount": 1, "slot": 101}]
			},
			"type": "vote"
		},
		"program": "vote",
		"space": 3762
	}`)

	fresh := vote.NewState(vote.Init{NodePubkey: k1, AuthorizedVoter: k3, AuthorizedWithdrawer: k2}, 0)
	checkGolden(t, mustParseAccount(t, k9, sdk.VoteProgramID, fresh.Encode(), nil), `{
		"parsed": {
			"info": {
				"authorizedVoters": [{"authorizedVoter": "K3", "epoch": 0}],
				"authorizedWithdrawer": "K2",
				"commission": 0,
				"epochCredits": [],
				"lastTimestamp": {"slot": 0, "timestamp": 0},
				"nodePubkey": "K1",
				"priorVoters": [],
				"rootSlot": null,
				"votes": []
			},
			"type": "vote"
		},
		"program": "vote",
		"space": 3762
	}`)

	// Agave reads a zeroed vote account as a default VoteState 0.23.5
	// (Agave's test_parse_vote V0_23_5 case).
	checkGolden(t, mustParseAccount(t, k9, sdk.VoteProgramID, make([]byte, vote.StateSize), nil), `{
		"parsed": {
			"info": {
				"authorizedVoters": [{"authorizedVoter": "11111111111111111111111111111111", "epoch": 0}],
				"authorizedWithdrawer": "11111111111111111111111111111111",
				"commission": 0,
				"epochCredits": [],
				"lastTimestamp": {"slot": 0, "timestamp": 0},
				"nodePubkey": "11111111111111111111111111111111",
				"priorVoters": [],
				"rootSlot": null,
				"votes": []
			},
			"type": "vote"
		},
		"program": "vote",
		"space": 3762
	}`)
	refuseAccount(t, "bad vote data", k9, sdk.VoteProgramID, make([]byte, 4), nil)
	refuseAccount(t, "short zeroes", k9, sdk.VoteProgramID, make([]byte, voteState0235Size-1), nil)
}

// lookupTable lays out a table account as alt's doc.go describes it.
func lookupTable(deactivation, lastExtended uint64, startIndex uint8, authority *sdk.Pubkey, addrs ...sdk.Pubkey) []byte {
	b := binary.LittleEndian.AppendUint32(nil, 1)
	b = binary.LittleEndian.AppendUint64(b, deactivation)
	b = binary.LittleEndian.AppendUint64(b, lastExtended)
	b = append(b, startIndex)
	if authority != nil {
		b = append(append(b, 1), authority[:]...)
	} else {
		b = append(b, 0)
	}
	b = append(b, make([]byte, 56-len(b))...)
	for _, a := range addrs {
		b = append(b, a[:]...)
	}
	return b
}

func TestLookupTableGolden(t *testing.T) {
	checkGolden(t, mustParseAccount(t, k9, sdk.AddressLookupTableID, lookupTable(math.MaxUint64, 2, 3, &k1, k4, k5), nil), `{
		"parsed": {
			"info": {
				"addresses": ["K4", "K5"],
				"authority": "K1",
				"deactivationSlot": "18446744073709551615",
				"lastExtendedSlot": "2",
				"lastExtendedSlotStartIndex": 3
			},
			"type": "lookupTable"
		},
		"program": "address-lookup-table",
		"space": 120
	}`)
	// Frozen: the authority is left out, not null.
	checkGolden(t, mustParseAccount(t, k9, sdk.AddressLookupTableID, lookupTable(1, 2, 0, nil), nil), `{
		"parsed": {
			"info": {"addresses": [], "deactivationSlot": "1", "lastExtendedSlot": "2", "lastExtendedSlotStartIndex": 0},
			"type": "lookupTable"
		},
		"program": "address-lookup-table",
		"space": 56
	}`)
	// Agave's test: 56 zero bytes are an uninitialized table, no bytes are
	// not parsable.
	checkGolden(t, mustParseAccount(t, k9, sdk.AddressLookupTableID, make([]byte, 56), nil),
		`{"parsed": {"type": "uninitialized"}, "program": "address-lookup-table", "space": 56}`)
	refuseAccount(t, "empty table", k9, sdk.AddressLookupTableID, nil, nil)
	refuseAccount(t, "ragged table", k9, sdk.AddressLookupTableID, lookupTable(1, 2, 0, nil, k1)[:70], nil)
}

func TestSysvarGolden(t *testing.T) {
	clock := sysvar.Clock{Slot: 1, EpochStartTimestamp: -2, Epoch: 3, LeaderScheduleEpoch: 4, UnixTimestamp: 5}
	checkGolden(t, mustParseAccount(t, sdk.SysvarClockID, sdk.SysvarOwnerID, clock.Encode(), nil), `{
		"parsed": {
			"info": {"epoch": 3, "epochStartTimestamp": -2, "leaderScheduleEpoch": 4, "slot": 1, "unixTimestamp": 5},
			"type": "clock"
		},
		"program": "sysvar",
		"space": 40
	}`)
	// Agave's test_parse_sysvars rent: exemptionThreshold is an f64.
	rent := sysvar.Rent{LamportsPerByteYear: 10, ExemptionThreshold: 2.0, BurnPercent: 5}
	checkGolden(t, mustParseAccount(t, sdk.SysvarRentID, sdk.SysvarOwnerID, rent.Encode(), nil), `{
		"parsed": {"info": {"burnPercent": 5, "exemptionThreshold": 2.0, "lamportsPerByteYear": "10"}, "type": "rent"},
		"program": "sysvar",
		"space": 17
	}`)
	es := sysvar.EpochSchedule{SlotsPerEpoch: 12, FirstNormalEpoch: 1, FirstNormalSlot: 12}
	checkGolden(t, mustParseAccount(t, sdk.SysvarEpochScheduleID, sdk.SysvarOwnerID, es.Encode(), nil), `{
		"parsed": {
			"info": {"firstNormalEpoch": 1, "firstNormalSlot": 12, "leaderScheduleSlotOffset": 0, "slotsPerEpoch": 12, "warmup": false},
			"type": "epochSchedule"
		},
		"program": "sysvar",
		"space": 33
	}`)
	sh := sysvar.EncodeSlotHashes([]sysvar.SlotHash{{Slot: 1, Hash: h1}})
	checkGolden(t, mustParseAccount(t, sdk.SysvarSlotHashesID, sdk.SysvarOwnerID, sh, nil), `{
		"parsed": {"info": [{"hash": "H1", "slot": 1}], "type": "slotHashes"},
		"program": "sysvar",
		"space": 48
	}`)
	rb := sysvar.EncodeRecentBlockhashes([]sysvar.RecentBlockhash{{Blockhash: h1, LamportsPerSignature: 10}})
	checkGolden(t, mustParseAccount(t, sdk.SysvarRecentBlockhashes, sdk.SysvarOwnerID, rb, nil), `{
		"parsed": {"info": [{"blockhash": "H1", "feeCalculator": {"lamportsPerSignature": "10"}}], "type": "recentBlockhashes"},
		"program": "sysvar",
		"space": 48
	}`)
	empty := sysvar.EncodeSlotHashes(nil)
	checkGolden(t, mustParseAccount(t, sdk.SysvarSlotHashesID, sdk.SysvarOwnerID, empty, nil),
		`{"parsed": {"info": [], "type": "slotHashes"}, "program": "sysvar", "space": 8}`)

	refuseAccount(t, "instructions sysvar", sdk.SysvarInstructionsID, sdk.SysvarOwnerID, make([]byte, 8), nil)
	refuseAccount(t, "short clock", sdk.SysvarClockID, sdk.SysvarOwnerID, clock.Encode()[:39], nil)
	refuseAccount(t, "unknown program", k9, k8, clock.Encode(), nil)
}
