package rpc

import (
	"github.com/mr-tron/base58"

	gnrt "github.com/gnomon-chain/gnomon/runtime"
	"github.com/gnomon-chain/gnomon/sdk"
)

// parseAccount returns an account's jsonParsed data, if a parser applies.
func parseAccount(bank *gnrt.Bank, k sdk.Pubkey, a *sdk.Account) (any, bool) {
	return nil, false
}

// parseInstruction returns an instruction's jsonParsed form, parsed where a
// parser knows the program, raw otherwise.
func parseInstruction(program sdk.Pubkey, accounts []sdk.Pubkey, data []byte) any {
	return uiRawInstruction{ProgramID: program.String(), Accounts: pubkeyStrings(accounts), Data: base58.Encode(data)}
}
