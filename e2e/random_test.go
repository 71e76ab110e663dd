package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	solana "github.com/gagliardetto/solana-go"

	"github.com/gnomon-chain/gnomon/sdk"
)

// randomCase is one random instruction set with its signers and, for v0, its
// lookup tables.
type randomCase struct {
	v0        bool
	signers   []sdk.Keypair // signers[0] pays
	ixs       []sdk.Instruction
	tables    []sdk.LookupTable
	blockhash sdk.Hash
}

func (c randomCase) String() string {
	kind := "legacy"
	if c.v0 {
		kind = fmt.Sprintf("v0 with %d tables", len(c.tables))
	}
	return fmt.Sprintf("%s, %d signers, %d instructions", kind, len(c.signers), len(c.ixs))
}

// genCase draws random programs, accounts, flags and data. A signer key may
// also appear unsigned in some instruction (sdk must OR the flags), a program id
// may also be passed as an account, and tables may hold signers and programs,
// which neither compiler may look up.
func genCase(t *testing.T, r *rand.Rand, v0 bool) randomCase {
	c := randomCase{v0: v0, blockhash: randomHash(r)}
	for range 1 + r.IntN(4) {
		c.signers = append(c.signers, seededKeypair(t, r))
	}
	others := make([]sdk.Pubkey, 1+r.IntN(12))
	for i := range others {
		others[i] = randomPubkey(r)
	}
	programs := make([]sdk.Pubkey, 1+r.IntN(3))
	for i := range programs {
		programs[i] = randomPubkey(r)
	}
	if r.IntN(4) == 0 {
		programs[0] = systemProgram // the all-zero key
	}
	c.ixs = make([]sdk.Instruction, 1+r.IntN(4))
	for i := range c.ixs {
		ix := &c.ixs[i]
		ix.ProgramID = programs[r.IntN(len(programs))]
		for range r.IntN(9) {
			var m sdk.AccountMeta
			switch x := r.IntN(10); {
			case x < 3:
				m.Pubkey = c.signers[r.IntN(len(c.signers))].Pubkey()
				m.IsSigner = r.IntN(4) != 0
			case x == 3:
				m.Pubkey = programs[r.IntN(len(programs))]
			default:
				m.Pubkey = others[r.IntN(len(others))]
			}
			m.IsWritable = r.IntN(2) == 0
			ix.Accounts = append(ix.Accounts, m)
		}
		n := r.IntN(100)
		if r.IntN(5) == 0 {
			n = r.IntN(900)
		}
		ix.Data = randomBytes(r, n)
	}
	// Every non-payer signer signs at least once, in a random instruction.
	for _, s := range c.signers[1:] {
		ix := &c.ixs[r.IntN(len(c.ixs))]
		ix.Accounts = append(ix.Accounts, sdk.AccountMeta{Pubkey: s.Pubkey(), IsSigner: true, IsWritable: r.IntN(2) == 0})
	}
	if v0 {
		// One or two tables, each a shuffled mix of used accounts, programs,
		// signers and unused keys; tables may overlap.
		pool := slices.Concat(others, programs, []sdk.Pubkey{c.signers[r.IntN(len(c.signers))].Pubkey()})
		for range 1 + r.IntN(2) {
			var addrs []sdk.Pubkey
			for _, k := range pool {
				if r.IntN(2) == 0 {
					addrs = append(addrs, k)
				}
			}
			for range r.IntN(4) {
				addrs = append(addrs, randomPubkey(r))
			}
			r.Shuffle(len(addrs), func(i, j int) { addrs[i], addrs[j] = addrs[j], addrs[i] })
			c.tables = append(c.tables, sdk.LookupTable{Key: randomPubkey(r), Addresses: addrs})
		}
	}
	return c
}

// buildSDK compiles and signs c with sdk.
func (c randomCase) buildSDK() (*sdk.Transaction, error) {
	if !c.v0 {
		return sdk.NewTransaction(c.ixs, c.blockhash, c.signers...)
	}
	m, err := sdk.NewMessageV0(c.signers[0].Pubkey(), c.ixs, c.blockhash, c.tables)
	if err != nil {
		return nil, err
	}
	tx := &sdk.Transaction{Message: m}
	return tx, tx.Sign(c.signers...)
}

// buildSolanaGo compiles and signs c with solana-go. solana-go merges only the
// writable flag of repeated accounts and relies on its sort to put a signing
// use first, so a key it meets both signed read-only and unsigned writable can
// land among the read-only signers while counted writable; the case is
// therefore handed to it with every use of a signer key marked as signing,
// which asks for the same privileges.
func (c randomCase) buildSolanaGo() (*solana.Transaction, error) {
	signer := map[sdk.Pubkey]bool{}
	for _, s := range c.signers {
		signer[s.Pubkey()] = true
	}
	ixs := make([]sdk.Instruction, len(c.ixs))
	for i, ix := range c.ixs {
		ixs[i] = sdk.Instruction{ProgramID: ix.ProgramID, Data: ix.Data, Accounts: slices.Clone(ix.Accounts)}
		for j := range ixs[i].Accounts {
			if signer[ixs[i].Accounts[j].Pubkey] {
				ixs[i].Accounts[j].IsSigner = true
			}
		}
	}
	opts := []solana.TransactionOption{solana.TransactionPayer(sgKey(c.signers[0].Pubkey()))}
	if c.v0 {
		opts = append(opts, solana.TransactionAddressTables(toSolanaTables(c.tables)))
	}
	tx, err := solana.NewTransaction(toSolanaInstructions(ixs), solana.Hash(c.blockhash), opts...)
	if err != nil {
		return nil, err
	}
	_, err = tx.Sign(signerGetter(c.signers...))
	return tx, err
}

// TestRandomCrossParse builds random transactions on both sides and checks
// that the other side parses each to the same fields, verifies its signatures
// and re-encodes it to the same bytes; transactions over 1,232 bytes must be
// refused by sdk with ErrTooLarge.
func TestRandomCrossParse(t *testing.T) {
	const iterations = 200
	r := rand.New(rand.NewPCG(20240611, 7))
	var stats struct {
		sdkOK, sgOK, sdkTooLarge, sgTooLarge, sdkLookups, sgLookups int
	}
	for i := range iterations {
		c := genCase(t, r, i%2 == 1)
		t.Run(fmt.Sprintf("%03d %s", i, c), func(t *testing.T) {
			t.Run("sdk built, solana-go parses", func(t *testing.T) {
				sd, err := c.buildSDK()
				if err != nil {
					t.Fatalf("sdk build: %v", err)
				}
				wire, err := sd.MarshalBinary()
				if err != nil {
					t.Fatal(err)
				}
				if len(wire) > sdk.MaxTransactionSize {
					stats.sdkTooLarge++
					if _, err := sdk.ParseTransaction(wire); !errors.Is(err, sdk.ErrTooLarge) {
						t.Fatalf("sdk parsed %d bytes with error %v, want ErrTooLarge", len(wire), err)
					}
					return
				}
				stats.sdkOK++
				if len(sd.Message.AddressTableLookups) > 0 {
					stats.sdkLookups++
				}
				sg, err := solana.TransactionFromBytes(wire)
				if err != nil {
					t.Fatalf("solana-go decode: %v", err)
				}
				compareTx(t, sg, sd)
				if err := sg.VerifySignatures(); err != nil {
					t.Errorf("solana-go VerifySignatures: %v", err)
				}
				if again, err := sg.MarshalBinary(); err != nil || !bytes.Equal(again, wire) {
					t.Errorf("solana-go re-encoding differs (err %v)", err)
				}
				if c.v0 {
					if err := sg.Message.SetAddressTables(toSolanaTables(c.tables)); err != nil {
						t.Fatal(err)
					}
				}
				all := comparePrivileges(t, &sg.Message, &sd.Message, c.tables)
				checkIntent(t, &sd.Message, all, c.signers[0].Pubkey(), c.ixs)
				if c.v0 {
					checkLookupRule(t, &sd.Message, c.ixs, c.tables)
				}
				parsed, err := sdk.ParseTransaction(wire)
				if err != nil {
					t.Fatalf("sdk does not parse its own transaction: %v", err)
				}
				if err := parsed.VerifySignatures(); err != nil {
					t.Errorf("sdk VerifySignatures: %v", err)
				}
			})
			t.Run("solana-go built, sdk parses", func(t *testing.T) {
				sg, err := c.buildSolanaGo()
				if err != nil {
					t.Fatalf("solana-go build: %v", err)
				}
				wire, err := sg.MarshalBinary()
				if err != nil {
					t.Fatal(err)
				}
				if len(wire) > sdk.MaxTransactionSize {
					stats.sgTooLarge++
					if _, err := sdk.ParseTransaction(wire); !errors.Is(err, sdk.ErrTooLarge) {
						t.Fatalf("sdk parsed %d bytes with error %v, want ErrTooLarge", len(wire), err)
					}
					return
				}
				stats.sgOK++
				if len(sg.Message.AddressTableLookups) > 0 {
					stats.sgLookups++
				}
				sd, err := sdk.ParseTransaction(wire)
				if err != nil {
					t.Fatalf("sdk.ParseTransaction: %v", err)
				}
				compareTx(t, sg, sd)
				if err := sd.VerifySignatures(); err != nil {
					t.Errorf("sdk VerifySignatures: %v", err)
				}
				fresh, again := reencodeSDK(t, sd)
				if !bytes.Equal(again, wire) {
					t.Errorf("sdk re-encoding differs:\n got %x\nwant %x", again, wire)
				}
				if err := fresh.VerifySignatures(); err != nil {
					t.Errorf("sdk VerifySignatures on re-encoded tx: %v", err)
				}
				all := comparePrivileges(t, &sg.Message, &sd.Message, c.tables)
				checkIntent(t, &sd.Message, all, c.signers[0].Pubkey(), c.ixs)
				if c.v0 {
					checkLookupRule(t, &sd.Message, c.ixs, c.tables)
				}
			})
		})
	}
	t.Logf("sdk-built: %d cross-parsed (%d with lookups), %d over size; solana-go-built: %d cross-parsed (%d with lookups), %d over size",
		stats.sdkOK, stats.sdkLookups, stats.sdkTooLarge, stats.sgOK, stats.sgLookups, stats.sgTooLarge)
	// Guard the generator: most cases must fit, some must not, and lookups
	// must actually be exercised.
	if stats.sdkOK < iterations/2 || stats.sgOK < iterations/2 {
		t.Errorf("too few cases fit in a packet: sdk %d, solana-go %d", stats.sdkOK, stats.sgOK)
	}
	if stats.sdkTooLarge == 0 || stats.sgTooLarge == 0 {
		t.Errorf("no oversized case exercised ErrTooLarge (sdk %d, solana-go %d)", stats.sdkTooLarge, stats.sgTooLarge)
	}
	if stats.sdkLookups < iterations/8 || stats.sgLookups < iterations/8 {
		t.Errorf("too few cases used lookups: sdk %d, solana-go %d", stats.sdkLookups, stats.sgLookups)
	}
}
