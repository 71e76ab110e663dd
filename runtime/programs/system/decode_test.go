package system

import (
	"errors"
	"testing"

	"github.com/gnomon-chain/gnomon/runtime/invoke"
	"github.com/gnomon-chain/gnomon/sdk"
)

func TestDecodeInstructionRoundTripsTheEncoders(t *testing.T) {
	base, owner := sdk.Pubkey{4}, sdk.Pubkey{5}
	cases := []struct {
		data []byte
		want Instruction
	}{
		{CreateAccountData(10, 20, owner), Instruction{Tag: TagCreateAccount, Lamports: 10, Space: 20, Owner: owner}},
		{AssignData(owner), Instruction{Tag: TagAssign, Owner: owner}},
		{TransferData(7), Instruction{Tag: TagTransfer, Lamports: 7}},
		{CreateAccountWithSeedData(base, "seed", 1, 2, owner),
			Instruction{Tag: TagCreateAccountWithSeed, Base: base, Seed: "seed", Lamports: 1, Space: 2, Owner: owner}},
		{AdvanceNonceData(), Instruction{Tag: TagAdvanceNonceAccount}},
		{WithdrawNonceData(3), Instruction{Tag: TagWithdrawNonceAccount, Lamports: 3}},
		{InitializeNonceData(owner), Instruction{Tag: TagInitializeNonceAccount, Owner: owner}},
		{AuthorizeNonceData(owner), Instruction{Tag: TagAuthorizeNonceAccount, Owner: owner}},
		{AllocateData(9), Instruction{Tag: TagAllocate, Space: 9}},
		{AllocateWithSeedData(base, "s", 9, owner), Instruction{Tag: TagAllocateWithSeed, Base: base, Seed: "s", Space: 9, Owner: owner}},
		{AssignWithSeedData(base, "s", owner), Instruction{Tag: TagAssignWithSeed, Base: base, Seed: "s", Owner: owner}},
		{TransferWithSeedData(8, "s", owner), Instruction{Tag: TagTransferWithSeed, Lamports: 8, Seed: "s", FromOwner: owner}},
		{UpgradeNonceData(), Instruction{Tag: TagUpgradeNonceAccount}},
	}
	for _, c := range cases {
		got, err := DecodeInstruction(c.data)
		if err != nil || got != c.want {
			t.Errorf("DecodeInstruction(%x) = %+v, %v; want %+v", c.data, got, err, c.want)
		}
	}
	for _, bad := range [][]byte{nil, {2, 0, 0, 0, 1}, {13, 0, 0, 0}, AssignWithSeedData(base, "\xff", owner)} {
		if _, err := DecodeInstruction(bad); !errors.Is(err, invoke.Err(invoke.InvalidInstructionData)) {
			t.Errorf("DecodeInstruction(%x) error %v, want InvalidInstructionData", bad, err)
		}
	}
}
