package e2e

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	bin "github.com/gagliardetto/binary"
	solana "github.com/gagliardetto/solana-go"
	ata "github.com/gagliardetto/solana-go/programs/associated-token-account"
	"github.com/gagliardetto/solana-go/programs/system"
	"github.com/gagliardetto/solana-go/programs/token"
	"github.com/gagliardetto/solana-go/rpc"
)

// tokenAccountSize is the SPL Token account layout size.
const tokenAccountSize = 165

// parsedTokenAmount is the uiTokenAmount object of jsonParsed token data
// and of getTokenAccountBalance / getTokenSupply.
type parsedTokenAmount struct {
	Amount         string   `json:"amount"`
	Decimals       uint8    `json:"decimals"`
	UIAmount       *float64 `json:"uiAmount"`
	UIAmountString string   `json:"uiAmountString"`
}

// parsedAccountData is jsonParsed account data for the token program.
type parsedAccountData struct {
	Program string `json:"program"`
	Space   uint64 `json:"space"`
	Parsed  struct {
		Type string `json:"type"`
		Info struct {
			// token account
			Mint        string            `json:"mint"`
			Owner       string            `json:"owner"`
			State       string            `json:"state"`
			IsNative    *bool             `json:"isNative"`
			TokenAmount parsedTokenAmount `json:"tokenAmount"`
			// mint
			Decimals        uint8           `json:"decimals"`
			Supply          string          `json:"supply"`
			MintAuthority   *string         `json:"mintAuthority"`
			FreezeAuthority json.RawMessage `json:"freezeAuthority"`
			IsInitialized   *bool           `json:"isInitialized"`
		} `json:"info"`
	} `json:"parsed"`
}

// TestRPCTokenFlow runs the SPL Token flow of spl-token's createMint,
// getOrCreateAssociatedTokenAccount, mintTo and transfer, built with
// solana-go's program builders, and reads the results back through every
// token-aware RPC method.
func TestRPCTokenFlow(t *testing.T) {
	c := httpClient(t)
	ctx := testCtx(t)
	payer := fundedKey(t, c, 2_000_000_000) // mint authority and first holder
	holder := newKey(t).PublicKey()         // second owner; never signs
	mint := newKey(t)
	const decimals = 6

	send := func(what string, signers []solana.PrivateKey, ixs ...solana.Instruction) solana.Signature {
		t.Helper()
		tx := buildTx(t, latestBlockhash(t, c), payer.PublicKey(), signers, ixs...)
		sig, err := c.SendTransactionWithOpts(ctx, tx, rpc.TransactionOpts{PreflightCommitment: confirmed})
		if err != nil {
			t.Fatalf("%s: sendTransaction: %v", what, err)
		}
		if st := waitStatus(t, c, sig, confirmed, confirmTimeout); st.Err != nil {
			t.Fatalf("%s failed: %v", what, st.Err)
		}
		return sig
	}

	mintRent, err := c.GetMinimumBalanceForRentExemption(ctx, token.MINT_SIZE, confirmed)
	if err != nil {
		t.Fatal(err)
	}
	send("create mint", []solana.PrivateKey{payer, mint},
		system.NewCreateAccountInstruction(mintRent, token.MINT_SIZE, solana.TokenProgramID, payer.PublicKey(), mint.PublicKey()).Build(),
		token.NewInitializeMint2InstructionBuilder().SetDecimals(decimals).SetMintAuthority(payer.PublicKey()).SetMintAccount(mint.PublicKey()).Build(),
	)
	ataPayer, _, err := solana.FindAssociatedTokenAddress(payer.PublicKey(), mint.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	ataHolder, _, err := solana.FindAssociatedTokenAddress(holder, mint.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	send("create associated token accounts", []solana.PrivateKey{payer},
		ata.NewCreateInstruction(payer.PublicKey(), payer.PublicKey(), mint.PublicKey()).Build(),
		ata.NewCreateInstruction(payer.PublicKey(), holder, mint.PublicKey()).Build(),
	)
	// Read-your-writes: getOrCreateAssociatedTokenAccount reads the ATA at
	// confirmed right after confirming the transaction that created it.
	for _, a := range []solana.PublicKey{ataPayer, ataHolder} {
		out, err := c.GetAccountInfoWithOpts(ctx, a, &rpc.GetAccountInfoOpts{Commitment: confirmed, Encoding: solana.EncodingBase64})
		if err != nil {
			t.Fatalf("getAccountInfo(ATA %s) at confirmed after its creation confirmed: %v", a, err)
		}
		if out.Value.Owner != solana.TokenProgramID || len(out.Value.Data.GetBinary()) != tokenAccountSize {
			t.Fatalf("ATA %s: owner %s, %d data bytes; want the token program and %d", a, out.Value.Owner, len(out.Value.Data.GetBinary()), tokenAccountSize)
		}
	}
	send("mint to and transfer", []solana.PrivateKey{payer},
		token.NewMintToInstruction(5_250_000, mint.PublicKey(), ataPayer, payer.PublicKey(), nil).Build(),
		token.NewTransferCheckedInstruction(1_250_000, decimals, ataPayer, mint.PublicKey(), ataHolder, payer.PublicKey(), nil).Build(),
	)

	// Balances and supply: amount is the raw u64 as a string and
	// uiAmountString has no trailing zeros.
	for _, tc := range []struct {
		account solana.PublicKey
		amount  string
		ui      string
		uiF     float64
	}{{ataPayer, "4000000", "4", 4}, {ataHolder, "1250000", "1.25", 1.25}} {
		b, err := c.GetTokenAccountBalance(ctx, tc.account, confirmed)
		if err != nil {
			t.Fatalf("getTokenAccountBalance(%s): %v", tc.account, err)
		}
		v := b.Value
		if v.Amount != tc.amount || v.Decimals != decimals || v.UiAmountString != tc.ui || v.UiAmount == nil || *v.UiAmount != tc.uiF {
			ui := "null"
			if v.UiAmount != nil {
				ui = fmt.Sprint(*v.UiAmount)
			}
			t.Errorf("getTokenAccountBalance(%s) = amount %q decimals %d uiAmount %s uiAmountString %q; want %q, %d, %v, %q",
				tc.account, v.Amount, v.Decimals, ui, v.UiAmountString, tc.amount, decimals, tc.uiF, tc.ui)
		}
	}
	sup, err := c.GetTokenSupply(ctx, mint.PublicKey(), confirmed)
	if err != nil {
		t.Fatalf("getTokenSupply: %v", err)
	}
	if v := sup.Value; v.Amount != "5250000" || v.Decimals != decimals || v.UiAmountString != "5.25" {
		t.Errorf("getTokenSupply = amount %q decimals %d uiAmountString %q; want 5250000, %d, 5.25", v.Amount, v.Decimals, v.UiAmountString, decimals)
	}
	// A non-token account is a parameter error, as in Agave.
	_, err = c.GetTokenAccountBalance(ctx, payer.PublicKey(), confirmed)
	wantRPCErrorCode(t, "getTokenAccountBalance(system account)", err, -32602)

	// getTokenAccountsByOwner: exactly the holder's one account, by mint
	// and by program id, in base64 and jsonParsed.
	for _, filter := range []struct {
		name string
		conf rpc.GetTokenAccountsConfig
	}{{"mint", rpc.GetTokenAccountsConfig{Mint: mint.PublicKey().ToPointer()}}, {"programId", rpc.GetTokenAccountsConfig{ProgramId: solana.TokenProgramID.ToPointer()}}} {
		out, err := c.GetTokenAccountsByOwner(ctx, holder, &filter.conf, &rpc.GetTokenAccountsOpts{Commitment: confirmed, Encoding: solana.EncodingBase64})
		if err != nil {
			t.Fatalf("getTokenAccountsByOwner(%s, base64): %v", filter.name, err)
		}
		if len(out.Value) != 1 || out.Value[0].Pubkey != ataHolder {
			t.Fatalf("getTokenAccountsByOwner(holder, %s, base64) returned %d accounts; want only %s", filter.name, len(out.Value), ataHolder)
		}
		var acc token.Account
		if err := bin.NewBinDecoder(out.Value[0].Account.Data.GetBinary()).Decode(&acc); err != nil {
			t.Fatalf("getTokenAccountsByOwner(%s, base64) data: %v", filter.name, err)
		}
		if acc.Mint != mint.PublicKey() || acc.Owner != holder || acc.Amount != 1_250_000 || out.Value[0].Account.Owner != solana.TokenProgramID {
			t.Errorf("getTokenAccountsByOwner(%s, base64) account = %+v owned by %s", filter.name, acc, out.Value[0].Account.Owner)
		}

		out, err = c.GetTokenAccountsByOwner(ctx, holder, &filter.conf, &rpc.GetTokenAccountsOpts{Commitment: confirmed, Encoding: solana.EncodingJSONParsed})
		if err != nil {
			t.Fatalf("getTokenAccountsByOwner(%s, jsonParsed): %v", filter.name, err)
		}
		if len(out.Value) != 1 || out.Value[0].Pubkey != ataHolder {
			t.Fatalf("getTokenAccountsByOwner(holder, %s, jsonParsed) returned %d accounts; want only %s", filter.name, len(out.Value), ataHolder)
		}
		var p parsedAccountData
		if err := json.Unmarshal(out.Value[0].Account.Data.GetRawJSON(), &p); err != nil {
			t.Fatalf("getTokenAccountsByOwner(%s, jsonParsed) data %s: %v", filter.name, out.Value[0].Account.Data.GetRawJSON(), err)
		}
		checkParsedTokenAccount(t, "getTokenAccountsByOwner("+filter.name+", jsonParsed)", p, mint.PublicKey(), holder, "1250000", "1.25")
	}
	// An owner with no token accounts gets an empty list.
	out, err := c.GetTokenAccountsByOwner(ctx, newKey(t).PublicKey(), &rpc.GetTokenAccountsConfig{Mint: mint.PublicKey().ToPointer()}, &rpc.GetTokenAccountsOpts{Commitment: confirmed})
	if err != nil || len(out.Value) != 0 {
		t.Errorf("getTokenAccountsByOwner(stranger) = %v, %v; want an empty list", out, err)
	}

	// getAccountInfo jsonParsed of the mint and of a token account.
	mi, err := c.GetAccountInfoWithOpts(ctx, mint.PublicKey(), &rpc.GetAccountInfoOpts{Commitment: confirmed, Encoding: solana.EncodingJSONParsed})
	if err != nil {
		t.Fatalf("getAccountInfo(mint, jsonParsed): %v", err)
	}
	var pm parsedAccountData
	if err := json.Unmarshal(mi.Value.Data.GetRawJSON(), &pm); err != nil {
		t.Fatalf("getAccountInfo(mint, jsonParsed) data %s: %v", mi.Value.Data.GetRawJSON(), err)
	}
	info := pm.Parsed.Info
	if pm.Program != "spl-token" || pm.Parsed.Type != "mint" || pm.Space != token.MINT_SIZE || info.Decimals != decimals || info.Supply != "5250000" ||
		info.MintAuthority == nil || *info.MintAuthority != payer.PublicKey().String() || string(info.FreezeAuthority) != "null" ||
		info.IsInitialized == nil || !*info.IsInitialized {
		t.Errorf("getAccountInfo(mint, jsonParsed) data = %s", mi.Value.Data.GetRawJSON())
	}
	if mi.Value.Owner != solana.TokenProgramID || mi.Value.Lamports != mintRent {
		t.Errorf("getAccountInfo(mint) owner %s lamports %d; want token program and %d", mi.Value.Owner, mi.Value.Lamports, mintRent)
	}
	ai, err := c.GetAccountInfoWithOpts(ctx, ataPayer, &rpc.GetAccountInfoOpts{Commitment: confirmed, Encoding: solana.EncodingJSONParsed})
	if err != nil {
		t.Fatalf("getAccountInfo(token account, jsonParsed): %v", err)
	}
	var pa parsedAccountData
	if err := json.Unmarshal(ai.Value.Data.GetRawJSON(), &pa); err != nil {
		t.Fatalf("getAccountInfo(token account, jsonParsed) data %s: %v", ai.Value.Data.GetRawJSON(), err)
	}
	checkParsedTokenAccount(t, "getAccountInfo(token account, jsonParsed)", pa, mint.PublicKey(), payer.PublicKey(), "4000000", "4")

	// getProgramAccounts of the token program, filtered to this mint's
	// token accounts: memcmp on the mint at offset 0 and dataSize 165.
	pa2, err := c.GetProgramAccountsWithOpts(ctx, solana.TokenProgramID, &rpc.GetProgramAccountsOpts{
		Commitment: confirmed,
		Encoding:   solana.EncodingBase64,
		Filters: []rpc.RPCFilter{
			{Memcmp: &rpc.RPCFilterMemcmp{Offset: 0, Bytes: solana.Base58(mint.PublicKey().Bytes())}},
			{DataSize: tokenAccountSize},
		},
	})
	if err != nil {
		t.Fatalf("getProgramAccounts(token program, memcmp mint, dataSize 165): %v", err)
	}
	var keys []string
	for _, ka := range pa2 {
		keys = append(keys, ka.Pubkey.String())
	}
	slices.Sort(keys)
	want := []string{ataPayer.String(), ataHolder.String()}
	slices.Sort(want)
	if !slices.Equal(keys, want) {
		t.Errorf("getProgramAccounts(token program, mint %s) = %v; want exactly the two ATAs %v", mint.PublicKey(), keys, want)
	}
}

func checkParsedTokenAccount(t *testing.T, what string, p parsedAccountData, mint, owner solana.PublicKey, amount, ui string) {
	t.Helper()
	i := p.Parsed.Info
	if p.Program != "spl-token" || p.Parsed.Type != "account" || p.Space != tokenAccountSize ||
		i.Mint != mint.String() || i.Owner != owner.String() || i.State != "initialized" || i.IsNative == nil || *i.IsNative ||
		i.TokenAmount.Amount != amount || i.TokenAmount.Decimals != 6 || i.TokenAmount.UIAmountString != ui {
		b, _ := json.Marshal(p)
		t.Errorf("%s = %s; want program spl-token, type account, space 165, mint %s, owner %s, state initialized, isNative false, amount %s (%s)",
			what, b, mint, owner, amount, ui)
	}
}
