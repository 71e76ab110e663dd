package rpc

import (
	"encoding/base64"

	"github.com/klauspost/compress/zstd"
	"github.com/mr-tron/base58"

	gnrt "github.com/gnomon-chain/gnomon/runtime"
	"github.com/gnomon-chain/gnomon/runtime/programs/token"
	"github.com/gnomon-chain/gnomon/sdk"
)

// uiAccount is an account as getAccountInfo returns it.
type uiAccount struct {
	Data       any    `json:"data"`
	Executable bool   `json:"executable"`
	Lamports   uint64 `json:"lamports"`
	Owner      string `json:"owner"`
	RentEpoch  uint64 `json:"rentEpoch"`
	Space      uint64 `json:"space"`
}

// keyedAccount is an account with its address, as list methods return it.
type keyedAccount struct {
	Pubkey  string    `json:"pubkey"`
	Account uiAccount `json:"account"`
}

var zstdEncoder, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest))

// encodeAccount renders a as enc asks, data cut to slice if given. space is
// always the full size: kit reads it to learn the account's length.
func encodeAccount(bank *gnrt.Bank, k sdk.Pubkey, a *sdk.Account, enc accountEncoding, slice *dataSlice) (uiAccount, *Error) {
	ui := uiAccount{Executable: a.Executable, Lamports: a.Lamports, Owner: a.Owner.String(),
		RentEpoch: a.RentEpoch, Space: uint64(len(a.Data))}
	data := a.Data
	if slice != nil {
		lo := min(slice.Offset, uint64(len(data)))
		hi := min(lo+min(slice.Length, uint64(len(data))), uint64(len(data)))
		data = data[lo:hi]
	}
	switch enc {
	case encBinary, encBase58:
		if len(data) > maxBase58Bytes {
			return ui, invalidRequest("Encoded binary (base 58) data should be less than 128 bytes, please use Base64 encoding.")
		}
		if enc == encBinary {
			ui.Data = base58.Encode(data)
		} else {
			ui.Data = [2]string{base58.Encode(data), "base58"}
		}
	case encBase64Zstd:
		ui.Data = [2]string{base64.StdEncoding.EncodeToString(zstdEncoder.EncodeAll(data, nil)), "base64+zstd"}
	case encJSONParsed:
		if slice == nil {
			if p, ok := parseAccount(bank, k, a); ok {
				ui.Data = p
				return ui, nil
			}
		}
		ui.Data = [2]string{base64.StdEncoding.EncodeToString(data), "base64"}
	default:
		ui.Data = [2]string{base64.StdEncoding.EncodeToString(data), "base64"}
	}
	return ui, nil
}

// mintDecimals reads a mint's decimals as bank sees it.
func mintDecimals(bank *gnrt.Bank) func(sdk.Pubkey) (uint8, bool) {
	return func(mint sdk.Pubkey) (uint8, bool) {
		a := bank.Account(mint)
		if a == nil || a.Owner != token.ID {
			return 0, false
		}
		m, err := token.DecodeMint(a.Data)
		if err != nil {
			return 0, false
		}
		return m.Decimals, true
	}
}
