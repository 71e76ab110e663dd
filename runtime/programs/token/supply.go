package token

import (
	"github.com/gnomon-chain/gnomon/runtime/invoke"
	"github.com/gnomon-chain/gnomon/sdk"
)

// mintTo serves MintTo and MintToChecked: mint, destination, authority, [signers].
func mintTo(c *invoke.Context, amount uint64, checked bool, decimals uint8) error {
	mint, dst, auth, err := threeAccounts(c)
	if err != nil {
		return err
	}
	st, err := unpackAccount(dst.Data())
	if err != nil {
		return err
	}
	if st.IsFrozen() {
		return ErrAccountFrozen
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
	if checked && decimals != m.Decimals {
		return ErrMintDecimalsMismatch
	}
	if !m.MintAuthority.Some {
		return ErrFixedSupply
	}
	if err := validateOwner(c, m.MintAuthority.Key, auth, 3); err != nil {
		return err
	}
	if amount == 0 {
		// Nothing will be written, so the runtime's owner check would not
		// catch a foreign account: check it here.
		if err := checkOwnedByProgram(c, mint, dst); err != nil {
			return err
		}
	}
	if st.Amount+amount < st.Amount || m.Supply+amount < m.Supply {
		return ErrOverflow
	}
	st.Amount += amount
	m.Supply += amount
	// Written in account order, the order in which Agave checks writes.
	if err := storeMint(mint, &m); err != nil {
		return err
	}
	return storeAccount(dst, &st)
}

// burn serves Burn and BurnChecked: source, mint, authority, [signers].
func burn(c *invoke.Context, amount uint64, checked bool, decimals uint8) error {
	src, mint, auth, err := threeAccounts(c)
	if err != nil {
		return err
	}
	st, err := unpackAccount(src.Data())
	if err != nil {
		return err
	}
	m, err := unpackMint(mint.Data())
	if err != nil {
		return err
	}
	if st.IsFrozen() {
		return ErrAccountFrozen
	}
	if st.IsNativeAccount() {
		return ErrNativeNotSupported
	}
	if st.Amount < amount {
		return ErrInsufficientFunds
	}
	if mint.Key() != st.Mint {
		return ErrMintMismatch
	}
	if checked && decimals != m.Decimals {
		return ErrMintDecimalsMismatch
	}
	if !ownerIsUnsignable(st.Owner) {
		if st.Delegate.Some && auth.Key() == st.Delegate.Key {
			if err := validateOwner(c, st.Delegate.Key, auth, 3); err != nil {
				return err
			}
			if st.DelegatedAmount < amount {
				return ErrInsufficientFunds
			}
			st.DelegatedAmount -= amount
			if st.DelegatedAmount == 0 {
				st.Delegate = COptionPubkey{}
			}
		} else if err := validateOwner(c, st.Owner, auth, 3); err != nil {
			return err
		}
	}
	if amount == 0 {
		if err := checkOwnedByProgram(c, src, mint); err != nil {
			return err
		}
	}
	if m.Supply < amount {
		return ErrOverflow
	}
	st.Amount -= amount
	m.Supply -= amount
	if err := storeAccount(src, &st); err != nil {
		return err
	}
	return storeMint(mint, &m)
}

// ownerIsUnsignable reports whether a token account's owner is one no one
// can sign for (the System program or the incinerator).
func ownerIsUnsignable(owner sdk.Pubkey) bool {
	return owner == sdk.SystemProgramID || owner == IncineratorID
}

// closeAccount moves every lamport of the account to the destination and
// zeroes its data; the bank drops the empty account at the end of the
// transaction. Non-native accounts must be empty of tokens first; wrapped SOL
// accounts may close with a balance, which leaves as lamports.
func closeAccount(c *invoke.Context) error {
	src, dst, auth, err := threeAccounts(c)
	if err != nil {
		return err
	}
	if src.Key() == dst.Key() {
		return errInvalidAccountData
	}
	st, err := unpackAccount(src.Data())
	if err != nil {
		return err
	}
	if !st.IsNativeAccount() && st.Amount != 0 {
		return ErrNonNativeHasBalance
	}
	authority := st.Owner
	if st.CloseAuthority.Some {
		authority = st.CloseAuthority.Key
	}
	if !ownerIsUnsignable(st.Owner) {
		if err := validateOwner(c, authority, auth, 3); err != nil {
			return err
		}
	} else if dst.Key() != IncineratorID {
		return errInvalidAccountData
	}
	moved := src.Lamports()
	if dst.Lamports()+moved < moved {
		return ErrOverflow
	}
	newDst := dst.Lamports() + moved
	if err := setLamports(src, 0); err != nil {
		return err
	}
	var zero [AccountSize]byte
	if err := storeBytes(src, zero[:]); err != nil {
		return err
	}
	return setLamports(dst, newDst)
}

// syncNative sets a wrapped SOL account's amount to its lamports above the
// rent-exempt reserve, after someone transferred lamports to it directly.
func syncNative(c *invoke.Context) error {
	acct, err := c.Account(0)
	if err != nil {
		return err
	}
	if acct.Owner() != c.ProgramID() {
		return errIncorrectProgramID
	}
	st, err := unpackAccount(acct.Data())
	if err != nil {
		return err
	}
	if !st.IsNativeAccount() {
		return ErrNonNativeNotSupported
	}
	if acct.Lamports() < st.IsNative.Value {
		return ErrOverflow
	}
	amount := acct.Lamports() - st.IsNative.Value
	if amount < st.Amount {
		return ErrInvalidState
	}
	st.Amount = amount
	return storeAccount(acct, &st)
}
