package system

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"

	"github.com/gnomon-chain/gnomon/runtime/invoke"
	"github.com/gnomon-chain/gnomon/runtime/sysvar"
	"github.com/gnomon-chain/gnomon/sdk"
)

// NonceAccountSize is the data length of a nonce account: Versions u32,
// State u32, then authority, durable nonce and lamports per signature.
const NonceAccountSize = 80

// Nonce versions and states, as u32 tags.
const (
	nonceVersionLegacy  = 0
	nonceVersionCurrent = 1
	nonceUninitialized  = 0
	nonceInitialized    = 1
)

// NonceState is a decoded nonce account.
type NonceState struct {
	Legacy               bool // Versions::Legacy: the stored nonce is a raw blockhash
	Initialized          bool
	Authority            sdk.Pubkey
	DurableNonce         sdk.Hash
	LamportsPerSignature uint64
}

// DurableNonceOf derives the durable nonce stored for blockhash:
// sha256("DURABLE_NONCE" ‖ blockhash), so a nonce can never equal a
// blockhash a transaction could otherwise use.
func DurableNonceOf(blockhash sdk.Hash) sdk.Hash {
	h := sha256.New()
	h.Write([]byte("DURABLE_NONCE"))
	h.Write(blockhash[:])
	var out sdk.Hash
	h.Sum(out[:0])
	return out
}

// DecodeNonce parses nonce account data.
func DecodeNonce(data []byte) (NonceState, error) {
	if len(data) < 8 {
		return NonceState{}, fmt.Errorf("nonce account of %d bytes: %w", len(data), sdk.ErrMalformed)
	}
	version, state := binary.LittleEndian.Uint32(data), binary.LittleEndian.Uint32(data[4:])
	if version > nonceVersionCurrent || state > nonceInitialized {
		return NonceState{}, fmt.Errorf("nonce version %d state %d: %w", version, state, sdk.ErrMalformed)
	}
	s := NonceState{Legacy: version == nonceVersionLegacy, Initialized: state == nonceInitialized}
	if !s.Initialized {
		return s, nil
	}
	if len(data) < NonceAccountSize {
		return NonceState{}, fmt.Errorf("initialized nonce of %d bytes: %w", len(data), sdk.ErrMalformed)
	}
	copy(s.Authority[:], data[8:40])
	copy(s.DurableNonce[:], data[40:72])
	s.LamportsPerSignature = binary.LittleEndian.Uint64(data[72:80])
	return s, nil
}

// Encode writes s in the account layout; Uninitialized takes 8 bytes.
func (s NonceState) Encode() []byte {
	b := make([]byte, 8, NonceAccountSize)
	if !s.Legacy {
		binary.LittleEndian.PutUint32(b, nonceVersionCurrent)
	}
	if !s.Initialized {
		return b
	}
	binary.LittleEndian.PutUint32(b[4:], nonceInitialized)
	b = append(b, s.Authority[:]...)
	b = append(b, s.DurableNonce[:]...)
	return binary.LittleEndian.AppendUint64(b, s.LamportsPerSignature)
}

func getNonce(a *invoke.Account) (NonceState, error) {
	s, err := DecodeNonce(a.Data())
	if err != nil {
		return NonceState{}, invoke.Err(invoke.InvalidAccountData)
	}
	return s, nil
}

func setNonce(a *invoke.Account, s NonceState) error {
	enc := s.Encode()
	data, err := a.DataMut()
	if err != nil {
		return err
	}
	if len(data) < len(enc) {
		return invoke.Err(invoke.AccountDataTooSmall)
	}
	copy(data, enc)
	clear(data[len(enc):])
	return nil
}

func executeNonce(c *invoke.Context, ix instruction) error {
	acct, err := c.Account(0)
	if err != nil {
		return err
	}
	env := c.Env()
	switch ix.tag {
	case TagAdvanceNonceAccount:
		if err := c.CheckSysvar(1, sdk.SysvarRecentBlockhashes); err != nil {
			return err
		}
		if len(env.RecentBlockhashes) == 0 {
			c.Log("Advance nonce account: recent blockhash list is empty")
			return invoke.CustomErr(ErrNonceNoRecentBlockhashes)
		}
		if !acct.IsWritable() {
			c.Logf("Advance nonce account: Account %s must be writeable", acct.Key())
			return invoke.Err(invoke.InvalidArgument)
		}
		s, err := getNonce(acct)
		if err != nil {
			return err
		}
		if !s.Initialized {
			c.Logf("Advance nonce account: Account %s state is invalid", acct.Key())
			return invoke.Err(invoke.InvalidAccountData)
		}
		if !c.IsSignerKey(s.Authority) {
			c.Logf("Advance nonce account: Account %s must be a signer", s.Authority)
			return invoke.Err(invoke.MissingRequiredSignature)
		}
		next := DurableNonceOf(env.Blockhash)
		if s.DurableNonce == next {
			c.Log("Advance nonce account: nonce can only advance once per slot")
			return invoke.CustomErr(ErrNonceBlockhashNotExpired)
		}
		return setNonce(acct, NonceState{Initialized: true, Authority: s.Authority, DurableNonce: next,
			LamportsPerSignature: env.LamportsPerSignature})

	case TagWithdrawNonceAccount:
		if c.NumAccounts() < 2 {
			return invoke.Err(invoke.NotEnoughAccountKeys)
		}
		if err := c.CheckSysvar(2, sdk.SysvarRecentBlockhashes); err != nil {
			return err
		}
		if err := c.CheckSysvar(3, sdk.SysvarRentID); err != nil {
			return err
		}
		return withdrawNonce(c, acct, ix.lamports, env.Rent)

	case TagInitializeNonceAccount:
		if err := c.CheckSysvar(1, sdk.SysvarRecentBlockhashes); err != nil {
			return err
		}
		if len(env.RecentBlockhashes) == 0 {
			c.Log("Initialize nonce account: recent blockhash list is empty")
			return invoke.CustomErr(ErrNonceNoRecentBlockhashes)
		}
		if err := c.CheckSysvar(2, sdk.SysvarRentID); err != nil {
			return err
		}
		if !acct.IsWritable() {
			c.Logf("Initialize nonce account: Account %s must be writeable", acct.Key())
			return invoke.Err(invoke.InvalidArgument)
		}
		s, err := getNonce(acct)
		if err != nil {
			return err
		}
		if s.Initialized {
			c.Logf("Initialize nonce account: Account %s state is invalid", acct.Key())
			return invoke.Err(invoke.InvalidAccountData)
		}
		if min := env.Rent.MinimumBalance(len(acct.Data())); acct.Lamports() < min {
			c.Logf("Initialize nonce account: insufficient lamports %d, need %d", acct.Lamports(), min)
			return invoke.Err(invoke.InsufficientFunds)
		}
		return setNonce(acct, NonceState{Initialized: true, Authority: ix.owner,
			DurableNonce: DurableNonceOf(env.Blockhash), LamportsPerSignature: env.LamportsPerSignature})

	case TagAuthorizeNonceAccount:
		if !acct.IsWritable() {
			c.Logf("Authorize nonce account: Account %s must be writeable", acct.Key())
			return invoke.Err(invoke.InvalidArgument)
		}
		s, err := getNonce(acct)
		if err != nil {
			return err
		}
		if !s.Initialized {
			c.Logf("Authorize nonce account: Account %s state is invalid", acct.Key())
			return invoke.Err(invoke.InvalidAccountData)
		}
		if !c.IsSignerKey(s.Authority) {
			c.Logf("Authorize nonce account: Account %s must sign", s.Authority)
			return invoke.Err(invoke.MissingRequiredSignature)
		}
		s.Authority = ix.owner
		return setNonce(acct, s)

	case TagUpgradeNonceAccount:
		if acct.Owner() != ID {
			return invoke.Err(invoke.InvalidAccountOwner)
		}
		if !acct.IsWritable() {
			return invoke.Err(invoke.InvalidArgument)
		}
		s, err := getNonce(acct)
		if err != nil {
			return err
		}
		// Only an initialized legacy nonce upgrades: its raw blockhash becomes
		// a durable nonce.
		if !s.Legacy || !s.Initialized {
			return invoke.Err(invoke.InvalidArgument)
		}
		s.Legacy = false
		s.DurableNonce = DurableNonceOf(s.DurableNonce)
		return setNonce(acct, s)
	}
	return invoke.Err(invoke.InvalidInstructionData)
}

func withdrawNonce(c *invoke.Context, from *invoke.Account, lamports uint64, rent sysvar.Rent) error {
	if !from.IsWritable() {
		c.Logf("Withdraw nonce account: Account %s must be writeable", from.Key())
		return invoke.Err(invoke.InvalidArgument)
	}
	s, err := getNonce(from)
	if err != nil {
		return err
	}
	signer := from.Key()
	if !s.Initialized {
		if lamports > from.Lamports() {
			c.Logf("Withdraw nonce account: insufficient lamports %d, need %d", from.Lamports(), lamports)
			return invoke.Err(invoke.InsufficientFunds)
		}
	} else {
		if lamports == from.Lamports() {
			if s.DurableNonce == DurableNonceOf(c.Env().Blockhash) {
				c.Log("Withdraw nonce account: nonce can only advance once per slot")
				return invoke.CustomErr(ErrNonceBlockhashNotExpired)
			}
			if err := setNonce(from, NonceState{}); err != nil {
				return err
			}
		} else {
			min := rent.MinimumBalance(len(from.Data()))
			if lamports+min < lamports || lamports+min > from.Lamports() {
				c.Logf("Withdraw nonce account: insufficient lamports %d, need %d", from.Lamports(), lamports+min)
				return invoke.Err(invoke.InsufficientFunds)
			}
		}
		signer = s.Authority
	}
	if !c.IsSignerKey(signer) {
		c.Logf("Withdraw nonce account: Account %s must sign", signer)
		return invoke.Err(invoke.MissingRequiredSignature)
	}
	to, _ := c.Account(1)
	if err := from.SubLamports(lamports); err != nil {
		return err
	}
	return to.AddLamports(lamports)
}
