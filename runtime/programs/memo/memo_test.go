package memo

import (
	"errors"
	"slices"
	"testing"

	"github.com/gnomon-chain/gnomon/runtime/invoke"
	"github.com/gnomon-chain/gnomon/sdk"
)

func run(t *testing.T, program sdk.Pubkey, data []byte, signers ...bool) (*invoke.Transaction, error) {
	t.Helper()
	var tas []invoke.TxAccount
	var idx []uint8
	for i, s := range signers {
		tas = append(tas, invoke.TxAccount{Key: sdk.Pubkey{byte(i + 1)}, Signer: s})
		idx = append(idx, uint8(i))
	}
	tas = append(tas, invoke.TxAccount{Key: program, Account: sdk.Account{Executable: true, Owner: sdk.NativeLoaderID}})
	env := &invoke.Env{Programs: invoke.Programs{ID: Builtin, IDV1: BuiltinV1}}
	tx := invoke.NewTransaction(env, tas, 200_000)
	if err := tx.ExecuteInstruction(0, &sdk.CompiledInstruction{ProgramIDIndex: uint8(len(signers)), Accounts: idx, Data: data}); err != nil {
		return tx, err
	}
	return tx, nil
}

func TestMemoLogsLikeTheOnChainProgram(t *testing.T) {
	tx, err := run(t, ID, []byte("gm \"world\"\n"), true)
	if err != nil {
		t.Fatal(err)
	}
	signer := sdk.Pubkey{1}.String()
	want := []string{
		"Program " + ID.String() + " invoke [1]",
		"Program log: Signed by " + signer,
		`Program log: Memo (len 11): "gm \"world\"\n"`,
		"Program " + ID.String() + " consumed 610 of 200000 compute units",
		"Program " + ID.String() + " success",
	}
	if !slices.Equal(tx.Logs, want) {
		t.Fatalf("logs\n%q\nwant\n%q", tx.Logs, want)
	}
}

func TestMemoRejections(t *testing.T) {
	if _, err := run(t, ID, []byte("hi"), true, false); !errors.Is(err, invoke.Err(invoke.MissingRequiredSignature)) {
		t.Fatalf("unsigned account: %v", err)
	}
	tx, err := run(t, ID, []byte("ok\xffno"))
	if !errors.Is(err, invoke.Err(invoke.InvalidInstructionData)) {
		t.Fatalf("bad UTF-8: %v", err)
	}
	if !slices.Contains(tx.Logs, "Program log: Invalid UTF-8, from byte 2") {
		t.Fatalf("logs %q", tx.Logs)
	}
	// v1 does not require signers.
	if _, err := run(t, IDV1, []byte("hi"), false); err != nil {
		t.Fatalf("v1: %v", err)
	}
}

func TestRustDebugString(t *testing.T) {
	for in, want := range map[string]string{
		"plain":       `"plain"`,
		"tab\there":   `"tab\there"`,
		"nul\x00":     `"nul\0"`,
		"bell\x07":    `"bell\u{7}"`,
		"it's":        `"it's"`,
		"back\\slash": `"back\\slash"`,
		"日本":          `"日本"`,
	} {
		if got := RustDebugString(in); got != want {
			t.Errorf("%q: got %s want %s", in, got, want)
		}
	}
}

// FuzzMemo: any data and signer pattern gives success or one of the two
// errors, never a panic, and success only for UTF-8 data.
func FuzzMemo(f *testing.F) {
	f.Add([]byte("hello"), uint8(1))
	f.Add([]byte{0xff, 0xfe}, uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, signers uint8) {
		flags := []bool{signers&1 != 0, signers&2 != 0}
		_, err := run(t, ID, data, flags...)
		switch {
		case err == nil:
			if !flags[0] || !flags[1] {
				t.Fatal("accepted an unsigned account")
			}
		case errors.Is(err, invoke.Err(invoke.MissingRequiredSignature)), errors.Is(err, invoke.Err(invoke.InvalidInstructionData)):
		default:
			t.Fatalf("unexpected %v", err)
		}
	})
}
