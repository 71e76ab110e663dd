package token

import (
	"github.com/gnomon-chain/gnomon/runtime/invoke"
	"github.com/gnomon-chain/gnomon/sdk"
)

// approve serves Approve (source, delegate, owner) and ApproveChecked
// (source, mint, delegate, owner), each followed by multisig signers.
func approve(c *invoke.Context, amount uint64, checked bool, decimals uint8) error {
	src, mint, delegate, owner, signers, err := checkedAccounts(c, checked)
	if err != nil {
		return err
	}
	st, err := unpackAccount(src.Data())
	if err != nil {
		return err
	}
	if st.IsFrozen() {
		return ErrAccountFrozen
	}
	if checked {
		if err := checkMintDecimals(mint, st.Mint, decimals); err != nil {
			return err
		}
	}
	if err := validateOwner(c, st.Owner, owner, signers); err != nil {
		return err
	}
	st.Delegate = SomePubkey(delegate.Key())
	st.DelegatedAmount = amount
	return storeAccount(src, &st)
}

// checkMintDecimals is the *Checked instructions' mint test: the mint passed
// must be the account's, and its decimals the client's.
func checkMintDecimals(mint *invoke.Account, want sdk.Pubkey, decimals uint8) error {
	if mint.Key() != want {
		return ErrMintMismatch
	}
	m, err := unpackMint(mint.Data())
	if err != nil {
		return err
	}
	if m.Decimals != decimals {
		return ErrMintDecimalsMismatch
	}
	return nil
}

func revoke(c *invoke.Context) error {
	src, err := c.Account(0)
	if err != nil {
		return err
	}
	// The on-chain program unpacks the source before it fetches the owner.
	st, err := unpackAccount(src.Data())
	if err != nil {
		return err
	}
	owner, err := c.Account(1)
	if err != nil {
		return err
	}
	if st.IsFrozen() {
		return ErrAccountFrozen
	}
	if err := validateOwner(c, st.Owner, owner, 2); err != nil {
		return err
	}
	st.Delegate = COptionPubkey{}
	st.DelegatedAmount = 0
	return storeAccount(src, &st)
}

// setAuthority tells a token account from a mint by data length, as the
// on-chain program does.
func setAuthority(c *invoke.Context, t AuthorityType, newAuthority COptionPubkey) error {
	target, err := c.Account(0)
	if err != nil {
		return err
	}
	auth, err := c.Account(1)
	if err != nil {
		return err
	}
	switch len(target.Data()) {
	case AccountSize:
		st, err := unpackAccount(target.Data())
		if err != nil {
			return err
		}
		if st.IsFrozen() {
			return ErrAccountFrozen
		}
		switch t {
		case AuthorityAccountOwner:
			if err := validateOwner(c, st.Owner, auth, 2); err != nil {
				return err
			}
			if !newAuthority.Some {
				return ErrInvalidInstruction
			}
			st.Owner = newAuthority.Key
			// A new owner must not inherit the old owner's delegate, nor,
			// for wrapped SOL, a close authority that could take the lamports.
			st.Delegate = COptionPubkey{}
			st.DelegatedAmount = 0
			if st.IsNativeAccount() {
				st.CloseAuthority = COptionPubkey{}
			}
		case AuthorityCloseAccount:
			authority := st.Owner
			if st.CloseAuthority.Some {
				authority = st.CloseAuthority.Key
			}
			if err := validateOwner(c, authority, auth, 2); err != nil {
				return err
			}
			st.CloseAuthority = newAuthority
		default:
			return ErrAuthorityTypeNotSupported
		}
		return storeAccount(target, &st)
	case MintSize:
		m, err := unpackMint(target.Data())
		if err != nil {
			return err
		}
		switch t {
		case AuthorityMintTokens:
			// A fixed supply stays fixed: None cannot be replaced.
			if !m.MintAuthority.Some {
				return ErrFixedSupply
			}
			if err := validateOwner(c, m.MintAuthority.Key, auth, 2); err != nil {
				return err
			}
			m.MintAuthority = newAuthority
		case AuthorityFreezeAccount:
			if !m.FreezeAuthority.Some {
				return ErrMintCannotFreeze
			}
			if err := validateOwner(c, m.FreezeAuthority.Key, auth, 2); err != nil {
				return err
			}
			m.FreezeAuthority = newAuthority
		default:
			return ErrAuthorityTypeNotSupported
		}
		return storeMint(target, &m)
	}
	return errInvalidArgument
}

// toggleFreeze serves FreezeAccount and ThawAccount: account, mint, freeze
// authority, [signers].
func toggleFreeze(c *invoke.Context, freeze bool) error {
	src, mint, auth, err := threeAccounts(c)
	if err != nil {
		return err
	}
	st, err := unpackAccount(src.Data())
	if err != nil {
		return err
	}
	if freeze == st.IsFrozen() {
		return ErrInvalidState
	}
	if st.IsNativeAccount() {
		return ErrNativeNotSupported
	}
	if mint.Key() != st.Mint {
		return ErrMintMismatch
	}
	m, err := unpackMint(mint.Data())
	if err != nil {
		return err
	}
	if !m.FreezeAuthority.Some {
		return ErrMintCannotFreeze
	}
	if err := validateOwner(c, m.FreezeAuthority.Key, auth, 3); err != nil {
		return err
	}
	st.State = StateInitialized
	if freeze {
		st.State = StateFrozen
	}
	return storeAccount(src, &st)
}
