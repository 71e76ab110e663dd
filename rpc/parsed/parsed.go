package parsed

import (
	"errors"
	"fmt"

	"github.com/gnomon-chain/gnomon/sdk"
)

// Program names as Agave prints them: its ParsableAccount and ParsableProgram
// variants in kebab case.
const (
	programNonce              = "nonce"
	programSplToken           = "spl-token"
	programVote               = "vote"
	programAddressLookupTable = "address-lookup-table"
	programSysvar             = "sysvar"
	programSystem             = "system"
	programAssociatedToken    = "spl-associated-token-account"
	programMemo               = "spl-memo"
)

// Account is the jsonParsed `data` value of an account:
// {"parsed":...,"program":...,"space":n}. Fields are declared in the order
// Agave's RPC writes them (sorted).
type Account struct {
	Parsed  any    `json:"parsed"`
	Program string `json:"program"`
	Space   uint64 `json:"space"`
}

// Instruction is a parsed instruction as getTransaction and getBlock show it
// with jsonParsed:
// {"parsed":{"info":{...},"type":"transfer"},"program":"system","programId":b58,"stackHeight":n|null}.
// For the Memo program Parsed is the memo string itself.
type Instruction struct {
	Parsed      any     `json:"parsed"`
	Program     string  `json:"program"`
	ProgramID   string  `json:"programId"`
	StackHeight *uint32 `json:"stackHeight"`
}

// Typed is the {"info":...,"type":...} pair every parsed account and every
// parsed instruction but a memo is wrapped in. A nil Info is left out, as
// Agave leaves it out for unit variants ({"type":"uninitialized"}).
type Typed struct {
	Info any    `json:"info,omitempty"`
	Type string `json:"type"`
}

// errNotParsable is what every parser wraps when its bytes do not decode or
// its accounts are too few; callers only see ok=false, tests see the reason.
var errNotParsable = errors.New("parsed: not parsable")

// ParseAccount returns the parsed form of an account owned by owner with
// data, or ok=false when no parser applies or the data does not decode; the
// caller then falls back to base64, as Agave does. mintDecimals looks up a
// mint's decimals, which a token account's amounts need; when it is nil or
// does not know the mint, a token account is not parsed, as in Agave.
func ParseAccount(pubkey, owner sdk.Pubkey, data []byte, mintDecimals func(mint sdk.Pubkey) (uint8, bool)) (Account, bool) {
	program, parsed, err := parseAccount(pubkey, owner, data, mintDecimals)
	if err != nil {
		return Account{}, false
	}
	return Account{Parsed: parsed, Program: program, Space: uint64(len(data))}, true
}

func parseAccount(pubkey, owner sdk.Pubkey, data []byte, mintDecimals func(sdk.Pubkey) (uint8, bool)) (string, any, error) {
	var (
		program string
		parsed  Typed
		err     error
	)
	switch owner {
	case sdk.SystemProgramID:
		program = programNonce
		parsed, err = parseNonce(data)
	case sdk.TokenProgramID:
		program = programSplToken
		parsed, err = parseTokenState(data, mintDecimals)
	case sdk.VoteProgramID:
		program = programVote
		parsed, err = parseVoteState(data)
	case sdk.AddressLookupTableID:
		program = programAddressLookupTable
		parsed, err = parseLookupTable(data)
	case sdk.SysvarOwnerID:
		program = programSysvar
		parsed, err = parseSysvar(pubkey, data)
	default:
		return "", nil, fmt.Errorf("owner %s: %w", owner, errNotParsable)
	}
	if err != nil {
		return "", nil, fmt.Errorf("%s account %s: %w", program, pubkey, err)
	}
	return program, parsed, nil
}

// ParseInstruction parses an instruction of a program Agave parses; ok=false
// means the caller shows it raw ({"accounts":[b58],"data":b58,"programId":b58,
// "stackHeight":n|null}). accounts are the instruction's account addresses in
// order. Compute Budget instructions, like any program Agave does not parse,
// are never parsed.
func ParseInstruction(programID sdk.Pubkey, accounts []sdk.Pubkey, data []byte, stackHeight *uint32) (Instruction, bool) {
	program, parsed, err := parseInstruction(programID, accounts, data)
	if err != nil {
		return Instruction{}, false
	}
	return Instruction{Parsed: parsed, Program: program, ProgramID: programID.String(), StackHeight: stackHeight}, true
}

func parseInstruction(programID sdk.Pubkey, accounts []sdk.Pubkey, data []byte) (string, any, error) {
	var (
		program string
		parsed  Typed
		err     error
	)
	switch programID {
	case sdk.MemoProgramID, sdk.MemoV1ProgramID:
		memo, err := parseMemo(data)
		if err != nil {
			return "", nil, err
		}
		return programMemo, memo, nil
	case sdk.SystemProgramID:
		program = programSystem
		parsed, err = parseSystemInstruction(ixAccounts(accounts), data)
	case sdk.TokenProgramID:
		program = programSplToken
		parsed, err = parseTokenInstruction(ixAccounts(accounts), data)
	case sdk.AssociatedTokenID:
		program = programAssociatedToken
		parsed, err = parseAssociatedTokenInstruction(ixAccounts(accounts), data)
	case sdk.VoteProgramID:
		program = programVote
		parsed, err = parseVoteInstruction(ixAccounts(accounts), data)
	case sdk.AddressLookupTableID:
		program = programAddressLookupTable
		parsed, err = parseLookupTableInstruction(ixAccounts(accounts), data)
	default:
		return "", nil, fmt.Errorf("program %s: %w", programID, errNotParsable)
	}
	if err != nil {
		return "", nil, fmt.Errorf("%s instruction: %w", program, err)
	}
	return program, parsed, nil
}

// ixAccounts is an instruction's accounts with the checks Agave makes before
// reading them.
type ixAccounts []sdk.Pubkey

// need fails unless there are at least n accounts. Agave also refuses an
// instruction with no accounts at all for every program but Memo; every n
// passed is at least 1, so need covers that too.
func (a ixAccounts) need(n int) error {
	if len(a) < n {
		return fmt.Errorf("%d accounts, want %d: %w", len(a), n, errNotParsable)
	}
	return nil
}

// key is account i in base58; callers have checked the count with need.
func (a ixAccounts) key(i int) string { return a[i].String() }

// keysFrom is accounts i.. in base58, never nil so that it marshals as [].
func (a ixAccounts) keysFrom(i int) []string {
	out := []string{}
	for ; i < len(a); i++ {
		out = append(out, a[i].String())
	}
	return out
}

// optKey is a COption<Pubkey> as Agave shows it: the key, or null.
func optKey(some bool, k sdk.Pubkey) *string {
	if !some {
		return nil
	}
	s := k.String()
	return &s
}
