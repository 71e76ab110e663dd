package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestJSClients runs the Solana JS clients RPC-SURFACE.md was written from,
// unmodified and at the versions it names (e2e/js/package.json, locked),
// against the dev validator: web3.js with spl-token (airdrop, transfers
// confirmed the web3.js way, history, simulation, subscriptions, a whole
// token flow, section 8 methods) and kit (airdropFactory, v0 transfers
// through sendAndConfirmTransactionFactory at confirmed and finalized, slot
// notifications). Each script exits non-zero on the first step that fails.
// It needs Node.js 20 and npm (.ci/run installs them); `npm ci` fetches
// the locked packages from the npm registry on first use.
func TestJSClients(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("Node.js is required for the JS client tests (Debian: apt-get install nodejs npm)")
	}
	dir, _ := filepath.Abs("js")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@solana", "kit")); err != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("npm ci: %v\n%s", err, out)
		}
	}
	n := rpcNode(t)
	for _, script := range []struct{ file, done string }{
		{"web3.mjs", "web3.js: all steps passed"},
		{"kit.mjs", "kit: all steps passed"},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		cmd := exec.CommandContext(ctx, node, script.file, n.rpcURL, n.wsURL)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		cancel()
		if err != nil || !strings.Contains(string(out), script.done) {
			t.Fatalf("%s: %v\n%s", script.file, err, out)
		}
		t.Logf("%s:\n%s", script.file, out)
	}
}
