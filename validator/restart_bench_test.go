package main

import (
	byteorder "encoding/binary"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gnomon-chain/gnomon/genesis"
	"github.com/gnomon-chain/gnomon/sdk"
)

// BenchmarkRestartAfterKill measures what an operator waits for after a
// crash: a dev validator whose ledger holds GNOMON_RESTART_ACCOUNTS
// accounts (default 1,000,000, all in genesis and so in the rooted state it
// reloads) is killed with SIGKILL once it has rooted a slot, then started
// again; reported are the milliseconds from the kill to RPC answering
// getHealth and to the first new slot. Run with -benchtime 1x; each
// iteration kills and restarts once.
func BenchmarkRestartAfterKill(b *testing.B) {
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("GNOMON_RESTART_ACCOUNTS")); err == nil && v > 0 {
		n = v
	}
	dir := b.TempDir()
	keys := map[string]sdk.Keypair{}
	for _, name := range []string{devIdentityFile, devVoteFile, devFaucetFile} {
		kp, err := sdk.NewKeypair()
		if err != nil {
			b.Fatal(err)
		}
		if err := sdk.WriteKeypairFile(filepath.Join(dir, name), kp); err != nil {
			b.Fatal(err)
		}
		keys[name] = kp
	}
	g := genesis.DevGenesis(keys[devIdentityFile].Pubkey(), keys[devVoteFile].Pubkey(), keys[devFaucetFile].Pubkey(), time.Now())
	for i := 0; i < n; i++ {
		var k sdk.Pubkey
		k[0] = 0xac
		byteorder.LittleEndian.PutUint64(k[1:], uint64(i))
		g.Accounts[k] = genesis.Account{Lamports: 1_000_000_000, Owner: sdk.SystemProgramID}
	}
	if err := g.WriteFile(filepath.Join(dir, devGenesisFile)); err != nil {
		b.Fatal(err)
	}
	began := time.Now()
	p := startDev(b, dir)
	b.Logf("first start with %d accounts: %d ms to RPC", n, time.Since(began).Milliseconds())
	var sumRPC, sumSlot time.Duration
	runs := 0
	for b.Loop() {
		// Kill once the node has rooted past genesis, so the restart
		// reloads a persisted root and replays the slots above it.
		for deadline := time.Now().Add(60 * time.Second); !rootedPastGenesis(p.stderr.String()); {
			if time.Now().After(deadline) {
				b.Fatalf("no root past genesis in 60 s:\n%s", lastLines(p.stderr.String(), 5))
			}
			time.Sleep(50 * time.Millisecond)
		}
		p.cmd.Process.Kill()
		killed := time.Now()
		p.cmd.Wait()
		p = startDev(b, dir)
		var health string
		for rpcCall(p.info["rpc"], "getHealth", &health) != nil || health != "ok" {
			if time.Since(killed) > time.Minute {
				b.Fatal("RPC did not come back in a minute")
			}
			time.Sleep(5 * time.Millisecond)
		}
		toRPC := time.Since(killed)
		for !strings.Contains(p.stderr.String(), "msg=slot ") {
			if time.Since(killed) > time.Minute {
				b.Fatal("no slot in a minute after the restart")
			}
			time.Sleep(5 * time.Millisecond)
		}
		toSlot := time.Since(killed)
		sumRPC, sumSlot, runs = sumRPC+toRPC, sumSlot+toSlot, runs+1
		b.Logf("restart %d: %d ms to RPC, %d ms to a slot: %s", runs, toRPC.Milliseconds(), toSlot.Milliseconds(), restartLine(p.stderr.String()))
	}
	b.ReportMetric(float64(sumRPC.Milliseconds())/float64(runs), "ms_to_rpc")
	b.ReportMetric(float64(sumSlot.Milliseconds())/float64(runs), "ms_to_slot")
	p.cmd.Process.Kill()
	p.cmd.Wait()
}

func rootedPastGenesis(log string) bool {
	i := strings.LastIndex(log, "finalized=")
	if i < 0 {
		return false
	}
	rest := log[i+len("finalized="):]
	if j := strings.IndexByte(rest, ' '); j >= 0 {
		rest = rest[:j]
	}
	v, err := strconv.Atoi(rest)
	return err == nil && v > 0
}

// restartLine gathers the start-up steps the node logged with their times.
func restartLine(log string) string {
	var steps []string
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, "msg=slot ") {
			break
		}
		if i := strings.Index(l, "msg="); i >= 0 && strings.Contains(l, " ms=") {
			steps = append(steps, l[i:])
		}
	}
	return strings.Join(steps, "; ")
}
