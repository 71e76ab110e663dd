package main

import (
	"bufio"
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// freeUDPPort returns a port nothing listens on now.
func freeUDPPort(t *testing.T) int {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	return pc.LocalAddr().(*net.UDPAddr).Port
}

// TestRunStartsFromAGenesisFileAndRefusesMistakes: `validator run` with an
// operator's keypairs and genesis file starts, serves its TPU and stops
// cleanly; then each mistake an operator can make is one line and exit 1.
func TestRunStartsFromAGenesisFileAndRefusesMistakes(t *testing.T) {
	dir := t.TempDir()
	newKey(t, dir, "id.json")
	newKey(t, dir, "vote.json")
	newKey(t, dir, "other.json")
	mk := func(out, creation string) string {
		r := validator(t, dir, "genesis", "--identity", "id.json", "--vote-account", "vote.json", "--creation-time", creation, "-o", out)
		if r.code != 0 {
			t.Fatalf("genesis: %s", r.stderr)
		}
		return strings.TrimSpace(r.stdout)
	}
	hash := mk("genesis.bin", "1700000000")
	mk("other-genesis.bin", "1700000001")
	port := freeUDPPort(t)
	ledgerDir := filepath.Join(dir, "ledger")

	cmd := exec.Command(binary, "run", "--identity", "id.json", "--vote-account", "vote.json", "--ledger", ledgerDir,
		"--genesis", "genesis.bin", "--expected-genesis-hash", hash, "--dynamic-port-range", strconv.Itoa(port)+"-"+strconv.Itoa(port+5), "--rpc-port", "0")
	cmd.Dir = dir
	stdout, _ := cmd.StdoutPipe()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	sc := bufio.NewScanner(stdout)
	var tpuLine string
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "tpu: ") {
			tpuLine = sc.Text()
			break
		}
	}
	if !strings.HasPrefix(tpuLine, "tpu: 127.0.0.1:") {
		t.Fatalf("no tpu line: %q\n%s", tpuLine, stderr.String())
	}
	time.Sleep(500 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("run exited with %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "msg=slot") {
		t.Fatalf("no slot was produced:\n%s", stderr.String())
	}

	cases := []struct {
		name string
		args []string
		want string
		code int
	}{
		{"ledger from another genesis", []string{"--identity", "id.json", "--ledger", ledgerDir, "--genesis", "other-genesis.bin"}, "belongs to genesis", 1},
		{"wrong expected hash", []string{"--identity", "id.json", "--ledger", filepath.Join(dir, "l2"), "--genesis", "genesis.bin",
			"--expected-genesis-hash", "11111111111111111111111111111111"}, "expected", 1},
		{"identity not the genesis validator", []string{"--identity", "other.json", "--ledger", filepath.Join(dir, "l3"), "--genesis", "genesis.bin"}, "not its only one", 1},
		{"missing identity file", []string{"--identity", "missing.json", "--ledger", filepath.Join(dir, "l4"), "--genesis", "genesis.bin"}, "missing.json", 1},
		{"new ledger without a genesis", []string{"--identity", "id.json", "--ledger", filepath.Join(dir, "l5")}, "pass --genesis", 1},
		{"corrupt genesis file", []string{"--identity", "id.json", "--ledger", filepath.Join(dir, "l6"), "--genesis", "id.json"}, "genesis", 1},
		{"no identity", []string{"--ledger", ledgerDir}, "--identity is required", 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := validator(t, dir, append([]string{"run"}, c.args...)...)
			if r.code != c.code || !strings.Contains(r.stderr, c.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
				t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
			}
		})
	}
}
