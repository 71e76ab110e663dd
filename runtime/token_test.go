package runtime

import (
	"testing"

	"github.com/gnomon-chain/gnomon/runtime/programs/ata"
	"github.com/gnomon-chain/gnomon/runtime/programs/token"
	"github.com/gnomon-chain/gnomon/runtime/sysvar"
	"github.com/gnomon-chain/gnomon/sdk"
)

// testMint is a mint whose authority is mintAuth, with token accounts
// (owned by owners[i], holding amount each) at tokenAccountKey(mint, i).
func tokenGenesis(mint, mintAuth sdk.Pubkey, owners []sdk.Pubkey, amount uint64) map[sdk.Pubkey]sdk.Account {
	rent := sysvar.DefaultRent
	m := token.Mint{MintAuthority: token.COptionPubkey{Some: true, Key: mintAuth}, Supply: amount * uint64(len(owners)), Decimals: 6, IsInitialized: true}
	out := map[sdk.Pubkey]sdk.Account{mint: {Lamports: rent.MinimumBalance(token.MintSize), Owner: token.ID, Data: m.Encode()}}
	for i, o := range owners {
		a := token.Account{Mint: mint, Owner: o, Amount: amount, State: token.StateInitialized}
		out[tokenAccountKey(mint, i)] = sdk.Account{Lamports: rent.MinimumBalance(token.AccountSize), Owner: token.ID, Data: a.Encode()}
	}
	return out
}

func tokenAccountKey(mint sdk.Pubkey, i int) sdk.Pubkey {
	k := mint
	k[30], k[31] = byte(i>>8), byte(i)
	k[29] ^= 0xff
	return k
}

func tokenTransfer(src, dst, owner sdk.Pubkey, amount uint64) sdk.Instruction {
	return sdk.Instruction{ProgramID: token.ID, Data: token.TransferData(amount), Accounts: []sdk.AccountMeta{
		{Pubkey: src, IsWritable: true}, {Pubkey: dst, IsWritable: true}, {Pubkey: owner, IsSigner: true}}}
}

func TestTokenTransferReportsTokenBalances(t *testing.T) {
	keys := testKeypairs(2, 12)
	mint := sdk.Pubkey{0x3a}
	n := newTestNode(t, keys, tokenGenesis(mint, keys[0].Pubkey(), []sdk.Pubkey{keys[0].Pubkey(), keys[1].Pubkey()}, 1_000_000))
	b := n.child(t, n.forks.Root(), 1)
	src, dst := tokenAccountKey(mint, 0), tokenAccountKey(mint, 1)
	r := process(t, b, wire(t, []sdk.Instruction{tokenTransfer(src, dst, keys[0].Pubkey(), 250_000)}, b.LastBlockhash(), keys[0]))[0]
	if r.Err != nil {
		t.Fatalf("%v %q", r.Err, r.Logs)
	}
	if len(r.PreTokenBalances) != 2 || len(r.PostTokenBalances) != 2 {
		t.Fatalf("token balances %+v %+v", r.PreTokenBalances, r.PostTokenBalances)
	}
	post := map[sdk.Pubkey]uint64{}
	for _, tb := range r.PostTokenBalances {
		if tb.Decimals != 6 || tb.Mint != mint {
			t.Fatalf("balance %+v", tb)
		}
		post[tb.Owner] = tb.Amount
	}
	if post[keys[0].Pubkey()] != 750_000 || post[keys[1].Pubkey()] != 1_250_000 {
		t.Fatalf("post %v", post)
	}
	if r.Logs[1] != "Program log: Instruction: Transfer" {
		t.Fatalf("logs %q", r.Logs)
	}
}

// TestCreateAssociatedAccountRecordsInnerInstructions: the ATA program's
// calls into System and Token are reported as inner instructions, in call
// order, with their depth, as getTransaction shows them.
func TestCreateAssociatedAccountRecordsInnerInstructions(t *testing.T) {
	keys := testKeypairs(2, 13)
	mint := sdk.Pubkey{0x3b}
	n := newTestNode(t, keys, tokenGenesis(mint, keys[0].Pubkey(), nil, 0))
	b := n.child(t, n.forks.Root(), 1)
	wallet := keys[1].Pubkey()
	addr := ata.Address(wallet, mint)
	ix := sdk.Instruction{ProgramID: ata.ID, Data: ata.CreateData(), Accounts: []sdk.AccountMeta{
		{Pubkey: keys[0].Pubkey(), IsSigner: true, IsWritable: true}, {Pubkey: addr, IsWritable: true},
		{Pubkey: wallet}, {Pubkey: mint}, {Pubkey: sdk.SystemProgramID}, {Pubkey: token.ID}}}
	tx := wire(t, []sdk.Instruction{ix}, b.LastBlockhash(), keys[0])
	r := process(t, b, tx)[0]
	if r.Err != nil {
		t.Fatalf("%v %q", r.Err, r.Logs)
	}
	keysOf := tx.Message.AccountKeys
	var programs []sdk.Pubkey
	for _, in := range r.InnerInstructions {
		if in.TopLevel != 0 || in.StackHeight != 2 {
			t.Fatalf("inner instruction %+v: want top-level 0, stack height 2", in)
		}
		programs = append(programs, keysOf[in.ProgramIDIndex])
	}
	want := []sdk.Pubkey{token.ID, sdk.SystemProgramID, token.ID, token.ID}
	if len(programs) != len(want) {
		t.Fatalf("inner programs %v, want %v", programs, want)
	}
	for i := range want {
		if programs[i] != want[i] {
			t.Fatalf("inner programs %v, want %v", programs, want)
		}
	}
	// A transfer makes none.
	plain := process(t, b, wire(t, []sdk.Instruction{transfer(keys[0].Pubkey(), keys[1].Pubkey(), 1_000_000)}, b.LastBlockhash(), keys[0]))[0]
	if plain.InnerInstructions != nil {
		t.Fatalf("a transfer reported inner instructions %+v", plain.InnerInstructions)
	}
}
