package parsed

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/gnomon-chain/gnomon/runtime/invoke"
	"github.com/gnomon-chain/gnomon/runtime/programs/alt"
	"github.com/gnomon-chain/gnomon/runtime/programs/system"
	"github.com/gnomon-chain/gnomon/runtime/programs/token"
	"github.com/gnomon-chain/gnomon/runtime/programs/vote"
	"github.com/gnomon-chain/gnomon/runtime/sysvar"
	"github.com/gnomon-chain/gnomon/sdk"
)

type feeCalculator struct {
	LamportsPerSignature string `json:"lamportsPerSignature"`
}

func newFeeCalculator(lamports uint64) feeCalculator {
	return feeCalculator{LamportsPerSignature: strconv.FormatUint(lamports, 10)}
}

type nonceInfo struct {
	Authority     string        `json:"authority"`
	Blockhash     string        `json:"blockhash"`
	FeeCalculator feeCalculator `json:"feeCalculator"`
}

// parseNonce parses a System-owned account as a nonce account. Agave refuses
// an uninitialized nonce: any zeroed System account of 8 bytes or more would
// otherwise read as one, though it may never become a nonce.
func parseNonce(data []byte) (Typed, error) {
	s, err := system.DecodeNonce(data)
	if err != nil {
		return Typed{}, fmt.Errorf("%w: %w", errNotParsable, err)
	}
	if !s.Initialized {
		return Typed{}, fmt.Errorf("uninitialized nonce: %w", errNotParsable)
	}
	return Typed{Type: "initialized", Info: nonceInfo{
		Authority:     s.Authority.String(),
		Blockhash:     s.DurableNonce.String(),
		FeeCalculator: newFeeCalculator(s.LamportsPerSignature),
	}}, nil
}

// TokenAccount is the info of a parsed token account (type "account"),
// Agave's UiTokenAccount; the optional fields are left out when absent.
type TokenAccount struct {
	CloseAuthority string `json:"closeAuthority,omitempty"`
	Delegate       string `json:"delegate,omitempty"`
	// DelegatedAmount is present whenever Delegate is, even at zero.
	DelegatedAmount *TokenAmount `json:"delegatedAmount,omitempty"`
	IsNative        bool         `json:"isNative"`
	Mint            string       `json:"mint"`
	Owner           string       `json:"owner"`
	// RentExemptReserve is present for wrapped SOL accounts only.
	RentExemptReserve *TokenAmount `json:"rentExemptReserve,omitempty"`
	State             string       `json:"state"`
	TokenAmount       TokenAmount  `json:"tokenAmount"`
}

type mintInfo struct {
	Decimals        uint8   `json:"decimals"`
	FreezeAuthority *string `json:"freezeAuthority"`
	IsInitialized   bool    `json:"isInitialized"`
	MintAuthority   *string `json:"mintAuthority"`
	Supply          string  `json:"supply"`
}

type multisigInfo struct {
	IsInitialized      bool     `json:"isInitialized"`
	NumRequiredSigners uint8    `json:"numRequiredSigners"`
	NumValidSigners    uint8    `json:"numValidSigners"`
	Signers            []string `json:"signers"`
}

var accountStates = [...]string{
	token.StateUninitialized: "uninitialized",
	token.StateInitialized:   "initialized",
	token.StateFrozen:        "frozen",
}

// parseTokenState parses a Token program account. The three layouts have
// distinct sizes; Agave (through Token-2022's unpack) tries the account
// layout, then the mint, then the multisig, and each must be initialized.
// Longer accounts would only parse with Token-2022 extensions, which the
// Token program never writes.
func parseTokenState(data []byte, mintDecimals func(sdk.Pubkey) (uint8, bool)) (Typed, error) {
	switch len(data) {
	case token.AccountSize:
		a, err := token.DecodeAccount(data)
		if err != nil {
			return Typed{}, fmt.Errorf("%w: %w", errNotParsable, err)
		}
		if !a.IsInitialized() || int(a.State) >= len(accountStates) {
			return Typed{}, fmt.Errorf("token account state %d: %w", a.State, errNotParsable)
		}
		info, err := tokenAccountInfo(a, mintDecimals)
		if err != nil {
			return Typed{}, err
		}
		return Typed{Type: "account", Info: info}, nil
	case token.MintSize:
		m, err := token.DecodeMint(data)
		if err != nil {
			return Typed{}, fmt.Errorf("%w: %w", errNotParsable, err)
		}
		if !m.IsInitialized {
			return Typed{}, fmt.Errorf("uninitialized mint: %w", errNotParsable)
		}
		return Typed{Type: "mint", Info: mintInfo{
			Decimals:        m.Decimals,
			FreezeAuthority: optKey(m.FreezeAuthority.Some, m.FreezeAuthority.Key),
			IsInitialized:   m.IsInitialized,
			MintAuthority:   optKey(m.MintAuthority.Some, m.MintAuthority.Key),
			Supply:          strconv.FormatUint(m.Supply, 10),
		}}, nil
	case token.MultisigSize:
		m, err := token.DecodeMultisig(data)
		if err != nil {
			return Typed{}, fmt.Errorf("%w: %w", errNotParsable, err)
		}
		if !m.IsInitialized {
			return Typed{}, fmt.Errorf("uninitialized multisig: %w", errNotParsable)
		}
		// Agave lists every non-default signer slot, not the first N.
		signers := []string{}
		for _, s := range m.Signers {
			if !s.IsZero() {
				signers = append(signers, s.String())
			}
		}
		return Typed{Type: "multisig", Info: multisigInfo{
			IsInitialized:      m.IsInitialized,
			NumRequiredSigners: m.M,
			NumValidSigners:    m.N,
			Signers:            signers,
		}}, nil
	}
	return Typed{}, fmt.Errorf("token account of %d bytes: %w", len(data), errNotParsable)
}

// tokenAccountInfo needs the mint's decimals; without them Agave refuses to
// parse the account rather than guess.
func tokenAccountInfo(a token.Account, mintDecimals func(sdk.Pubkey) (uint8, bool)) (TokenAccount, error) {
	if mintDecimals == nil {
		return TokenAccount{}, fmt.Errorf("no mint decimals for %s: %w", a.Mint, errNotParsable)
	}
	decimals, ok := mintDecimals(a.Mint)
	if !ok {
		return TokenAccount{}, fmt.Errorf("no mint decimals for %s: %w", a.Mint, errNotParsable)
	}
	info := TokenAccount{
		IsNative:    a.IsNative.Some,
		Mint:        a.Mint.String(),
		Owner:       a.Owner.String(),
		State:       accountStates[a.State],
		TokenAmount: NewTokenAmount(a.Amount, decimals),
	}
	if a.Delegate.Some {
		info.Delegate = a.Delegate.Key.String()
		d := NewTokenAmount(a.DelegatedAmount, decimals)
		info.DelegatedAmount = &d
	}
	if a.IsNative.Some {
		r := NewTokenAmount(a.IsNative.Value, decimals)
		info.RentExemptReserve = &r
	}
	if a.CloseAuthority.Some {
		info.CloseAuthority = a.CloseAuthority.Key.String()
	}
	return info, nil
}

type voteInfo struct {
	AuthorizedVoters     []authorizedVoter `json:"authorizedVoters"`
	AuthorizedWithdrawer string            `json:"authorizedWithdrawer"`
	Commission           uint8             `json:"commission"`
	EpochCredits         []epochCredits    `json:"epochCredits"`
	LastTimestamp        lastTimestamp     `json:"lastTimestamp"`
	NodePubkey           string            `json:"nodePubkey"`
	PriorVoters          []priorVoter      `json:"priorVoters"`
	RootSlot             *uint64           `json:"rootSlot"`
	Votes                []lockout         `json:"votes"`
}

type authorizedVoter struct {
	AuthorizedVoter string `json:"authorizedVoter"`
	Epoch           uint64 `json:"epoch"`
}

type epochCredits struct {
	Credits         string `json:"credits"`
	Epoch           uint64 `json:"epoch"`
	PreviousCredits string `json:"previousCredits"`
}

type lastTimestamp struct {
	Slot      uint64 `json:"slot"`
	Timestamp int64  `json:"timestamp"`
}

type priorVoter struct {
	AuthorizedPubkey            string `json:"authorizedPubkey"`
	EpochOfLastAuthorizedSwitch uint64 `json:"epochOfLastAuthorizedSwitch"`
	TargetEpoch                 uint64 `json:"targetEpoch"`
}

type lockout struct {
	ConfirmationCount uint32 `json:"confirmationCount"`
	Slot              uint64 `json:"slot"`
}

// voteState0235Size is the bincode size of an all-default VoteState 0.23.5,
// the version a zeroed account's tag 0 selects: two keys, the voter epoch,
// 32 prior voters of 56 bytes and the ring index, the withdrawer, the
// commission, an empty vote list, no root, no credits and the timestamp.
const voteState0235Size = 32 + 32 + 8 + 32*56 + 8 + 32 + 1 + 8 + 1 + 8 + 16

// parseVoteState parses a vote account (type "vote").
func parseVoteState(data []byte) (Typed, error) {
	s, err := vote.DecodeState(data)
	if errors.Is(err, vote.ErrUninitialized) && len(data) >= voteState0235Size && allZero(data) {
		// Agave reads a zeroed account as a default VoteState 0.23.5,
		// whose only voter is the default key at epoch 0. Gnomon never
		// writes that version, so zeroes are the only such data.
		return Typed{Type: "vote", Info: voteInfo{
			AuthorizedVoters:     []authorizedVoter{{AuthorizedVoter: sdk.Pubkey{}.String()}},
			AuthorizedWithdrawer: sdk.Pubkey{}.String(),
			EpochCredits:         []epochCredits{},
			NodePubkey:           sdk.Pubkey{}.String(),
			PriorVoters:          []priorVoter{},
			Votes:                []lockout{},
		}}, nil
	}
	if err != nil {
		return Typed{}, fmt.Errorf("%w: %w", errNotParsable, err)
	}
	info := voteInfo{
		AuthorizedVoters:     make([]authorizedVoter, 0, len(s.AuthorizedVoters)),
		AuthorizedWithdrawer: s.AuthorizedWithdrawer.String(),
		Commission:           s.Commission,
		EpochCredits:         make([]epochCredits, 0, len(s.EpochCredits)),
		LastTimestamp:        lastTimestamp{Slot: s.LastTimestamp.Slot, Timestamp: s.LastTimestamp.Timestamp},
		NodePubkey:           s.NodePubkey.String(),
		PriorVoters:          []priorVoter{},
		Votes:                make([]lockout, 0, len(s.Votes)),
	}
	for _, v := range s.AuthorizedVoters {
		info.AuthorizedVoters = append(info.AuthorizedVoters, authorizedVoter{AuthorizedVoter: v.Pubkey.String(), Epoch: v.Epoch})
	}
	for _, c := range s.EpochCredits {
		info.EpochCredits = append(info.EpochCredits, epochCredits{
			Credits:         strconv.FormatUint(c.Credits, 10),
			Epoch:           c.Epoch,
			PreviousCredits: strconv.FormatUint(c.PrevCredits, 10),
		})
	}
	// Agave lists the ring buffer in storage order, skipping empty slots.
	for _, p := range s.PriorVoters.Buf {
		if !p.Pubkey.IsZero() {
			info.PriorVoters = append(info.PriorVoters, priorVoter{
				AuthorizedPubkey:            p.Pubkey.String(),
				EpochOfLastAuthorizedSwitch: p.StartEpoch,
				TargetEpoch:                 p.EndEpoch,
			})
		}
	}
	if s.HasRoot {
		root := s.RootSlot
		info.RootSlot = &root
	}
	for _, v := range s.Votes {
		info.Votes = append(info.Votes, lockout{ConfirmationCount: v.ConfirmationCount, Slot: v.Slot})
	}
	return Typed{Type: "vote", Info: info}, nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

type lookupTableInfo struct {
	Addresses                  []string `json:"addresses"`
	Authority                  string   `json:"authority,omitempty"`
	DeactivationSlot           string   `json:"deactivationSlot"`
	LastExtendedSlot           string   `json:"lastExtendedSlot"`
	LastExtendedSlotStartIndex uint8    `json:"lastExtendedSlotStartIndex"`
}

// parseLookupTable parses an address lookup table; a table not yet created is
// {"type":"uninitialized"}, as in Agave.
func parseLookupTable(data []byte) (Typed, error) {
	t, err := alt.DecodeTable(data)
	if errors.Is(err, invoke.Err(invoke.UninitializedAccount)) {
		return Typed{Type: "uninitialized"}, nil
	}
	if err != nil {
		return Typed{}, fmt.Errorf("%w: %w", errNotParsable, err)
	}
	info := lookupTableInfo{
		Addresses:                  make([]string, 0, len(t.Addresses)),
		DeactivationSlot:           strconv.FormatUint(t.Meta.DeactivationSlot, 10),
		LastExtendedSlot:           strconv.FormatUint(t.Meta.LastExtendedSlot, 10),
		LastExtendedSlotStartIndex: t.Meta.LastExtendedSlotStartIndex,
	}
	if t.Meta.HasAuthority {
		info.Authority = t.Meta.Authority.String()
	}
	for _, a := range t.Addresses {
		info.Addresses = append(info.Addresses, a.String())
	}
	return Typed{Type: "lookupTable", Info: info}, nil
}

type clockInfo struct {
	Epoch               uint64 `json:"epoch"`
	EpochStartTimestamp int64  `json:"epochStartTimestamp"`
	LeaderScheduleEpoch uint64 `json:"leaderScheduleEpoch"`
	Slot                uint64 `json:"slot"`
	UnixTimestamp       int64  `json:"unixTimestamp"`
}

type epochScheduleInfo struct {
	FirstNormalEpoch         uint64 `json:"firstNormalEpoch"`
	FirstNormalSlot          uint64 `json:"firstNormalSlot"`
	LeaderScheduleSlotOffset uint64 `json:"leaderScheduleSlotOffset"`
	SlotsPerEpoch            uint64 `json:"slotsPerEpoch"`
	Warmup                   bool   `json:"warmup"`
}

type recentBlockhashInfo struct {
	Blockhash     string        `json:"blockhash"`
	FeeCalculator feeCalculator `json:"feeCalculator"`
}

type rentInfo struct {
	BurnPercent         uint8     `json:"burnPercent"`
	ExemptionThreshold  rustFloat `json:"exemptionThreshold"`
	LamportsPerByteYear string    `json:"lamportsPerByteYear"`
}

type slotHashInfo struct {
	Hash string `json:"hash"`
	Slot uint64 `json:"slot"`
}

// parseSysvar parses the sysvars Gnomon keeps, chosen by address as Agave
// chooses. The Instructions sysvar, which Agave does not parse either, and
// any other address fall back.
func parseSysvar(pubkey sdk.Pubkey, data []byte) (Typed, error) {
	switch pubkey {
	case sdk.SysvarClockID:
		c, err := sysvar.DecodeClock(data)
		if err != nil {
			return Typed{}, fmt.Errorf("%w: %w", errNotParsable, err)
		}
		return Typed{Type: "clock", Info: clockInfo{
			Epoch: c.Epoch, EpochStartTimestamp: c.EpochStartTimestamp, LeaderScheduleEpoch: c.LeaderScheduleEpoch,
			Slot: c.Slot, UnixTimestamp: c.UnixTimestamp,
		}}, nil
	case sdk.SysvarEpochScheduleID:
		e, err := sysvar.DecodeEpochSchedule(data)
		if err != nil {
			return Typed{}, fmt.Errorf("%w: %w", errNotParsable, err)
		}
		return Typed{Type: "epochSchedule", Info: epochScheduleInfo{
			FirstNormalEpoch: e.FirstNormalEpoch, FirstNormalSlot: e.FirstNormalSlot,
			LeaderScheduleSlotOffset: e.LeaderScheduleSlotOffset, SlotsPerEpoch: e.SlotsPerEpoch, Warmup: e.Warmup,
		}}, nil
	case sdk.SysvarRecentBlockhashes:
		entries, err := sysvar.DecodeRecentBlockhashes(data)
		if err != nil {
			return Typed{}, fmt.Errorf("%w: %w", errNotParsable, err)
		}
		info := make([]recentBlockhashInfo, 0, len(entries))
		for _, e := range entries {
			info = append(info, recentBlockhashInfo{Blockhash: e.Blockhash.String(), FeeCalculator: newFeeCalculator(e.LamportsPerSignature)})
		}
		return Typed{Type: "recentBlockhashes", Info: info}, nil
	case sdk.SysvarRentID:
		r, err := sysvar.DecodeRent(data)
		if err != nil {
			return Typed{}, fmt.Errorf("%w: %w", errNotParsable, err)
		}
		return Typed{Type: "rent", Info: rentInfo{
			BurnPercent:         r.BurnPercent,
			ExemptionThreshold:  rustFloat(r.ExemptionThreshold),
			LamportsPerByteYear: strconv.FormatUint(r.LamportsPerByteYear, 10),
		}}, nil
	case sdk.SysvarSlotHashesID:
		entries, err := sysvar.DecodeSlotHashes(data)
		if err != nil {
			return Typed{}, fmt.Errorf("%w: %w", errNotParsable, err)
		}
		info := make([]slotHashInfo, 0, len(entries))
		for _, e := range entries {
			info = append(info, slotHashInfo{Hash: e.Hash.String(), Slot: e.Slot})
		}
		return Typed{Type: "slotHashes", Info: info}, nil
	}
	return Typed{}, fmt.Errorf("sysvar %s: %w", pubkey, errNotParsable)
}
