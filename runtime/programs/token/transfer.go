package token

import (
	"encoding/binary"

	"github.com/gnomon-chain/gnomon/runtime/invoke"
	"github.com/gnomon-chain/gnomon/sdk"
)

// transfer serves Transfer (source, destination, authority, [signers]) and
// TransferChecked (source, mint, destination, authority, [signers]).
//
// It is the hot path, so it never builds an Account value: it validates the
// layouts where they lie (the checks of Account::unpack), reads the fields it
// needs with encoding/binary, and writes back only the fields that change,
// through DataMut. The checks run in the on-chain order; nothing is written
// until all of them pass.
func transfer(c *invoke.Context, amount uint64, checked bool, decimals uint8) error {
	src, mint, dst, auth, signers, err := checkedAccounts(c, checked)
	if err != nil {
		return err
	}

	sd, dd := src.Data(), dst.Data()
	if err := checkInitializedAccount(sd); err != nil {
		return err
	}
	if err := checkInitializedAccount(dd); err != nil {
		return err
	}
	if sd[acctStateOff] == byte(StateFrozen) || dd[acctStateOff] == byte(StateFrozen) {
		return ErrAccountFrozen
	}
	srcAmount := binary.LittleEndian.Uint64(sd[acctAmountOff:])
	if srcAmount < amount {
		return ErrInsufficientFunds
	}
	srcMint := sdk.Pubkey(sd[acctMintOff : acctMintOff+32])
	if srcMint != sdk.Pubkey(dd[acctMintOff:acctMintOff+32]) {
		return ErrMintMismatch
	}
	if checked {
		if mint.Key() != srcMint {
			return ErrMintMismatch
		}
		md := mint.Data()
		if err := checkInitializedMint(md); err != nil {
			return err
		}
		if md[mintDecimalsOff] != decimals {
			return ErrMintDecimalsMismatch
		}
	}

	selfTransfer := src.Key() == dst.Key()
	byDelegate := false
	var delegated uint64
	if sd[acctDelegateOff] == 1 && auth.Key() == sdk.Pubkey(sd[acctDelegateOff+4:acctDelegateOff+36]) {
		if err := validateOwner(c, auth.Key(), auth, signers); err != nil {
			return err
		}
		delegated = binary.LittleEndian.Uint64(sd[acctDelegatedAmountOff:])
		if delegated < amount {
			return ErrInsufficientFunds
		}
		byDelegate = !selfTransfer
	} else if err := validateOwner(c, sdk.Pubkey(sd[acctOwnerOff:acctOwnerOff+32]), auth, signers); err != nil {
		return err
	}

	// Nothing changes for a self-transfer or a zero amount, so the
	// runtime's check on writes would never see a foreign account.
	if selfTransfer || amount == 0 {
		if src.Owner() != c.ProgramID() || dst.Owner() != c.ProgramID() {
			return errIncorrectProgramID
		}
	}
	if selfTransfer {
		return nil
	}

	dstAmount := binary.LittleEndian.Uint64(dd[acctAmountOff:])
	if dstAmount+amount < dstAmount {
		return ErrOverflow
	}
	native := sd[acctIsNativeOff] == 1
	var srcLamports, dstLamports uint64
	if native {
		if src.Lamports() < amount || dst.Lamports()+amount < amount {
			return ErrOverflow
		}
		srcLamports, dstLamports = src.Lamports()-amount, dst.Lamports()+amount
	}

	// Writes go in account order, lamports before data, the order in which
	// Agave checks an instruction's changes.
	if native {
		if err := setLamports(src, srcLamports); err != nil {
			return err
		}
	}
	clearDelegate := byDelegate && delegated == amount
	if amount != 0 || clearDelegate {
		w, err := src.DataMut()
		if err != nil {
			return err
		}
		binary.LittleEndian.PutUint64(w[acctAmountOff:], srcAmount-amount)
		if byDelegate {
			binary.LittleEndian.PutUint64(w[acctDelegatedAmountOff:], delegated-amount)
			if clearDelegate {
				// COption::None is written as its tag alone, as pack does.
				w[acctDelegateOff] = 0
			}
		}
	}
	if native {
		if err := setLamports(dst, dstLamports); err != nil {
			return err
		}
	}
	if amount != 0 {
		w, err := dst.DataMut()
		if err != nil {
			return err
		}
		binary.LittleEndian.PutUint64(w[acctAmountOff:], dstAmount+amount)
	}
	return nil
}

// checkInitializedAccount is Account::unpack's verdict on b, in place.
func checkInitializedAccount(b []byte) error {
	if checkAccountLayout(b) != nil {
		return errInvalidAccountData
	}
	if b[acctStateOff] == byte(StateUninitialized) {
		return errUninitializedAccount
	}
	return nil
}

// checkInitializedMint is Mint::unpack's verdict on b, in place.
func checkInitializedMint(b []byte) error {
	if len(b) != MintSize || !validOptionTag(b[mintAuthorityOff:]) ||
		b[mintInitializedOff] > 1 || !validOptionTag(b[mintFreezeOff:]) {
		return errInvalidAccountData
	}
	if b[mintInitializedOff] == 0 {
		return errUninitializedAccount
	}
	return nil
}
