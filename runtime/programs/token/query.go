package token

import (
	"encoding/binary"

	"github.com/gnomon-chain/gnomon/runtime/invoke"
)

// getAccountDataSize answers how large an account of the mint must be:
// always AccountSize, since Token v3 has no extensions.
func getAccountDataSize(c *invoke.Context) error {
	if _, err := checkedMint(c); err != nil {
		return err
	}
	return c.SetReturnData(accountDataSize)
}

// amountToUIAmount returns the mint-scaled string for amount as return data.
func amountToUIAmount(c *invoke.Context, amount uint64) error {
	m, err := checkedMint(c)
	if err != nil {
		return err
	}
	return c.SetReturnData([]byte(AmountToUIAmount(amount, m.Decimals)))
}

// uiAmountToAmount returns the raw u64 for a UI string as return data.
func uiAmountToAmount(c *invoke.Context, ui string) error {
	m, err := checkedMint(c)
	if err != nil {
		return err
	}
	amount, ok := UIAmountToAmount(ui, m.Decimals)
	if !ok {
		return errInvalidArgument
	}
	return c.SetReturnData(binary.LittleEndian.AppendUint64(nil, amount))
}

// checkedMint is the first account of the helper instructions: it must be a
// mint of this program, and any fault in it is InvalidMint.
func checkedMint(c *invoke.Context) (Mint, error) {
	mint, err := c.Account(0)
	if err != nil {
		return Mint{}, err
	}
	if mint.Owner() != c.ProgramID() {
		return Mint{}, errIncorrectProgramID
	}
	m, err := unpackMint(mint.Data())
	if err != nil {
		return Mint{}, ErrInvalidMint
	}
	return m, nil
}
