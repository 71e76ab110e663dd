package rpc

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gnomon-chain/gnomon/runtime/programs/system"
	"github.com/gnomon-chain/gnomon/sdk"
)

// Default dev faucet limits: generous enough for tests and load
// generators that fund thousands of fresh accounts, bounded so one client
// cannot drain the faucet in a loop.
const (
	defaultAirdropMax       = 1_000 * 1_000_000_000
	defaultAirdropPerMinute = 10_000 * 1_000_000_000
)

var errAirdropLimit = errors.New("airdrop limit reached")

// faucet signs airdrops from the dev faucet's keypair and enforces its
// limits: per request, and per recipient per minute.
type faucet struct {
	key       sdk.Keypair
	max       uint64
	perMinute uint64

	mu     sync.Mutex
	window time.Time
	given  map[sdk.Pubkey]uint64
}

func newFaucet(key sdk.Keypair, max, perMinute uint64) *faucet {
	if max == 0 {
		max = defaultAirdropMax
	}
	if perMinute == 0 {
		perMinute = defaultAirdropPerMinute
	}
	return &faucet{key: key, max: max, perMinute: perMinute, given: make(map[sdk.Pubkey]uint64)}
}

// grant checks the limits and returns a signed transfer of lamports to to.
func (f *faucet) grant(to sdk.Pubkey, lamports uint64, blockhash sdk.Hash) (*sdk.Transaction, error) {
	if lamports == 0 {
		return nil, errors.New("airdrop of 0 lamports")
	}
	if lamports > f.max {
		return nil, fmt.Errorf("%w: %d lamports requested, at most %d per request", errAirdropLimit, lamports, f.max)
	}
	f.mu.Lock()
	now := time.Now()
	if now.Sub(f.window) >= time.Minute {
		f.window = now
		clear(f.given)
	}
	if f.given[to]+lamports > f.perMinute {
		f.mu.Unlock()
		return nil, fmt.Errorf("%w: %s may receive %d lamports a minute", errAirdropLimit, to, f.perMinute)
	}
	f.given[to] += lamports
	f.mu.Unlock()
	from := f.key.Pubkey()
	ix := sdk.Instruction{ProgramID: system.ID, Data: system.TransferData(lamports),
		Accounts: []sdk.AccountMeta{{Pubkey: from, IsSigner: true, IsWritable: true}, {Pubkey: to, IsWritable: true}}}
	return sdk.NewTransaction([]sdk.Instruction{ix}, blockhash, f.key)
}
