package runtime

import (
	"testing"

	"github.com/gnomon-chain/gnomon/sdk"
)

// TestIndexUpdateFollowsOwnerAndTokenChanges: a balance change leaves the
// index as it is (update skips it); a change of token owner, of program
// owner, or a close moves or drops the address.
func TestIndexUpdateFollowsOwnerAndTokenChanges(t *testing.T) {
	x := newIndex()
	k, mint, alice, bob := sdk.Pubkey{1}, sdk.Pubkey{2}, sdk.Pubkey{3}, sdk.Pubkey{4}
	token := func(lamports uint64, owner sdk.Pubkey) *sdk.Account {
		d := make([]byte, tokenAccountSize)
		copy(d[0:32], mint[:])
		copy(d[32:64], owner[:])
		d[108] = 1 // initialized
		return &sdk.Account{Lamports: lamports, Owner: sdk.TokenProgramID, Data: d}
	}
	a0 := token(2_039_280, alice)
	x.update(k, nil, a0)
	a1 := token(2_039_281, alice)
	x.update(k, a0, a1)
	if got := x.RootedTokenAccountsByMint(mint); len(got) != 1 || got[0] != k {
		t.Fatalf("after a balance change, by mint: %v", got)
	}
	b := token(2_039_281, bob)
	x.update(k, a1, b)
	if got := x.keys(x.byTokenAuth, alice); len(got) != 0 {
		t.Fatalf("alice still owns %v", got)
	}
	if got := x.keys(x.byTokenAuth, bob); len(got) != 1 {
		t.Fatalf("bob owns %v", got)
	}
	x.update(k, b, &sdk.Account{Lamports: 5, Owner: sdk.SystemProgramID})
	if got := x.RootedTokenAccountsByMint(mint); len(got) != 0 {
		t.Fatalf("a System account is still indexed by mint: %v", got)
	}
	if got := x.keys(x.byOwner, sdk.SystemProgramID); len(got) != 1 {
		t.Fatalf("by System owner: %v", got)
	}
	x.update(k, &sdk.Account{Lamports: 5, Owner: sdk.SystemProgramID}, &sdk.Account{})
	if got := x.keys(x.byOwner, sdk.SystemProgramID); len(got) != 0 {
		t.Fatalf("a closed account is still indexed: %v", got)
	}
}
