package vote

import (
	"errors"
	"slices"
	"testing"

	"github.com/gnomon-chain/gnomon/runtime/invoke"
	"github.com/gnomon-chain/gnomon/runtime/sysvar"
	"github.com/gnomon-chain/gnomon/sdk"
)

var (
	node       = sdk.Pubkey{1}
	voter      = sdk.Pubkey{2}
	withdrawer = sdk.Pubkey{3}
	voteKey    = sdk.Pubkey{4}
	recipient  = sdk.Pubkey{5}
	stranger   = sdk.Pubkey{6}
)

var rentMin = sysvar.DefaultRent.MinimumBalance(StateSize)

func hashOf(slot uint64) sdk.Hash {
	return sdk.Hash{byte(slot), byte(slot >> 8), byte(slot >> 16), 0xAA}
}

// slotHashes lists every slot from newest down to oldest, newest first.
func slotHashes(oldest, newest uint64) []sysvar.SlotHash {
	var out []sysvar.SlotHash
	for s := newest; s >= oldest && s <= newest; s-- {
		out = append(out, sysvar.SlotHash{Slot: s, Hash: hashOf(s)})
		if s == 0 {
			break
		}
	}
	return out
}

// testEnv is a bank at slot in epoch whose SlotHashes hold every earlier
// slot down to 0 (at most 512).
func testEnv(slot, epoch uint64) *invoke.Env {
	var hashes []sysvar.SlotHash
	if slot > 0 {
		hashes = slotHashes(max(slot, 512)-512, slot-1)
	}
	return &invoke.Env{
		Programs:      invoke.Programs{ID: Builtin},
		Rent:          sysvar.DefaultRent,
		Clock:         sysvar.Clock{Slot: slot, Epoch: epoch, LeaderScheduleEpoch: epoch + 1},
		EpochSchedule: sysvar.NewEpochSchedule(1000),
		SlotHashes:    hashes,
	}
}

type acct struct {
	key              sdk.Pubkey
	lamports         uint64
	owner            sdk.Pubkey
	data             []byte
	signer, writable bool
}

func sysvarAcct(id sdk.Pubkey) acct { return acct{key: id, lamports: 1, owner: sdk.SysvarOwnerID} }
func signer(k sdk.Pubkey) acct {
	return acct{key: k, lamports: 1_000_000, signer: true, writable: true}
}

func voteAcct(s *State) acct {
	data := make([]byte, StateSize)
	if s != nil {
		data = s.Encode()
	}
	return acct{key: voteKey, lamports: rentMin, owner: ID, data: data, writable: true}
}

// run executes one vote instruction over accts, with the program account
// appended last.
func run(t testing.TB, env *invoke.Env, data []byte, accts ...acct) (*invoke.Transaction, error) {
	t.Helper()
	tas := make([]invoke.TxAccount, 0, len(accts)+1)
	idx := make([]uint8, len(accts))
	for i, a := range accts {
		tas = append(tas, invoke.TxAccount{Key: a.key, Signer: a.signer, Writable: a.writable,
			Account: sdk.Account{Lamports: a.lamports, Owner: a.owner, Data: slices.Clone(a.data)}})
		idx[i] = uint8(i)
	}
	tas = append(tas, invoke.TxAccount{Key: ID, Account: sdk.Account{Lamports: 1, Owner: sdk.NativeLoaderID, Executable: true}})
	tx := invoke.NewTransaction(env, tas, 1_400_000)
	if err := tx.ExecuteInstruction(0, &sdk.CompiledInstruction{ProgramIDIndex: uint8(len(accts)), Accounts: idx, Data: data}); err != nil {
		return tx, err
	}
	return tx, nil
}

func stateOf(t testing.TB, tx *invoke.Transaction) *State {
	t.Helper()
	s, err := DecodeState(tx.Accounts[0].Account.Data)
	if err != nil {
		t.Fatalf("decode vote account: %v", err)
	}
	return s
}

func initialized() *State {
	return NewState(Init{NodePubkey: node, AuthorizedVoter: voter, AuthorizedWithdrawer: withdrawer, Commission: 10}, 0)
}

func wantErr(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error %v, want %v", err, want)
	}
}

func TestInitializeAccountWritesStateAndCharges2100(t *testing.T) {
	env := testEnv(10, 3)
	init := Init{NodePubkey: node, AuthorizedVoter: voter, AuthorizedWithdrawer: withdrawer, Commission: 7}
	tx, err := run(t, env, InitializeAccountData(init), voteAcct(nil),
		sysvarAcct(sdk.SysvarRentID), sysvarAcct(sdk.SysvarClockID), signer(node))
	if err != nil {
		t.Fatal(err)
	}
	s := stateOf(t, tx)
	if s.NodePubkey != node || s.AuthorizedWithdrawer != withdrawer || s.Commission != 7 ||
		!slices.Equal(s.AuthorizedVoters, []AuthorizedVoter{{Epoch: 3, Pubkey: voter}}) {
		t.Fatalf("state %+v", s)
	}
	if tx.ComputeUsed() != ComputeUnits {
		t.Fatalf("compute %d", tx.ComputeUsed())
	}
	want := []string{"Program " + ID.String() + " invoke [1]", "Program " + ID.String() + " success"}
	if !slices.Equal(tx.Logs, want) {
		t.Fatalf("logs %q", tx.Logs)
	}
}

func TestInitializeAccountRejections(t *testing.T) {
	init := Init{NodePubkey: node, AuthorizedVoter: voter, AuthorizedWithdrawer: withdrawer}
	data := InitializeAccountData(init)
	rent, clock := sysvarAcct(sdk.SysvarRentID), sysvarAcct(sdk.SysvarClockID)
	poor := voteAcct(nil)
	poor.lamports = rentMin - 1
	short := voteAcct(nil)
	short.data = make([]byte, StateSize-1)
	short.lamports = sysvar.DefaultRent.MinimumBalance(StateSize - 1)
	foreign := voteAcct(nil)
	foreign.owner = sdk.SystemProgramID
	unsigned := signer(node)
	unsigned.signer = false
	readonly := voteAcct(nil)
	readonly.writable = false
	for _, tc := range []struct {
		name  string
		data  []byte
		accts []acct
		want  error
	}{
		{"NotRentExempt", data, []acct{poor, rent, clock, signer(node)}, invoke.Err(invoke.InsufficientFunds)},
		{"WrongRentSysvar", data, []acct{voteAcct(nil), clock, clock, signer(node)}, invoke.Err(invoke.InvalidArgument)},
		{"WrongClockSysvar", data, []acct{voteAcct(nil), rent, rent, signer(node)}, invoke.Err(invoke.InvalidArgument)},
		{"MissingSysvars", data, []acct{voteAcct(nil)}, invoke.Err(invoke.NotEnoughAccountKeys)},
		{"WrongSize", data, []acct{short, rent, clock, signer(node)}, invoke.Err(invoke.InvalidAccountData)},
		{"AlreadyInitialized", data, []acct{voteAcct(initialized()), rent, clock, signer(node)}, invoke.Err(invoke.AccountAlreadyInitialized)},
		{"NodeMustSign", data, []acct{voteAcct(nil), rent, clock, unsigned}, invoke.Err(invoke.MissingRequiredSignature)},
		{"NotOwnedByVoteProgram", data, []acct{foreign, rent, clock, signer(node)}, invoke.Err(invoke.InvalidAccountOwner)},
		{"ReadonlyAccount", data, []acct{readonly, rent, clock, signer(node)}, invoke.Err(invoke.ReadonlyDataModified)},
		{"TruncatedData", data[:50], []acct{voteAcct(nil), rent, clock, signer(node)}, invoke.Err(invoke.InvalidInstructionData)},
		{"NoAccounts", data, nil, invoke.Err(invoke.NotEnoughAccountKeys)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := run(t, testEnv(10, 0), tc.data, tc.accts...)
			wantErr(t, err, tc.want)
		})
	}
}

func TestRetiredAndUnknownInstructionsAreInvalid(t *testing.T) {
	for _, tag := range []uint32{TagVote, TagVoteSwitch, TagUpdateVoteState, TagUpdateVoteStateSwitch,
		TagAuthorizeWithSeed, TagAuthorizeCheckedWithSeed, TagCompactUpdateVoteState,
		TagCompactUpdateVoteStateSwitch, numTags, 1 << 31} {
		_, err := run(t, testEnv(10, 0), append(tagged(tag), make([]byte, 200)...), voteAcct(initialized()), signer(voter))
		if !errors.Is(err, invoke.Err(invoke.InvalidInstructionData)) {
			t.Errorf("tag %d: %v", tag, err)
		}
	}
}

func TestAuthorizeVoterTakesEffectAfterTheLeaderScheduleEpoch(t *testing.T) {
	newVoter := sdk.Pubkey{42}
	// Epoch 0, leader schedule known through epoch 1: the change lands at 2.
	tx, err := run(t, testEnv(10, 0), AuthorizeData(newVoter, AuthorizeVoter),
		voteAcct(initialized()), sysvarAcct(sdk.SysvarClockID), signer(voter))
	if err != nil {
		t.Fatal(err)
	}
	s := stateOf(t, tx)
	want := []AuthorizedVoter{{0, voter}, {2, newVoter}}
	if !slices.Equal(s.AuthorizedVoters, want) {
		t.Fatalf("voters %v", s.AuthorizedVoters)
	}
	if p, ok := s.PriorVoters.Last(); !ok || p != (PriorVoter{Pubkey: voter, StartEpoch: 0, EndEpoch: 2}) {
		t.Fatalf("prior voter %v %v", p, ok)
	}
	ts := TowerSync{Lockouts: []Lockout{{Slot: 1500, ConfirmationCount: 1}}, Hash: hashOf(1500)}
	data, _ := TowerSyncData(&ts)
	// In epoch 1 the old voter still votes and the new one cannot.
	if _, err := run(t, testEnv(1501, 1), data, voteAcct(s), signer(newVoter)); !errors.Is(err, invoke.Err(invoke.MissingRequiredSignature)) {
		t.Fatalf("new voter in epoch 1: %v", err)
	}
	if _, err := run(t, testEnv(1501, 1), data, voteAcct(s), signer(voter)); err != nil {
		t.Fatalf("old voter in epoch 1: %v", err)
	}
	// In epoch 2 it is the other way round, and the epoch-0 entry is purged.
	ts.Lockouts[0].Slot, ts.Hash = 2500, hashOf(2500)
	data, _ = TowerSyncData(&ts)
	if _, err := run(t, testEnv(2501, 2), data, voteAcct(s), signer(voter)); !errors.Is(err, invoke.Err(invoke.MissingRequiredSignature)) {
		t.Fatalf("old voter in epoch 2: %v", err)
	}
	tx, err = run(t, testEnv(2501, 2), data, voteAcct(s), signer(newVoter))
	if err != nil {
		t.Fatalf("new voter in epoch 2: %v", err)
	}
	if got := stateOf(t, tx).AuthorizedVoters; !slices.Equal(got, []AuthorizedVoter{{2, newVoter}}) {
		t.Fatalf("voters after epoch 2 vote %v", got)
	}
}

func TestAuthorizeVoterTwiceInOneEpochIsTooSoon(t *testing.T) {
	clock := sysvarAcct(sdk.SysvarClockID)
	tx, err := run(t, testEnv(10, 0), AuthorizeData(sdk.Pubkey{42}, AuthorizeVoter), voteAcct(initialized()), clock, signer(voter))
	if err != nil {
		t.Fatal(err)
	}
	// The withdrawer may approve too, but the target epoch is taken.
	_, err = run(t, testEnv(11, 0), AuthorizeData(sdk.Pubkey{43}, AuthorizeVoter), voteAcct(stateOf(t, tx)), clock, signer(withdrawer))
	wantErr(t, err, ErrTooSoonToReauthorize)
}

func TestAuthorizeNeedsTheRightAuthority(t *testing.T) {
	clock := sysvarAcct(sdk.SysvarClockID)
	_, err := run(t, testEnv(10, 0), AuthorizeData(stranger, AuthorizeVoter), voteAcct(initialized()), clock, signer(stranger))
	wantErr(t, err, invoke.Err(invoke.MissingRequiredSignature))
	// The voter may not change the withdrawer.
	_, err = run(t, testEnv(10, 0), AuthorizeData(stranger, AuthorizeWithdrawer), voteAcct(initialized()), clock, signer(voter))
	wantErr(t, err, invoke.Err(invoke.MissingRequiredSignature))
	tx, err := run(t, testEnv(10, 0), AuthorizeData(stranger, AuthorizeWithdrawer), voteAcct(initialized()), clock, signer(withdrawer))
	if err != nil {
		t.Fatal(err)
	}
	if stateOf(t, tx).AuthorizedWithdrawer != stranger {
		t.Fatal("withdrawer not changed")
	}
	_, err = run(t, testEnv(10, 0), AuthorizeData(stranger, AuthorizeWithdrawer), voteAcct(initialized()), voteAcct(nil), signer(withdrawer))
	wantErr(t, err, invoke.Err(invoke.InvalidArgument))
	_, err = run(t, testEnv(10, 0), AuthorizeData(stranger, AuthorizeWithdrawer), voteAcct(nil), clock, signer(withdrawer))
	wantErr(t, err, invoke.Err(invoke.UninitializedAccount))
	bad := append(tagged(TagAuthorize), make([]byte, 32)...)
	_, err = run(t, testEnv(10, 0), append(bad, 2, 0, 0, 0), voteAcct(initialized()), clock, signer(withdrawer))
	wantErr(t, err, invoke.Err(invoke.InvalidInstructionData))
}

func TestAuthorizeCheckedNeedsTheNewAuthorityToSign(t *testing.T) {
	clock := sysvarAcct(sdk.SysvarClockID)
	newW := acct{key: stranger}
	_, err := run(t, testEnv(10, 0), AuthorizeCheckedData(AuthorizeWithdrawer), voteAcct(initialized()), clock, signer(withdrawer), newW)
	wantErr(t, err, invoke.Err(invoke.MissingRequiredSignature))
	_, err = run(t, testEnv(10, 0), AuthorizeCheckedData(AuthorizeWithdrawer), voteAcct(initialized()), clock, signer(withdrawer))
	wantErr(t, err, invoke.Err(invoke.NotEnoughAccountKeys))
	tx, err := run(t, testEnv(10, 0), AuthorizeCheckedData(AuthorizeWithdrawer), voteAcct(initialized()), clock, signer(withdrawer), signer(stranger))
	if err != nil {
		t.Fatal(err)
	}
	if stateOf(t, tx).AuthorizedWithdrawer != stranger {
		t.Fatal("withdrawer not changed")
	}
}

func TestWithdrawKeepsTheAccountRentExempt(t *testing.T) {
	rich := voteAcct(initialized())
	rich.lamports = rentMin + 1000
	to := acct{key: recipient, lamports: 5, writable: true}
	tx, err := run(t, testEnv(10, 0), WithdrawData(1000), rich, to, signer(withdrawer))
	if err != nil {
		t.Fatal(err)
	}
	if tx.Accounts[0].Account.Lamports != rentMin || tx.Accounts[1].Account.Lamports != 1005 {
		t.Fatalf("balances %d %d", tx.Accounts[0].Account.Lamports, tx.Accounts[1].Account.Lamports)
	}
	_, err = run(t, testEnv(10, 0), WithdrawData(1001), rich, to, signer(withdrawer))
	wantErr(t, err, invoke.Err(invoke.InsufficientFunds))
	_, err = run(t, testEnv(10, 0), WithdrawData(rich.lamports+1), rich, to, signer(withdrawer))
	wantErr(t, err, invoke.Err(invoke.InsufficientFunds))
	_, err = run(t, testEnv(10, 0), WithdrawData(1000), rich, to, signer(voter))
	wantErr(t, err, invoke.Err(invoke.MissingRequiredSignature))
	_, err = run(t, testEnv(10, 0), WithdrawData(1000), rich)
	wantErr(t, err, invoke.Err(invoke.NotEnoughAccountKeys))
	ro := to
	ro.writable = false
	_, err = run(t, testEnv(10, 0), WithdrawData(1000), rich, ro, signer(withdrawer))
	wantErr(t, err, invoke.Err(invoke.ReadonlyLamportChange))
}

func TestWithdrawAllClosesAnIdleAccount(t *testing.T) {
	s := initialized()
	s.EpochCredits = []EpochCredits{{Epoch: 3, Credits: 50, PrevCredits: 10}}
	to := acct{key: recipient, writable: true}
	tx, err := run(t, testEnv(5000, 5), WithdrawData(rentMin), voteAcct(s), to, signer(withdrawer))
	if err != nil {
		t.Fatal(err)
	}
	if tx.Accounts[0].Account.Lamports != 0 || tx.Accounts[1].Account.Lamports != rentMin {
		t.Fatal("lamports not moved")
	}
	if _, err := DecodeState(tx.Accounts[0].Account.Data); !errors.Is(err, ErrUninitialized) {
		t.Fatalf("closed account decodes: %v", err)
	}
}

func TestWithdrawRejectsClosingAnAccountThatVotedRecently(t *testing.T) {
	s := initialized()
	s.EpochCredits = []EpochCredits{{Epoch: 4, Credits: 50, PrevCredits: 10}}
	to := acct{key: recipient, writable: true}
	for _, epoch := range []uint64{4, 5} {
		_, err := run(t, testEnv(epoch*1000, epoch), WithdrawData(rentMin), voteAcct(s), to, signer(withdrawer))
		wantErr(t, err, ErrActiveVoteAccountClose)
	}
	// A partial withdrawal is fine while active.
	rich := voteAcct(s)
	rich.lamports += 10
	if _, err := run(t, testEnv(4000, 4), WithdrawData(10), rich, to, signer(withdrawer)); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, testEnv(6000, 6), WithdrawData(rentMin), voteAcct(s), to, signer(withdrawer)); err != nil {
		t.Fatalf("two epochs later: %v", err)
	}
}

func TestUpdateValidatorIdentityNeedsWithdrawerAndNewNode(t *testing.T) {
	newNode := sdk.Pubkey{77}
	_, err := run(t, testEnv(10, 0), UpdateValidatorIdentityData(), voteAcct(initialized()), acct{key: newNode}, signer(withdrawer))
	wantErr(t, err, invoke.Err(invoke.MissingRequiredSignature))
	_, err = run(t, testEnv(10, 0), UpdateValidatorIdentityData(), voteAcct(initialized()), signer(newNode), signer(voter))
	wantErr(t, err, invoke.Err(invoke.MissingRequiredSignature))
	_, err = run(t, testEnv(10, 0), UpdateValidatorIdentityData(), voteAcct(initialized()))
	wantErr(t, err, invoke.Err(invoke.NotEnoughAccountKeys))
	tx, err := run(t, testEnv(10, 0), UpdateValidatorIdentityData(), voteAcct(initialized()), signer(newNode), signer(withdrawer))
	if err != nil {
		t.Fatal(err)
	}
	if stateOf(t, tx).NodePubkey != newNode {
		t.Fatal("node not changed")
	}
}

func TestUpdateCommissionIncreaseOnlyInFirstHalfOfEpoch(t *testing.T) {
	// 1000-slot epochs: slot 2500 is the middle of epoch 2, 2501 past it.
	tx, err := run(t, testEnv(2500, 2), UpdateCommissionData(50), voteAcct(initialized()), signer(withdrawer))
	if err != nil {
		t.Fatal(err)
	}
	if stateOf(t, tx).Commission != 50 {
		t.Fatal("commission not changed")
	}
	_, err = run(t, testEnv(2501, 2), UpdateCommissionData(50), voteAcct(initialized()), signer(withdrawer))
	wantErr(t, err, ErrCommissionUpdateTooLate)
	// A decrease, or no change, is always allowed.
	if _, err := run(t, testEnv(2999, 2), UpdateCommissionData(5), voteAcct(initialized()), signer(withdrawer)); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, testEnv(2999, 2), UpdateCommissionData(10), voteAcct(initialized()), signer(withdrawer)); err != nil {
		t.Fatal(err)
	}
	_, err = run(t, testEnv(10, 0), UpdateCommissionData(5), voteAcct(initialized()), signer(voter))
	wantErr(t, err, invoke.Err(invoke.MissingRequiredSignature))
}

// voter is a validator's own tower and the chain it votes on.
type towerVoter struct {
	local *State
}

// vote pushes slot onto the local tower and sends it, landing at
// landSlot in epoch; it returns the on-chain state afterwards.
func (v *towerVoter) vote(t *testing.T, chain *State, slot, landSlot, epoch uint64) (*State, error) {
	t.Helper()
	v.local.ProcessNextVoteSlot(slot, epoch, landSlot)
	ts := v.local.TowerSync(hashOf(slot))
	data, err := TowerSyncData(&ts)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := run(t, testEnv(landSlot, epoch), data, voteAcct(chain), signer(voter))
	if err != nil {
		return chain, err
	}
	return stateOf(t, tx), nil
}

func TestTowerSyncRootsThe32ndVote(t *testing.T) {
	chain := initialized()
	v := towerVoter{local: initialized()}
	var err error
	for slot := uint64(1); slot <= 31; slot++ {
		if chain, err = v.vote(t, chain, slot, slot+1, 0); err != nil {
			t.Fatalf("vote %d: %v", slot, err)
		}
	}
	if chain.HasRoot || len(chain.Votes) != 31 || chain.Credits() != 0 {
		t.Fatalf("after 31 votes: root %v votes %d credits %d", chain.HasRoot, len(chain.Votes), chain.Credits())
	}
	for i, vote := range chain.Votes {
		if vote.Slot != uint64(i+1) || vote.ConfirmationCount != uint32(31-i) || vote.Latency != 1 {
			t.Fatalf("vote %d: %+v", i, vote)
		}
	}
	if chain, err = v.vote(t, chain, 32, 33, 0); err != nil {
		t.Fatal(err)
	}
	if !chain.HasRoot || chain.RootSlot != 1 || len(chain.Votes) != 31 || chain.Votes[0].Slot != 2 {
		t.Fatalf("after 32 votes: root %v %d, votes %d", chain.HasRoot, chain.RootSlot, len(chain.Votes))
	}
	// Slot 1's vote landed one slot late: the full 16 timely credits.
	if got := chain.EpochCredits; !slices.Equal(got, []EpochCredits{{Epoch: 0, Credits: 16}}) {
		t.Fatalf("credits %v", got)
	}
}

func TestTowerSyncCreditsShrinkWithLatency(t *testing.T) {
	for _, tc := range []struct {
		latency uint64
		credits uint64
	}{{1, 16}, {2, 16}, {3, 15}, {10, 8}, {17, 1}, {300, 1}} {
		chain := initialized()
		v := towerVoter{local: initialized()}
		var err error
		for slot := uint64(1000); slot < 1032; slot++ {
			land := slot + 1
			if slot == 1000 {
				land = slot + tc.latency
			}
			chain, err = v.vote(t, chain, slot, land, 1)
			if err != nil {
				t.Fatalf("latency %d slot %d: %v", tc.latency, slot, err)
			}
		}
		if chain.Credits() != tc.credits {
			t.Errorf("latency %d: %d credits, want %d", tc.latency, chain.Credits(), tc.credits)
		}
	}
}

func TestIsVoteTransactionIsOneVoteInstruction(t *testing.T) {
	voter := sdk.Pubkey{1}
	voteIx := sdk.CompiledInstruction{ProgramIDIndex: 1, Accounts: []byte{0}}
	otherIx := sdk.CompiledInstruction{ProgramIDIndex: 2, Accounts: []byte{0}}
	keys := []sdk.Pubkey{voter, ID, sdk.SystemProgramID}
	for _, c := range []struct {
		name string
		ixs  []sdk.CompiledInstruction
		want bool
	}{
		{"one vote instruction", []sdk.CompiledInstruction{voteIx}, true},
		{"another program", []sdk.CompiledInstruction{otherIx}, false},
		{"a vote and another instruction", []sdk.CompiledInstruction{voteIx, otherIx}, false},
		{"no instruction", nil, false},
		{"program index out of range", []sdk.CompiledInstruction{{ProgramIDIndex: 9}}, false},
	} {
		m := &sdk.Message{AccountKeys: keys, Instructions: c.ixs}
		if got := IsVoteTransaction(m); got != c.want {
			t.Errorf("%s: IsVoteTransaction = %v, want %v", c.name, got, c.want)
		}
	}
}
