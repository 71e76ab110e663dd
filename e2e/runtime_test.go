package e2e

import (
	"testing"

	bin "github.com/gagliardetto/binary"
	solana "github.com/gagliardetto/solana-go"
	ata "github.com/gagliardetto/solana-go/programs/associated-token-account"
	computebudget "github.com/gagliardetto/solana-go/programs/compute-budget"
	"github.com/gagliardetto/solana-go/programs/memo"
	"github.com/gagliardetto/solana-go/programs/system"
	"github.com/gagliardetto/solana-go/programs/token"

	"github.com/gnomon-chain/gnomon/runtime"
	"github.com/gnomon-chain/gnomon/sdk"
)

// TestSolanaGoInstructionsExecute builds every instruction with solana-go's
// own program builders (System, Token, Associated Token, Memo, Compute
// Budget), so the encodings are a client's, not ours; the transactions go
// through sdk's parser and signature check into a bank, and the resulting
// token accounts decode with solana-go's account layouts.
func TestSolanaGoInstructionsExecute(t *testing.T) {
	payer := solana.NewWallet().PrivateKey
	mint := solana.NewWallet().PrivateKey
	friend := solana.NewWallet().PublicKey()

	cfg := runtime.DefaultConfig()
	cfg.GenesisHash = sdk.Hash{0x51}
	genesis := map[sdk.Pubkey]sdk.Account{sdk.Pubkey(payer.PublicKey()): {Lamports: 10_000_000_000, Owner: sdk.SystemProgramID}}
	root, err := runtime.NewGenesisBank(cfg, genesis, runtime.NewAccounts(), runtime.NewStatusCache())
	if err != nil {
		t.Fatal(err)
	}
	bank, err := runtime.NewBank(root, 1, sdk.Pubkey{0xc0})
	if err != nil {
		t.Fatal(err)
	}
	blockhash := solana.Hash(bank.LastBlockhash())
	signers := map[solana.PublicKey]solana.PrivateKey{payer.PublicKey(): payer, mint.PublicKey(): mint}
	send := func(name string, ixs ...solana.Instruction) runtime.TxResult {
		t.Helper()
		tx, err := solana.NewTransaction(ixs, blockhash, solana.TransactionPayer(payer.PublicKey()))
		if err != nil {
			t.Fatalf("%s: build: %v", name, err)
		}
		if _, err := tx.Sign(func(k solana.PublicKey) *solana.PrivateKey {
			if p, ok := signers[k]; ok {
				return &p
			}
			return nil
		}); err != nil {
			t.Fatalf("%s: sign: %v", name, err)
		}
		raw, err := tx.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := sdk.ParseTransaction(raw)
		if err != nil {
			t.Fatalf("%s: parse: %v", name, err)
		}
		if err := parsed.VerifySignatures(); err != nil {
			t.Fatalf("%s: verify: %v", name, err)
		}
		res, err := bank.ProcessTransactions([]*sdk.Transaction{parsed})
		if err != nil {
			t.Fatal(err)
		}
		if res[0].Err != nil {
			t.Fatalf("%s: %v\n%v", name, res[0].Err, res[0].Logs)
		}
		return res[0]
	}

	mintRent := cfg.Rent.MinimumBalance(82)
	send("create and initialize a mint",
		system.NewCreateAccountInstruction(mintRent, 82, solana.TokenProgramID, payer.PublicKey(), mint.PublicKey()).Build(),
		token.NewInitializeMint2Instruction(6, payer.PublicKey(), payer.PublicKey(), mint.PublicKey()).Build())

	mine, _, err := solana.FindAssociatedTokenAddress(payer.PublicKey(), mint.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	theirs, _, _ := solana.FindAssociatedTokenAddress(friend, mint.PublicKey())
	send("create my token account and mint to it",
		ata.NewCreateInstruction(payer.PublicKey(), payer.PublicKey(), mint.PublicKey()).Build(),
		token.NewMintToInstruction(1_000_000, mint.PublicKey(), mine, payer.PublicKey(), nil).Build())
	r := send("pay a friend with a priority fee and a memo",
		computebudget.NewSetComputeUnitLimitInstruction(60_000).Build(),
		computebudget.NewSetComputeUnitPriceInstruction(10_000).Build(),
		ata.NewCreateInstruction(payer.PublicKey(), friend, mint.PublicKey()).Build(),
		token.NewTransferCheckedInstruction(250_000, 6, mine, mint.PublicKey(), theirs, payer.PublicKey(), nil).Build(),
		memo.NewMemoInstruction([]byte("thanks"), payer.PublicKey()).Build(),
		system.NewTransferInstruction(1_000_000, payer.PublicKey(), friend).Build())
	if want := uint64(5000 + 600); r.Fee != want { // base + ceil(60,000 × 10,000 / 1e6)
		t.Fatalf("fee %d, want %d", r.Fee, want)
	}

	decode := func(k solana.PublicKey) token.Account {
		t.Helper()
		a := bank.Account(sdk.Pubkey(k))
		if a == nil {
			t.Fatalf("no account %s", k)
		}
		var acct token.Account
		if err := acct.UnmarshalWithDecoder(bin.NewBinDecoder(a.Data)); err != nil {
			t.Fatalf("solana-go cannot decode %s: %v", k, err)
		}
		return acct
	}
	if got := decode(mine); got.Amount != 750_000 || got.Owner != payer.PublicKey() || got.Mint != mint.PublicKey() {
		t.Fatalf("my token account %+v", got)
	}
	if got := decode(theirs); got.Amount != 250_000 || got.Owner != friend {
		t.Fatalf("friend's token account %+v", got)
	}
	var m token.Mint
	if err := m.UnmarshalWithDecoder(bin.NewBinDecoder(bank.Account(sdk.Pubkey(mint.PublicKey())).Data)); err != nil || m.Supply != 1_000_000 || m.Decimals != 6 {
		t.Fatalf("mint %+v %v", m, err)
	}
	if bank.Balance(sdk.Pubkey(friend)) != 1_000_000 {
		t.Fatal("system transfer did not land")
	}
}
