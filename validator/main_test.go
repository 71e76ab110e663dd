package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gnomon-chain/gnomon/genesis"
	"github.com/gnomon-chain/gnomon/sdk"
)

// binary is the validator built once for every test in this file.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "validator-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "validator")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build validator: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	code           int
	stdout, stderr string
}

// validator runs the binary with args in dir.
func validator(t *testing.T, dir string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	code := 0
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatalf("run validator %v: %v", args, err)
	}
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// newKey runs keygen new and returns the printed pubkey.
func newKey(t *testing.T, dir, name string) string {
	t.Helper()
	r := validator(t, dir, "keygen", "new", "-o", name)
	if r.code != 0 {
		t.Fatalf("keygen new %s: exit %d: %s", name, r.code, r.stderr)
	}
	return strings.TrimSpace(r.stdout)
}

func TestKeygenNewWritesAPrivateFileThatPubkeyReads(t *testing.T) {
	dir := t.TempDir()
	printed := newKey(t, dir, "id.json")
	fi, err := os.Stat(filepath.Join(dir, "id.json"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("keypair file %v, %v; want mode 0600", fi, err)
	}
	kp, err := sdk.ReadKeypairFile(filepath.Join(dir, "id.json"))
	if err != nil || kp.Pubkey().String() != printed {
		t.Fatalf("file holds %v (%v), keygen printed %s", kp.Pubkey(), err, printed)
	}
	r := validator(t, dir, "keygen", "pubkey", "id.json")
	if r.code != 0 || strings.TrimSpace(r.stdout) != printed {
		t.Fatalf("keygen pubkey: exit %d, %q, want %s", r.code, r.stdout, printed)
	}
}

func TestKeygenRefusesToOverwriteWithoutForce(t *testing.T) {
	dir := t.TempDir()
	first := newKey(t, dir, "id.json")
	before, _ := os.ReadFile(filepath.Join(dir, "id.json"))
	r := validator(t, dir, "keygen", "new", "-o", "id.json")
	after, _ := os.ReadFile(filepath.Join(dir, "id.json"))
	if r.code != 1 || !strings.Contains(r.stderr, "already exists") || !bytes.Equal(before, after) {
		t.Fatalf("overwrite: exit %d, stderr %q, file changed %v", r.code, r.stderr, !bytes.Equal(before, after))
	}
	r = validator(t, dir, "keygen", "new", "-o", "id.json", "--force")
	if r.code != 0 || strings.TrimSpace(r.stdout) == first {
		t.Fatalf("--force: exit %d, %q", r.code, r.stderr)
	}
	if p := validator(t, dir, "keygen", "pubkey", "id.json"); strings.TrimSpace(p.stdout) != strings.TrimSpace(r.stdout) {
		t.Fatal("--force did not replace the key")
	}
}

// genesisArgs is a two-validator genesis with a faucet and an extra account.
func genesisArgs(t *testing.T, dir, out string) []string {
	t.Helper()
	for _, n := range []string{"id1", "vote1", "id2", "vote2", "faucet"} {
		if _, err := os.Stat(filepath.Join(dir, n+".json")); err != nil {
			newKey(t, dir, n+".json")
		}
	}
	return []string{"genesis", "--identity", "id1.json", "--vote-account", "vote1.json", "--faucet", "faucet.json",
		"--validator", "id2.json:vote2.json:5000000000", "--account", "11111111111111111111111111111112:7",
		"--creation-time", "1750000000", "--slots-per-epoch", "64", "-o", out}
}

func TestGenesisPrintsTheHashOfWhatItWrote(t *testing.T) {
	dir := t.TempDir()
	args := genesisArgs(t, dir, "genesis.bin")
	r := validator(t, dir, args...)
	if r.code != 0 {
		t.Fatalf("genesis: exit %d: %s", r.code, r.stderr)
	}
	g, err := genesis.ReadFile(filepath.Join(dir, "genesis.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(r.stdout) != g.Hash().String() {
		t.Fatalf("printed %q, file hashes to %s", r.stdout, g.Hash())
	}
	if len(g.Validators) != 2 || len(g.Accounts) != 2 || g.SlotsPerEpoch != 64 || g.CreationTime != 1_750_000_000 {
		t.Fatalf("genesis %+v", g)
	}
	fi, _ := os.Stat(filepath.Join(dir, "genesis.bin"))
	if fi.Mode().Perm() != 0o644 {
		t.Fatalf("genesis mode %v", fi.Mode())
	}

	// The same command again gives the same bytes.
	args[len(args)-1] = "again.bin"
	if r2 := validator(t, dir, args...); r2.code != 0 || r2.stdout != r.stdout {
		t.Fatalf("second run: exit %d, %q vs %q", r2.code, r2.stdout, r.stdout)
	}
	a, _ := os.ReadFile(filepath.Join(dir, "genesis.bin"))
	b, _ := os.ReadFile(filepath.Join(dir, "again.bin"))
	if !bytes.Equal(a, b) {
		t.Fatal("the same command wrote different bytes")
	}

	// An existing output is refused and left alone.
	args[len(args)-1] = "genesis.bin"
	if r3 := validator(t, dir, args...); r3.code != 1 || !strings.Contains(r3.stderr, "already exists") {
		t.Fatalf("overwrite: exit %d, %q", r3.code, r3.stderr)
	}
	if c, _ := os.ReadFile(filepath.Join(dir, "genesis.bin")); !bytes.Equal(a, c) {
		t.Fatal("refused overwrite changed the file")
	}
}

func TestGenesisErrorsAreOneLineAndWriteNothing(t *testing.T) {
	dir := t.TempDir()
	args := genesisArgs(t, dir, "genesis.bin")
	if err := os.WriteFile(filepath.Join(dir, "garbage.json"), []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		flag, value, want string
	}{
		"missing identity":    {"--identity", "missing.json", "no such file"},
		"unreadable keypair":  {"--identity", "garbage.json", "keypair"},
		"reserved account":    {"--account", "SysvarC1ock11111111111111111111111111111111:1", "sysvar"},
		"duplicate validator": {"--vote-account", "id2.json", "is also"},
	}
	for name, c := range cases {
		a := append([]string(nil), args...)
		for i := range a {
			if a[i] == c.flag {
				a[i+1] = c.value
			}
		}
		r := validator(t, dir, a...)
		if r.code != 1 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%s: exit %d, stderr %q", name, r.code, r.stderr)
		}
		if _, err := os.Stat(filepath.Join(dir, "genesis.bin")); err == nil {
			t.Fatalf("%s: wrote genesis.bin", name)
		}
	}
	if entries, _ := filepath.Glob(filepath.Join(dir, ".genesis*")); len(entries) != 0 {
		t.Fatalf("left temporary files %v", entries)
	}
}

func TestMissingKeypairIsOneLineExitOne(t *testing.T) {
	r := validator(t, t.TempDir(), "keygen", "pubkey", "nope.json")
	if r.code != 1 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "nope.json") {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestNoCommandPrintsUsage(t *testing.T) {
	r := validator(t, t.TempDir())
	if r.code != 2 || !strings.Contains(r.stderr, "dev") || !strings.Contains(r.stderr, "run") {
		t.Errorf("no command: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestBadFlagIsAUsageError(t *testing.T) {
	r := validator(t, t.TempDir(), "genesis", "--no-such-flag")
	if r.code != 2 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
}
