package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gnomon-chain/gnomon/genesis"
	"github.com/gnomon-chain/gnomon/ledger"
	"github.com/gnomon-chain/gnomon/runtime/programs/system"
	"github.com/gnomon-chain/gnomon/sdk"
	"github.com/gnomon-chain/gnomon/tpu"
)

// devProcess is a running `validator dev`.
type devProcess struct {
	cmd    *exec.Cmd
	info   map[string]string
	stderr *lockedLog
}

// lockedLog collects a child's stderr so the test can read it while the
// child still writes.
type lockedLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func startDev(t testing.TB, dir string) *devProcess {
	t.Helper()
	cmd := exec.Command(binary, "dev", "--ledger", dir, "--tpu-port", "0", "--rpc-port", "0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &devProcess{cmd: cmd, info: map[string]string{}, stderr: &lockedLog{}}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	for p.info["websocket"] == "" && sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ": "); ok {
			p.info[k] = v
		}
	}
	go func() {
		for sc.Scan() {
		}
	}()
	if p.info["tpu"] == "" || p.info["rpc"] == "" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("dev did not start:\n%s", p.stderr.String())
	}
	return p
}

// TestKillNineThenRestartLosesNothing sends transfers continuously to a dev
// validator, records every signature its RPC reports confirmed, kills it
// with SIGKILL at seeded random moments, restarts it on the same ledger each
// time, and then checks, through RPC as a client would: every signature
// reported confirmed before a kill is still there with the same slot and
// result, none executed twice (re-sending all of them after the restarts
// lands none again), every recipient holds exactly what landed for it and
// the faucet exactly its genesis balance less what landed and its fees, and
// the restarted node replayed and produced new blocks after each kill. The
// ledger is then read directly for the same facts. GNOMON_KILL_POINTS
// raises the number of kills.
func TestKillNineThenRestartLosesNothing(t *testing.T) {
	kills := 20
	if v, err := strconv.Atoi(os.Getenv("GNOMON_KILL_POINTS")); err == nil && v > 0 {
		kills = v
	}
	rng := rand.New(rand.NewPCG(2026, 11))
	dir := t.TempDir()
	faucetPath := filepath.Join(dir, devFaucetFile)
	type sent struct {
		raw       []byte
		sig       sdk.Signature
		recipient sdk.Pubkey
		amount    uint64
	}
	var all []sent
	var genesisHash sdk.Hash
	// confirmed is what RPC reported confirmed (or finalized) before a kill.
	type reported struct {
		slot uint64
		err  string
	}
	confirmed := map[sdk.Signature]reported{}
	poll := func(url string, from int) {
		for lo := from; lo < len(all); lo += 256 {
			var sigs []string
			for _, s := range all[lo:min(lo+256, len(all))] {
				sigs = append(sigs, s.sig.String())
			}
			var res struct {
				Value []*struct {
					Slot               uint64          `json:"slot"`
					Err                json.RawMessage `json:"err"`
					ConfirmationStatus string          `json:"confirmationStatus"`
				} `json:"value"`
			}
			if rpcCall(url, "getSignatureStatuses", &res, sigs) != nil {
				return // the node may be dying: what it reported so far stands
			}
			for i, st := range res.Value {
				if st != nil && st.ConfirmationStatus != "processed" {
					confirmed[all[lo+i].sig] = reported{st.Slot, string(st.Err)}
				}
			}
		}
	}
	for round := 0; round <= kills; round++ {
		p := startDev(t, dir)
		if round == 0 {
			genesisHash, _ = sdk.ParseHash(p.info["genesis hash"])
		}
		faucet, err := sdk.ReadKeypairFile(faucetPath)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		client, err := tpu.Dial(ctx, p.info["tpu"], faucet)
		if err != nil {
			t.Fatal(err)
		}
		// Send for a random while, then SIGKILL without warning (the last
		// round stops gracefully instead, to read the ledger).
		deadline := time.Now().Add(time.Duration(200+rng.IntN(600)) * time.Millisecond)
		roundStart := len(all)
		nextPoll := time.Now().Add(100 * time.Millisecond)
		for i := 0; time.Now().Before(deadline); i++ {
			if time.Now().After(nextPoll) {
				poll(p.info["rpc"], roundStart)
				nextPoll = time.Now().Add(100 * time.Millisecond)
			}
			recipient := sdk.Pubkey{0x71, byte(round), byte(i >> 8), byte(i)}
			amount := uint64(1_000_000_000 + len(all))
			tx, err := sdk.NewTransaction([]sdk.Instruction{{ProgramID: system.ID, Data: system.TransferData(amount),
				Accounts: []sdk.AccountMeta{{Pubkey: faucet.Pubkey(), IsSigner: true, IsWritable: true}, {Pubkey: recipient, IsWritable: true}}}},
				genesisHash, faucet)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := tx.MarshalBinary()
			if client.Send(ctx, raw) == nil {
				all = append(all, sent{raw, tx.Signatures[0], recipient, amount})
			}
			time.Sleep(5 * time.Millisecond)
		}
		// The kill point is random, but a kill before the restarted node's
		// first slot would prove nothing about producing after a restart;
		// on a loaded machine that first slot can come late.
		for slotBy := time.Now().Add(20 * time.Second); !strings.Contains(p.stderr.String(), "msg=slot "); {
			if time.Now().After(slotBy) {
				t.Fatalf("round %d produced no slot in 20 s:\n%s", round, lastLines(p.stderr.String(), 5))
			}
			time.Sleep(10 * time.Millisecond)
		}
		poll(p.info["rpc"], roundStart)
		if round == kills {
			// After the restarts: every transaction ever sent goes again.
			for _, s := range all {
				client.Send(ctx, s.raw)
			}
			time.Sleep(800 * time.Millisecond)
			checkThroughRPC(t, p.info["rpc"], faucet.Pubkey(), len(all), func(i int) (sdk.Signature, sdk.Pubkey, uint64) {
				return all[i].sig, all[i].recipient, all[i].amount
			}, func(sig sdk.Signature) (uint64, string, bool) {
				r, ok := confirmed[sig]
				return r.slot, r.err, ok
			})
			p.cmd.Process.Signal(syscall.SIGINT)
		} else {
			p.cmd.Process.Kill()
		}
		client.Close()
		cancel()
		p.cmd.Wait()
		if round > 0 && !strings.Contains(p.stderr.String(), "restarted from the ledger") {
			t.Fatalf("round %d did not restart from the ledger:\n%s", round, lastLines(p.stderr.String(), 5))
		}
		if strings.Contains(p.stderr.String(), "level=ERROR") || strings.Contains(p.stderr.String(), "bank hash") && strings.Contains(p.stderr.String(), "refusing") {
			t.Fatalf("round %d:\n%s", round, lastLines(p.stderr.String(), 5))
		}
	}

	l, err := ledger.Open(filepath.Join(dir, devStoreDir), ledger.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	landed := 0
	for i, s := range all {
		st, err := l.GetStatus(s.sig)
		if err != nil {
			continue // lost in flight before a kill: never reported
		}
		landed++
		if st.Err != nil || st.PostBalances[1] != s.amount {
			t.Fatalf("transfer %d: err %s, recipient balance %v, want %d (executed twice or wrong)", i, st.Err, st.PostBalances, s.amount)
		}
	}
	if landed == 0 {
		t.Fatal("nothing landed")
	}
	faucet, _ := sdk.ReadKeypairFile(faucetPath)
	// The faucet's whole history, page by page.
	seen := map[sdk.Signature]int{}
	var before *sdk.Signature
	for {
		page, err := l.SignaturesForAddress(faucet.Pubkey(), ledger.SignatureQuery{Limit: 1000, Before: before})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page {
			seen[e.Signature]++
		}
		if len(page) < 1000 {
			break
		}
		last := page[len(page)-1].Signature
		before = &last
	}
	if len(seen) != landed {
		t.Fatalf("history lists %d signatures, %d have a status", len(seen), landed)
	}
	for sig, n := range seen {
		if n > 1 {
			t.Fatalf("%s executed %d times", sig, n)
		}
	}
	t.Logf("%d kills, %d sent, %d landed, %d reported confirmed before a kill", kills, len(all), landed, len(confirmed))
}

// checkThroughRPC asks the node what a client would: the status of every
// transfer sent, at processed with history, and every balance.
// wasConfirmed says what RPC reported confirmed earlier.
func checkThroughRPC(t *testing.T, url string, faucet sdk.Pubkey, n int, transfer func(int) (sdk.Signature, sdk.Pubkey, uint64),
	wasConfirmed func(sdk.Signature) (uint64, string, bool)) {
	t.Helper()
	var spent uint64
	reportedConfirmed := 0
	for lo := 0; lo < n; lo += 100 {
		hi := min(lo+100, n)
		var sigs, recipients []string
		for i := lo; i < hi; i++ {
			sig, to, _ := transfer(i)
			sigs, recipients = append(sigs, sig.String()), append(recipients, to.String())
		}
		var st struct {
			Value []*struct {
				Slot uint64          `json:"slot"`
				Err  json.RawMessage `json:"err"`
			} `json:"value"`
		}
		if err := rpcCall(url, "getSignatureStatuses", &st, sigs, map[string]any{"searchTransactionHistory": true}); err != nil {
			t.Fatal(err)
		}
		var accts struct {
			Value []*struct {
				Lamports uint64 `json:"lamports"`
			} `json:"value"`
		}
		if err := rpcCall(url, "getMultipleAccounts", &accts, recipients, map[string]any{"commitment": "processed", "encoding": "base64"}); err != nil {
			t.Fatal(err)
		}
		for i := lo; i < hi; i++ {
			sig, _, amount := transfer(i)
			got, acct := st.Value[i-lo], accts.Value[i-lo]
			if slot, errJSON, ok := wasConfirmed(sig); ok {
				reportedConfirmed++
				if got == nil || got.Slot != slot || string(got.Err) != errJSON {
					t.Fatalf("transfer %d was reported confirmed in slot %d (err %s); after the restarts: %+v", i, slot, errJSON, got)
				}
			}
			var balance uint64
			if acct != nil {
				balance = acct.Lamports
			}
			switch {
			case got == nil && balance != 0:
				t.Fatalf("transfer %d has no status, but its recipient holds %d", i, balance)
			case got != nil && balance != amount:
				t.Fatalf("transfer %d landed, its recipient holds %d, want %d (executed twice or lost)", i, balance, amount)
			case got != nil:
				spent += amount + 5000
			}
		}
	}
	var bal struct{ Value uint64 }
	if err := rpcCall(url, "getBalance", &bal, faucet.String(), map[string]any{"commitment": "processed"}); err != nil {
		t.Fatal(err)
	}
	if want := genesis.DevFaucetLamports - spent; bal.Value != want {
		t.Fatalf("faucet holds %d, want %d: its genesis balance less what landed and the fees", bal.Value, want)
	}
	if reportedConfirmed == 0 {
		t.Fatal("RPC never reported a transfer confirmed before a kill")
	}
}

// rpcCall makes one JSON-RPC call and decodes its result into v.
func rpcCall(url, method string, v any, params ...any) error {
	body, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
	client := http.Client{Timeout: 5 * time.Second}
	resp, err := client.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var out struct {
		Result json.RawMessage `json:"result"`
		Error  *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	if out.Error != nil {
		return fmt.Errorf("%s: %d %s", method, out.Error.Code, out.Error.Message)
	}
	return json.Unmarshal(out.Result, v)
}
