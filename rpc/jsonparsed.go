package rpc

import (
	"github.com/mr-tron/base58"

	"github.com/gnomon-chain/gnomon/rpc/parsed"
	gnrt "github.com/gnomon-chain/gnomon/runtime"
	"github.com/gnomon-chain/gnomon/sdk"
)

// parseAccount returns an account's jsonParsed data, if a parser applies.
func parseAccount(bank *gnrt.Bank, k sdk.Pubkey, a *sdk.Account) (any, bool) {
	p, ok := parsed.ParseAccount(k, a.Owner, a.Data, mintDecimals(bank))
	if !ok {
		return nil, false
	}
	return p, true
}

// parseInstruction returns an instruction's jsonParsed form, parsed where a
// parser knows the program, raw otherwise.
func parseInstruction(program sdk.Pubkey, accounts []sdk.Pubkey, data []byte) any {
	return parseInstructionAt(program, accounts, data, nil)
}

// parseInstructionAt is parseInstruction for an instruction at a known
// stack height (an inner instruction).
func parseInstructionAt(program sdk.Pubkey, accounts []sdk.Pubkey, data []byte, stackHeight *uint32) any {
	if p, ok := parsed.ParseInstruction(program, accounts, data, stackHeight); ok {
		return p
	}
	return uiRawInstruction{ProgramID: program.String(), Accounts: pubkeyStrings(accounts), Data: base58.Encode(data),
		StackHeight: stackHeight}
}
