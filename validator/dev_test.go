package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gnomon-chain/gnomon/ledger"
	"github.com/gnomon-chain/gnomon/runtime/programs/system"
	"github.com/gnomon-chain/gnomon/sdk"
	"github.com/gnomon-chain/gnomon/tpu"
)

// TestDevValidatorLandsTransfersSentOverQUIC starts the real binary as
// `validator dev`, sends signed transfers to its TPU over QUIC the way a
// client does, mixed with garbage streams and badly signed transactions,
// stops it with SIGINT, and reads the ledger it left: every good transfer
// has a successful status with the right balances, no bad one landed, and
// the node exited cleanly.
func TestDevValidatorLandsTransfersSentOverQUIC(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(binary, "dev", "--ledger", dir, "--tpu-port", "0", "--metrics-port", "0", "--rpc-port", "0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	info := map[string]string{}
	sc := bufio.NewScanner(stdout)
	for info["metrics"] == "" && sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ": ")
		if ok {
			info[k] = v
		}
	}
	go func() {
		for sc.Scan() {
		}
	}()
	if info["tpu"] == "" || info["genesis hash"] == "" {
		t.Fatalf("startup output %v\n%s", info, stderr.String())
	}
	blockhash, err := sdk.ParseHash(info["genesis hash"])
	if err != nil {
		t.Fatal(err)
	}
	faucet, err := sdk.ReadKeypairFile(filepath.Join(dir, devFaucetFile))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client, err := tpu.Dial(ctx, info["tpu"], faucet)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()

	// A second client floods the TPU with garbage while the good transfers
	// go in; it must be refused and counted without holding them up.
	flooder, err := sdk.NewKeypair()
	if err != nil {
		t.Fatal(err)
	}
	flood, err := tpu.Dial(ctx, info["tpu"], flooder)
	if err != nil {
		t.Fatal(err)
	}
	defer flood.Close()
	flooded := make(chan int, 1)
	junkLen := func(i int) int { return 1 + (i*37)%(sdk.MaxTransactionSize+100) }
	floodOversized := 0
	for i := 0; i < 300; i++ {
		if junkLen(i) > sdk.MaxTransactionSize {
			floodOversized++
		}
	}
	if floodOversized == 0 {
		t.Fatal("the flood must include oversized streams")
	}
	go func() {
		sent := 0
		for i := 0; i < 300; i++ {
			junk := make([]byte, junkLen(i))
			junk[0] = byte(i)
			if flood.Send(ctx, junk) == nil {
				sent++
			}
		}
		flooded <- sent
	}()

	const n = 40
	type sent struct {
		sig       sdk.Signature
		recipient sdk.Pubkey
		amount    uint64
	}
	var good []sent
	for i := 0; i < n; i++ {
		recipient := sdk.Pubkey{0x70, byte(i)}
		amount := uint64(1_000_000_000 + i)
		tx, err := sdk.NewTransaction([]sdk.Instruction{{ProgramID: system.ID, Data: system.TransferData(amount),
			Accounts: []sdk.AccountMeta{{Pubkey: faucet.Pubkey(), IsSigner: true, IsWritable: true}, {Pubkey: recipient, IsWritable: true}}}},
			blockhash, faucet)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := tx.MarshalBinary()
		if err := client.Send(ctx, raw); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
		good = append(good, sent{tx.Signatures[0], recipient, amount})
		// Between good ones: garbage, an oversized stream, and a transfer
		// whose signature is corrupted.
		switch i % 4 {
		case 0:
			client.Send(ctx, []byte("not a transaction"))
		case 1:
			client.Send(ctx, make([]byte, sdk.MaxTransactionSize+1))
		case 2:
			bad := append([]byte(nil), raw...)
			bad[10] ^= 0xff
			client.Send(ctx, bad)
		}
	}
	if sent := <-flooded; sent != 300 {
		t.Fatalf("flood sent %d of 300", sent)
	}
	// Let the node run until its votes have rooted a slot (32 votes after
	// the first); its metrics count what it did.
	var body []byte
	for deadline := time.Now().Add(20 * time.Second); ; {
		resp, err := http.Get(info["metrics"])
		if err != nil {
			t.Fatal(err)
		}
		body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(body), "gnomon_root_slot 0\n") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no root after 20 s:\n%s", lastLines(stderr.String(), 3))
		}
		time.Sleep(200 * time.Millisecond)
	}
	for _, want := range []string{
		// The transfers, and one vote per slot (counted too, so at least 40).
		`gnomon_transactions_total{result="committed"} `,
		`gnomon_sigverify_failed_total 10`,
		`gnomon_sigverify_key_cache_total{result="hit"} `,
		`gnomon_sigverify_batches_total `,
		// 10 oversized and 10 garbage from the first client, and the flood's.
		fmt.Sprintf(`gnomon_tpu_dropped_total{reason="oversized"} %d`, 10+floodOversized),
		fmt.Sprintf(`gnomon_tpu_dropped_total{reason="malformed"} %d`, 10+300-floodOversized),
		`gnomon_root_slot `,
		// RPC serves (no client here asked anything) and says so.
		`gnomon_rpc_requests_total 0`,
		`gnomon_rpc_send_transaction_total{outcome="forwarded"} 0`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	// The same port serves Go's profiles, for an operator to profile the node.
	pprofURL := strings.TrimSuffix(info["metrics"], "/metrics") + "/debug/pprof/cmdline"
	if resp, err := http.Get(pprofURL); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("GET %s: %v %v", pprofURL, resp, err)
	} else {
		resp.Body.Close()
	}
	// Stop it the way an operator does.
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("validator exited with %v\n%s", err, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("validator did not stop\n%s", stderr.String())
	}
	if !strings.Contains(stderr.String(), "sigverify_failed=10") {
		t.Errorf("expected 10 signature failures counted:\n%s", lastLines(stderr.String(), 3))
	}

	l, err := ledger.Open(filepath.Join(dir, devStoreDir), ledger.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { l.Close() }()
	for i, s := range good {
		st, err := l.GetStatus(s.sig)
		if err != nil {
			t.Fatalf("transfer %d did not land: %v\n%s", i, err, lastLines(stderr.String(), 5))
		}
		if st.Err != nil {
			t.Fatalf("transfer %d failed: %s", i, st.Err)
		}
		// Accounts: fee payer 0, recipient 1.
		if len(st.PostBalances) < 2 || st.PostBalances[1] != s.amount || st.Fee != 5000 {
			t.Fatalf("transfer %d: post balances %v fee %d", i, st.PostBalances, st.Fee)
		}
		if m, err := l.SlotMeta(st.Slot); err != nil || !m.IsFull() {
			t.Fatalf("transfer %d's slot %d is not a full block: %v", i, st.Slot, err)
		}
	}
	if root, err := l.LastRoot(); err != nil || root == 0 {
		t.Fatalf("no root: %d %v", root, err)
	}
	l.Close()

}

// TestDevRefusesAPortInUse: a TPU port someone else holds is one clear line
// and exit 1.
func TestDevRefusesAPortInUse(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	port := pc.LocalAddr().(*net.UDPAddr).Port
	r := validator(t, t.TempDir(), "dev", "--ledger", t.TempDir(), "--tpu-port", strconv.Itoa(port), "--rpc-port", "0")
	if r.code != 1 || !strings.Contains(r.stderr, "address already in use") {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
