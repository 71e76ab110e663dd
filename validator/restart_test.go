package main

import (
	"bufio"
	"context"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

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

func startDev(t *testing.T, dir string) *devProcess {
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
	for len(p.info) < 5 && sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ": "); ok {
			p.info[k] = v
		}
	}
	go func() {
		for sc.Scan() {
		}
	}()
	if p.info["tpu"] == "" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("dev did not start:\n%s", p.stderr.String())
	}
	return p
}

// TestKillNineThenRestartLosesNothing sends transfers continuously to a dev
// validator, kills it with SIGKILL at seeded random moments, restarts it on
// the same ledger each time, and then checks the ledger: every transaction
// that has a status kept it (same slot, same result), none executed twice
// (re-sending all of them after the restarts lands none again), the
// restarted node replayed and produced new blocks after each kill, and the
// recipients' balances equal the sum of what landed. GNOMON_KILL_POINTS
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
		for i := 0; time.Now().Before(deadline); i++ {
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
		if round == kills {
			// After the restarts: every transaction ever sent goes again.
			for _, s := range all {
				client.Send(ctx, s.raw)
			}
			time.Sleep(800 * time.Millisecond)
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
	t.Logf("%d kills, %d sent, %d landed", kills, len(all), landed)
}
