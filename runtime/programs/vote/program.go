package vote

import (
	"github.com/gnomon-chain/gnomon/runtime/invoke"
	"github.com/gnomon-chain/gnomon/sdk"
)

// ID is the Vote program's address.
var ID = sdk.VoteProgramID

// IsVoteTransaction reports whether m is a vote transaction as Solana
// counts one (RPC's vote filters, performance samples, the vote listener):
// a single instruction, to the Vote program.
func IsVoteTransaction(m *sdk.Message) bool {
	return len(m.Instructions) == 1 && int(m.Instructions[0].ProgramIDIndex) < len(m.AccountKeys) &&
		m.AccountKeys[m.Instructions[0].ProgramIDIndex] == ID
}

// ComputeUnits is the fixed cost of every vote instruction, Agave's.
const ComputeUnits = 2100

// Builtin is the program as the runtime registers it.
var Builtin = &invoke.Builtin{Name: "vote_program", Execute: execute}

func execute(c *invoke.Context) error {
	if err := c.Consume(ComputeUnits); err != nil {
		return err
	}
	me, err := c.Account(0)
	if err != nil {
		return err
	}
	if me.Owner() != ID {
		return invoke.Err(invoke.InvalidAccountOwner)
	}
	ix, err := DecodeInstruction(c.Data())
	if err != nil {
		return err
	}
	env := c.Env()
	switch ix.Tag {
	case TagInitializeAccount:
		if err := c.CheckSysvar(1, sdk.SysvarRentID); err != nil {
			return err
		}
		if !env.Rent.IsExempt(me.Lamports(), len(me.Data())) {
			return invoke.Err(invoke.InsufficientFunds)
		}
		if err := c.CheckSysvar(2, sdk.SysvarClockID); err != nil {
			return err
		}
		return initialize(c, me, ix.Init)
	case TagAuthorize:
		if err := c.CheckSysvar(1, sdk.SysvarClockID); err != nil {
			return err
		}
		return authorize(c, me, ix.NewKey, ix.Authorize)
	case TagAuthorizeChecked:
		if c.NumAccounts() < 4 {
			return invoke.Err(invoke.NotEnoughAccountKeys)
		}
		newAuth, _ := c.Account(3)
		if !newAuth.IsSigner() {
			return invoke.Err(invoke.MissingRequiredSignature)
		}
		if err := c.CheckSysvar(1, sdk.SysvarClockID); err != nil {
			return err
		}
		return authorize(c, me, newAuth.Key(), ix.Authorize)
	case TagWithdraw:
		if c.NumAccounts() < 2 {
			return invoke.Err(invoke.NotEnoughAccountKeys)
		}
		return withdraw(c, me, ix.Lamports)
	case TagUpdateValidatorIdentity:
		if c.NumAccounts() < 2 {
			return invoke.Err(invoke.NotEnoughAccountKeys)
		}
		node, _ := c.Account(1)
		return updateValidatorIdentity(c, me, node.Key())
	case TagUpdateCommission:
		return updateCommission(c, me, ix.Commission)
	case TagTowerSync, TagTowerSyncSwitch:
		return towerSync(c, me, &ix.TowerSync)
	}
	return ErrInvalidInstruction
}

func signedBy(c *invoke.Context, key sdk.Pubkey) error {
	if !c.IsSignerKey(key) {
		return invoke.Err(invoke.MissingRequiredSignature)
	}
	return nil
}

// store writes s back into the account.
func store(me *invoke.Account, s *State) error {
	data, err := me.DataMut()
	if err != nil {
		return err
	}
	return s.EncodeInto(data)
}

func initialize(c *invoke.Context, me *invoke.Account, init Init) error {
	if len(me.Data()) != StateSize {
		return ErrInvalidState
	}
	switch _, err := DecodeState(me.Data()); err {
	case ErrUninitialized:
	case nil:
		return invoke.Err(invoke.AccountAlreadyInitialized)
	default:
		return err
	}
	// The node must agree to be represented by this account.
	if err := signedBy(c, init.NodePubkey); err != nil {
		return err
	}
	return store(me, NewState(init, c.Env().Clock.Epoch))
}

func authorize(c *invoke.Context, me *invoke.Account, newKey sdk.Pubkey, which Authorize) error {
	s, err := DecodeState(me.Data())
	if err != nil {
		return err
	}
	clock := c.Env().Clock
	switch which {
	case AuthorizeVoter:
		withdrawerSigned := c.IsSignerKey(s.AuthorizedWithdrawer)
		target := clock.LeaderScheduleEpoch + 1
		if target == 0 {
			return ErrInvalidState
		}
		// The current voter or the withdrawer must approve; the change
		// takes effect once the leader schedule it could affect begins.
		err = s.setNewAuthorizedVoter(newKey, clock.Epoch, target, func(current sdk.Pubkey) error {
			if withdrawerSigned {
				return nil
			}
			return signedBy(c, current)
		})
	case AuthorizeWithdrawer:
		err = signedBy(c, s.AuthorizedWithdrawer)
		s.AuthorizedWithdrawer = newKey
	default:
		err = ErrInvalidInstruction
	}
	if err != nil {
		return err
	}
	return store(me, s)
}

func withdraw(c *invoke.Context, me *invoke.Account, lamports uint64) error {
	s, err := DecodeState(me.Data())
	if err != nil {
		return err
	}
	if err := signedBy(c, s.AuthorizedWithdrawer); err != nil {
		return err
	}
	if lamports > me.Lamports() {
		return invoke.Err(invoke.InsufficientFunds)
	}
	env := c.Env()
	remaining := me.Lamports() - lamports
	if remaining == 0 {
		// Closing an account that earned credits this epoch or last would
		// let a validator escape the consequences of its recent votes.
		if n := len(s.EpochCredits); n > 0 && satSub(env.Clock.Epoch, s.EpochCredits[n-1].Epoch) < 2 {
			return ErrActiveVoteAccountClose
		}
		closed := &State{PriorVoters: newPriorVoters()}
		if err := store(me, closed); err != nil {
			return err
		}
	} else if remaining < env.Rent.MinimumBalance(len(me.Data())) {
		return invoke.Err(invoke.InsufficientFunds)
	}
	if err := me.SubLamports(lamports); err != nil {
		return err
	}
	to, err := c.Account(1)
	if err != nil {
		return err
	}
	return to.AddLamports(lamports)
}

func satSub(a, b uint64) uint64 {
	if b > a {
		return 0
	}
	return a - b
}

func updateValidatorIdentity(c *invoke.Context, me *invoke.Account, node sdk.Pubkey) error {
	s, err := DecodeState(me.Data())
	if err != nil {
		return err
	}
	if err := signedBy(c, s.AuthorizedWithdrawer); err != nil {
		return err
	}
	// The new node must agree, as at initialization.
	if err := signedBy(c, node); err != nil {
		return err
	}
	s.NodePubkey = node
	return store(me, s)
}

func updateCommission(c *invoke.Context, me *invoke.Account, commission uint8) error {
	s, decodeErr := DecodeState(me.Data())
	increase := decodeErr != nil || commission > s.Commission
	// An increase late in an epoch would take stakers' rewards before they
	// can react; decreases are always welcome.
	if increase && !commissionUpdateAllowed(c.Env().Clock.Slot, c.Env().EpochSchedule.FirstNormalSlot, c.Env().EpochSchedule.SlotsPerEpoch) {
		return ErrCommissionUpdateTooLate
	}
	if decodeErr != nil {
		return decodeErr
	}
	if err := signedBy(c, s.AuthorizedWithdrawer); err != nil {
		return err
	}
	s.Commission = commission
	return store(me, s)
}

// commissionUpdateAllowed: only in the first half of an epoch (warm-up
// epochs, and a schedule without slots, always allow it).
func commissionUpdateAllowed(slot, firstNormalSlot, slotsPerEpoch uint64) bool {
	if slotsPerEpoch == 0 {
		return true
	}
	rel := satSub(slot, firstNormalSlot) % slotsPerEpoch
	return rel <= slotsPerEpoch/2
}

func towerSync(c *invoke.Context, me *invoke.Account, ts *TowerSync) error {
	s, err := DecodeState(me.Data())
	if err != nil {
		return err
	}
	env := c.Env()
	voter, err := s.AuthorizedVoterAt(env.Clock.Epoch)
	if err != nil {
		return err
	}
	if err := signedBy(c, voter); err != nil {
		return err
	}
	if err := s.ProcessTowerSync(ts, env.SlotHashes, env.Clock.Epoch, env.Clock.Slot); err != nil {
		return err
	}
	return store(me, s)
}
