package rpc

import (
	"bytes"
	"context"
	"encoding/base64"
	"slices"

	"github.com/mr-tron/base58"

	"github.com/gnomon-chain/gnomon/rpc/parsed"
	gnrt "github.com/gnomon-chain/gnomon/runtime"
	"github.com/gnomon-chain/gnomon/runtime/programs/token"
	"github.com/gnomon-chain/gnomon/sdk"
)

func getBalance(s *Server, _ context.Context, p params) (any, *Error) {
	k, err := p.pubkey(0)
	if err != nil {
		return nil, err
	}
	b, err := s.bankFor(p, 1)
	if err != nil {
		return nil, err
	}
	return inContext(b.Slot(), b.Balance(k)), nil
}

func getAccountInfo(s *Server, _ context.Context, p params) (any, *Error) {
	k, err := p.pubkey(0)
	if err != nil {
		return nil, err
	}
	b, enc, slice, err := s.accountRead(p, 1, encBinary)
	if err != nil {
		return nil, err
	}
	a := b.Account(k)
	if a == nil {
		return inContext(b.Slot(), nil), nil
	}
	ui, err := encodeAccount(b, k, a, enc, slice)
	if err != nil {
		return nil, err
	}
	return inContext(b.Slot(), ui), nil
}

// accountRead reads an account method's config at parameter i: the bank
// at its commitment, the encoding (def if none) and the data slice.
func (s *Server) accountRead(p params, i int, def accountEncoding) (*gnrt.Bank, accountEncoding, *dataSlice, *Error) {
	var cfg accountConfig
	if err := p.decode(i, &cfg); err != nil {
		return nil, 0, nil, err
	}
	enc, err := parseAccountEncoding(cfg.Encoding, def)
	if err != nil {
		return nil, 0, nil, err
	}
	b, err := s.bankAt(cfg.commitmentConfig)
	if err != nil {
		return nil, 0, nil, err
	}
	return b, enc, cfg.DataSlice, nil
}

func getMultipleAccounts(s *Server, _ context.Context, p params) (any, *Error) {
	var keys []string
	if err := p.need(1); err != nil {
		return nil, err
	}
	if err := p.decode(0, &keys); err != nil {
		return nil, err
	}
	if len(keys) > maxMultipleAccounts {
		return nil, invalidParams("Too many inputs provided; max %d", maxMultipleAccounts)
	}
	b, enc, slice, err := s.accountRead(p, 1, encBase64)
	if err != nil {
		return nil, err
	}
	out := make([]*uiAccount, len(keys))
	for i, ks := range keys {
		k, err := parsePubkey(ks)
		if err != nil {
			return nil, err
		}
		if a := b.Account(k); a != nil {
			ui, err := encodeAccount(b, k, a, enc, slice)
			if err != nil {
				return nil, err
			}
			out[i] = &ui
		}
	}
	return inContext(b.Slot(), out), nil
}

// programAccountsConfig is getProgramAccounts' config.
type programAccountsConfig struct {
	accountConfig
	Filters     []filter `json:"filters"`
	WithContext bool     `json:"withContext"`
}

// filter is one getProgramAccounts filter: dataSize, memcmp or
// tokenAccountState.
type filter struct {
	DataSize          *uint64   `json:"dataSize"`
	Memcmp            *memcmp   `json:"memcmp"`
	TokenAccountState *struct{} `json:"tokenAccountState"`
}

type memcmp struct {
	Offset   uint64  `json:"offset"`
	Bytes    string  `json:"bytes"`
	Encoding *string `json:"encoding"`
	raw      []byte
}

// compile decodes every memcmp's bytes once, with Agave's limits.
func compileFilters(fs []filter) *Error {
	if len(fs) > maxProgramFilters {
		return invalidParams("Too many filters provided; max %d", maxProgramFilters)
	}
	for i := range fs {
		f := &fs[i]
		n := 0
		if f.DataSize != nil {
			n++
		}
		if f.TokenAccountState != nil {
			n++
		}
		if m := f.Memcmp; m != nil {
			n++
			enc := "base58"
			if m.Encoding != nil {
				enc = *m.Encoding
			}
			var err error
			switch enc {
			case "base58", "binary":
				if len(m.Bytes) > 175 {
					return invalidParams("Invalid param: encoded binary (base 58) data should be less than 129 bytes")
				}
				m.raw, err = base58.Decode(m.Bytes)
			case "base64":
				if len(m.Bytes) > 172 {
					return invalidParams("Invalid param: encoded binary (base 64) data should be less than 129 bytes")
				}
				m.raw, err = base64.StdEncoding.DecodeString(m.Bytes)
			default:
				return invalidParams("Invalid params: unknown variant `%s`, expected `base58` or `base64`", enc)
			}
			if err != nil || len(m.raw) > 128 {
				return invalidParams("Invalid param: invalid memcmp bytes")
			}
		}
		if n != 1 {
			return invalidParams("Invalid params: each filter must be one of dataSize, memcmp, tokenAccountState")
		}
	}
	return nil
}

func (f *filter) match(a *sdk.Account) bool {
	switch {
	case f.DataSize != nil:
		return uint64(len(a.Data)) == *f.DataSize
	case f.Memcmp != nil:
		m := f.Memcmp
		if m.Offset > uint64(len(a.Data)) || uint64(len(a.Data))-m.Offset < uint64(len(m.raw)) {
			return false
		}
		return bytes.Equal(a.Data[m.Offset:m.Offset+uint64(len(m.raw))], m.raw)
	case f.TokenAccountState != nil:
		_, err := token.DecodeAccount(a.Data)
		return a.Owner == token.ID && err == nil
	}
	return false
}

func getProgramAccounts(s *Server, _ context.Context, p params) (any, *Error) {
	program, err := p.pubkey(0)
	if err != nil {
		return nil, err
	}
	var cfg programAccountsConfig
	if err := p.decode(1, &cfg); err != nil {
		return nil, err
	}
	if err := compileFilters(cfg.Filters); err != nil {
		return nil, err
	}
	enc, err := parseAccountEncoding(cfg.Encoding, encBinary)
	if err != nil {
		return nil, err
	}
	b, err := s.bankAt(cfg.commitmentConfig)
	if err != nil {
		return nil, err
	}
	candidates := s.programCandidates(b, program, cfg.Filters)
	out := []keyedAccount{}
	for _, ka := range candidates {
		if ka.Account.Owner != program {
			continue
		}
		ok := true
		for i := range cfg.Filters {
			if !cfg.Filters[i].match(ka.Account) {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		ui, err := encodeAccount(b, ka.Pubkey, ka.Account, enc, cfg.DataSlice)
		if err != nil {
			return nil, err
		}
		out = append(out, keyedAccount{Pubkey: ka.Pubkey.String(), Account: ui})
	}
	if cfg.WithContext {
		return inContext(b.Slot(), out), nil
	}
	return out, nil
}

// programCandidates narrows a getProgramAccounts scan with the token
// indexes when the filters pin a token account's mint (memcmp at 0) or
// owner (memcmp at 32): that is how wallets ask, and it turns a scan of
// every token account into a lookup.
func (s *Server) programCandidates(b *gnrt.Bank, program sdk.Pubkey, fs []filter) []gnrt.KeyedAccount {
	if program == token.ID {
		for _, f := range fs {
			if m := f.Memcmp; m != nil && len(m.raw) == 32 {
				k := sdk.Pubkey(m.raw)
				switch m.Offset {
				case 0:
					return b.TokenAccountsByMint(k)
				case 32:
					return b.TokenAccountsByOwner(k)
				}
			}
		}
	}
	return b.AccountsByOwner(program)
}

// tokenAmountOf reads a token account's balance with its mint's decimals.
func tokenAmountOf(b *gnrt.Bank, k sdk.Pubkey) (parsed.TokenAmount, *Error) {
	a := b.Account(k)
	if a == nil || a.Owner != token.ID {
		return parsed.TokenAmount{}, invalidParams("Invalid param: not a Token account")
	}
	ta, err := token.DecodeAccount(a.Data)
	if err != nil {
		return parsed.TokenAmount{}, invalidParams("Invalid param: not a Token account")
	}
	dec, ok := mintDecimals(b)(ta.Mint)
	if !ok {
		return parsed.TokenAmount{}, invalidParams("Invalid param: could not find mint")
	}
	return parsed.NewTokenAmount(ta.Amount, dec), nil
}

func getTokenAccountBalance(s *Server, _ context.Context, p params) (any, *Error) {
	k, err := p.pubkey(0)
	if err != nil {
		return nil, err
	}
	b, err := s.bankFor(p, 1)
	if err != nil {
		return nil, err
	}
	amt, err := tokenAmountOf(b, k)
	if err != nil {
		return nil, err
	}
	return inContext(b.Slot(), amt), nil
}

func getTokenSupply(s *Server, _ context.Context, p params) (any, *Error) {
	k, err := p.pubkey(0)
	if err != nil {
		return nil, err
	}
	b, err := s.bankFor(p, 1)
	if err != nil {
		return nil, err
	}
	a := b.Account(k)
	if a == nil || a.Owner != token.ID {
		return nil, invalidParams("Invalid param: not a Token mint")
	}
	m, derr := token.DecodeMint(a.Data)
	if derr != nil {
		return nil, invalidParams("Invalid param: not a Token mint")
	}
	return inContext(b.Slot(), parsed.NewTokenAmount(m.Supply, m.Decimals)), nil
}

// tokenAccountsFilter is the second parameter of the token-accounts-by
// methods: a mint or a program.
type tokenAccountsFilter struct {
	Mint      *string `json:"mint"`
	ProgramID *string `json:"programId"`
}

// tokenAccountsBy answers getTokenAccountsByOwner and ByDelegate.
func (s *Server) tokenAccountsBy(p params, byDelegate bool) (any, *Error) {
	who, err := p.pubkey(0)
	if err != nil {
		return nil, err
	}
	var tf tokenAccountsFilter
	if err := p.need(2); err != nil {
		return nil, err
	}
	if err := p.decode(1, &tf); err != nil {
		return nil, err
	}
	var mint *sdk.Pubkey
	switch {
	case tf.Mint != nil && tf.ProgramID == nil:
		k, err := parsePubkey(*tf.Mint)
		if err != nil {
			return nil, err
		}
		mint = &k
	case tf.ProgramID != nil && tf.Mint == nil:
		k, err := parsePubkey(*tf.ProgramID)
		if err != nil {
			return nil, err
		}
		if k != token.ID {
			return nil, invalidParams("Invalid param: unrecognized Token program id")
		}
	default:
		return nil, invalidParams("Invalid params: expected exactly one of mint or programId")
	}
	b, enc, slice, err := s.accountRead(p, 2, encBinary)
	if err != nil {
		return nil, err
	}
	var candidates []gnrt.KeyedAccount
	switch {
	case byDelegate && mint != nil:
		candidates = b.TokenAccountsByMint(*mint)
	case byDelegate:
		candidates = b.AccountsByOwner(token.ID)
	default:
		candidates = b.TokenAccountsByOwner(who)
	}
	out := []keyedAccount{}
	for _, ka := range candidates {
		ta, derr := token.DecodeAccount(ka.Account.Data)
		if ka.Account.Owner != token.ID || derr != nil {
			continue
		}
		if mint != nil && ta.Mint != *mint {
			continue
		}
		if byDelegate && (!ta.Delegate.Some || ta.Delegate.Key != who) {
			continue
		}
		if !byDelegate && ta.Owner != who {
			continue
		}
		ui, err := encodeAccount(b, ka.Pubkey, ka.Account, enc, slice)
		if err != nil {
			return nil, err
		}
		out = append(out, keyedAccount{Pubkey: ka.Pubkey.String(), Account: ui})
	}
	return inContext(b.Slot(), out), nil
}

func getTokenAccountsByOwner(s *Server, _ context.Context, p params) (any, *Error) {
	return s.tokenAccountsBy(p, false)
}

func getTokenAccountsByDelegate(s *Server, _ context.Context, p params) (any, *Error) {
	return s.tokenAccountsBy(p, true)
}

func getTokenLargestAccounts(s *Server, _ context.Context, p params) (any, *Error) {
	mint, err := p.pubkey(0)
	if err != nil {
		return nil, err
	}
	b, err := s.bankFor(p, 1)
	if err != nil {
		return nil, err
	}
	dec, ok := mintDecimals(b)(mint)
	if !ok {
		return nil, invalidParams("Invalid param: could not find mint")
	}
	type holder struct {
		Address string `json:"address"`
		parsed.TokenAmount
		amount uint64
	}
	var hs []holder
	for _, ka := range b.TokenAccountsByMint(mint) {
		ta, derr := token.DecodeAccount(ka.Account.Data)
		if derr != nil {
			continue
		}
		hs = append(hs, holder{Address: ka.Pubkey.String(), TokenAmount: parsed.NewTokenAmount(ta.Amount, dec), amount: ta.Amount})
	}
	slices.SortStableFunc(hs, func(x, y holder) int {
		switch {
		case x.amount > y.amount:
			return -1
		case x.amount < y.amount:
			return 1
		}
		return 0
	})
	if len(hs) > 20 {
		hs = hs[:20]
	}
	if hs == nil {
		hs = []holder{}
	}
	return inContext(b.Slot(), hs), nil
}
