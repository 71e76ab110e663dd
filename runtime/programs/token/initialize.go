package token

import (
	"github.com/gnomon-chain/gnomon/runtime/invoke"
	"github.com/gnomon-chain/gnomon/sdk"
)

// initializeMint serves InitializeMint (mint, rent sysvar) and InitializeMint2
// (mint): a zeroed, rent-exempt account becomes a mint.
func initializeMint(c *invoke.Context, ix *Instruction, rentSysvar bool) error {
	mint, err := c.Account(0)
	if err != nil {
		return err
	}
	if rentSysvar {
		if err := checkRentSysvar(c, 1); err != nil {
			return err
		}
	}
	m, err := unpackMintUnchecked(mint.Data())
	if err != nil {
		return err
	}
	if m.IsInitialized {
		return ErrAlreadyInUse
	}
	if !c.Env().Rent.IsExempt(mint.Lamports(), len(mint.Data())) {
		return ErrNotRentExempt
	}
	m.MintAuthority = SomePubkey(ix.MintAuthority)
	m.Decimals = ix.Decimals
	m.IsInitialized = true
	m.FreezeAuthority = ix.FreezeAuthority
	return storeMint(mint, &m)
}

// initializeAccount serves InitializeAccount (owner from the accounts, rent
// sysvar passed), InitializeAccount2 (owner in data, rent sysvar passed) and
// InitializeAccount3 (owner in data, no sysvar).
func initializeAccount(c *invoke.Context, owner *sdk.Pubkey, rentSysvar bool) error {
	acct, err := c.Account(0)
	if err != nil {
		return err
	}
	mint, err := c.Account(1)
	if err != nil {
		return err
	}
	next := 2
	var ownerKey sdk.Pubkey
	if owner != nil {
		ownerKey = *owner
	} else {
		o, err := c.Account(2)
		if err != nil {
			return err
		}
		ownerKey = o.Key()
		next = 3
	}
	if rentSysvar {
		if err := checkRentSysvar(c, next); err != nil {
			return err
		}
	}
	rent := c.Env().Rent
	dataLen := len(acct.Data())
	st, err := unpackAccountUnchecked(acct.Data())
	if err != nil {
		return err
	}
	if st.IsInitialized() {
		return ErrAlreadyInUse
	}
	if !rent.IsExempt(acct.Lamports(), dataLen) {
		return ErrNotRentExempt
	}
	native := mint.Key() == sdk.NativeMintID
	if !native {
		if mint.Owner() != c.ProgramID() {
			return errIncorrectProgramID
		}
		if _, err := unpackMint(mint.Data()); err != nil {
			return ErrInvalidMint
		}
	}
	st.Mint = mint.Key()
	st.Owner = ownerKey
	st.CloseAuthority = COptionPubkey{}
	st.Delegate = COptionPubkey{}
	st.DelegatedAmount = 0
	st.State = StateInitialized
	if native {
		reserve := rent.MinimumBalance(dataLen)
		if acct.Lamports() < reserve {
			return ErrOverflow
		}
		st.IsNative = COptionU64{Some: true, Value: reserve}
		st.Amount = acct.Lamports() - reserve
	} else {
		st.IsNative = COptionU64{}
		st.Amount = 0
	}
	return storeAccount(acct, &st)
}

// initializeMultisig serves InitializeMultisig (multisig, rent sysvar,
// signers...) and InitializeMultisig2 (multisig, signers...): every account
// after the fixed ones is a signer, 1 to 11 of them, and 1 <= m <= 11.
func initializeMultisig(c *invoke.Context, m uint8, rentSysvar bool) error {
	ms, err := c.Account(0)
	if err != nil {
		return err
	}
	next := 1
	if rentSysvar {
		if err := checkRentSysvar(c, 1); err != nil {
			return err
		}
		next = 2
	}
	st, err := unpackMultisigUnchecked(ms.Data())
	if err != nil {
		return err
	}
	if st.IsInitialized {
		return ErrAlreadyInUse
	}
	if !c.Env().Rent.IsExempt(ms.Lamports(), len(ms.Data())) {
		return ErrNotRentExempt
	}
	signers := c.NumAccounts() - next
	st.M = m
	st.N = uint8(signers) // Rust's `as u8`: wraps, as on chain
	if !validSignerCount(st.N) {
		return ErrInvalidNumberOfProvidedSigners
	}
	if !validSignerCount(st.M) {
		return ErrInvalidNumberOfRequiredSigners
	}
	if signers > MaxSigners {
		// More than 255 signer accounts wrapped into a valid n; the on-chain
		// program then indexes past its 11 signer slots and panics.
		return errPanic
	}
	for i := 0; i < signers; i++ {
		a, err := c.Account(next + i)
		if err != nil {
			return err
		}
		st.Signers[i] = a.Key()
	}
	st.IsInitialized = true
	return storeMultisig(ms, &st)
}

func validSignerCount(n uint8) bool { return n >= MinSigners && n <= MaxSigners }

// initializeImmutableOwner only checks that the account is not yet
// initialized: Token v3 has no extensions, and says so in its log.
func initializeImmutableOwner(c *invoke.Context) error {
	acct, err := c.Account(0)
	if err != nil {
		return err
	}
	st, err := unpackAccountUnchecked(acct.Data())
	if err != nil {
		return err
	}
	if st.IsInitialized() {
		return ErrAlreadyInUse
	}
	c.Log("Please upgrade to SPL Token 2022 for immutable owner support")
	return nil
}
