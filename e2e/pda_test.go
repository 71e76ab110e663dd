package e2e

import (
	"math/rand/v2"
	"slices"
	"testing"

	solana "github.com/gagliardetto/solana-go"

	"github.com/gnomon-chain/gnomon/sdk"
)

var (
	tokenProgram           = sdk.MustPubkey("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
	associatedTokenProgram = sdk.MustPubkey("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL")
)

// cloneSeeds deep-copies seeds, so that neither library can see what the other
// did to them (solana-go appends the bump to the caller's slice).
func cloneSeeds(seeds [][]byte) [][]byte {
	out := make([][]byte, len(seeds))
	for i, s := range seeds {
		out[i] = slices.Clone(s)
	}
	return out
}

func TestProgramDerivedAddresses(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 0xda))

	t.Run("FindProgramAddress on random seed sets", func(t *testing.T) {
		for i := range 300 {
			seeds := make([][]byte, r.IntN(4))
			for j := range seeds {
				seeds[j] = randomBytes(r, r.IntN(33))
			}
			program := randomPubkey(r)
			sdAddr, sdBump, sdErr := sdk.FindProgramAddress(cloneSeeds(seeds), program)
			sgAddr, sgBump, sgErr := solana.FindProgramAddress(cloneSeeds(seeds), sgKey(program))
			if sdErr != nil || sgErr != nil {
				t.Fatalf("case %d: errors sdk %v, solana-go %v", i, sdErr, sgErr)
			}
			if sdAddr != sdKey(sgAddr) || sdBump != sgBump {
				t.Fatalf("case %d (seeds %x, program %s): sdk %s bump %d, solana-go %s bump %d",
					i, seeds, program, sdAddr, sdBump, sgAddr, sgBump)
			}
			if sdAddr.IsOnCurve() || solana.IsOnCurve(sdAddr[:]) {
				t.Fatalf("case %d: derived address %s is on the curve", i, sdAddr)
			}
		}
	})

	t.Run("CreateProgramAddress on random seed sets", func(t *testing.T) {
		// Without a bump search about half the hashes land on the curve, so
		// both outcomes get exercised; count them to be sure.
		var ok, onCurve int
		for i := range 300 {
			seeds := make([][]byte, r.IntN(4))
			for j := range seeds {
				seeds[j] = randomBytes(r, r.IntN(33))
			}
			program := randomPubkey(r)
			sdAddr, sdErr := sdk.CreateProgramAddress(cloneSeeds(seeds), program)
			sgAddr, sgErr := solana.CreateProgramAddress(cloneSeeds(seeds), sgKey(program))
			if (sdErr == nil) != (sgErr == nil) {
				t.Fatalf("case %d (seeds %x, program %s): sdk error %v, solana-go error %v", i, seeds, program, sdErr, sgErr)
			}
			if sdErr != nil {
				onCurve++
				continue
			}
			ok++
			if sdAddr != sdKey(sgAddr) {
				t.Fatalf("case %d: sdk %s, solana-go %s", i, sdAddr, sgAddr)
			}
		}
		if ok < 50 || onCurve < 50 {
			t.Errorf("unbalanced outcomes: %d off-curve addresses, %d rejected", ok, onCurve)
		}
	})

	t.Run("seed limits rejected by both", func(t *testing.T) {
		program := randomPubkey(r)
		for name, seeds := range map[string][][]byte{
			"33-byte seed": {make([]byte, 33)},
			"17 seeds":     make([][]byte, 17),
		} {
			_, sdErr := sdk.CreateProgramAddress(seeds, program)
			_, sgErr := solana.CreateProgramAddress(seeds, sgKey(program))
			if sdErr == nil || sgErr == nil {
				t.Errorf("%s: sdk error %v, solana-go error %v; both must refuse", name, sdErr, sgErr)
			}
		}
	})

	t.Run("associated token address", func(t *testing.T) {
		if sgKey(tokenProgram) != solana.TokenProgramID || sgKey(associatedTokenProgram) != solana.SPLAssociatedTokenAccountProgramID {
			t.Fatal("program ids differ from solana-go's constants")
		}
		for i := range 50 {
			wallet, mint := randomPubkey(r), randomPubkey(r)
			sdAddr, sdBump, err := sdk.FindProgramAddress([][]byte{wallet[:], tokenProgram[:], mint[:]}, associatedTokenProgram)
			if err != nil {
				t.Fatal(err)
			}
			sgAddr, sgBump, err := solana.FindAssociatedTokenAddress(sgKey(wallet), sgKey(mint))
			if err != nil {
				t.Fatal(err)
			}
			if sdAddr != sdKey(sgAddr) || sdBump != sgBump {
				t.Fatalf("case %d wallet %s mint %s: sdk %s/%d, solana-go %s/%d", i, wallet, mint, sdAddr, sdBump, sgAddr, sgBump)
			}
		}
	})

	t.Run("on-curve check agrees on random and real keys", func(t *testing.T) {
		var on int
		for i := range 500 {
			p := randomPubkey(r)
			if i%5 == 0 {
				p = seededKeypair(t, r).Pubkey() // always on the curve
			}
			if got, want := p.IsOnCurve(), solana.IsOnCurve(p[:]); got != want {
				t.Fatalf("%s: sdk IsOnCurve %v, solana-go %v", p, got, want)
			}
			if p.IsOnCurve() {
				on++
			}
		}
		if on < 100 || on > 400 {
			t.Errorf("%d of 500 keys on the curve; the sample is not mixed", on)
		}
	})
}
