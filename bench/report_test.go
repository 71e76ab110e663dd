package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The commit a results file names is dirty only for changes other than the
// figures make bench itself rewrites.
func TestGitCommitIgnoresTheFiguresARunRewrites(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	gitT := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@t"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v: %s", args, err, out)
		}
	}
	write := func(rel, text string) {
		t.Helper()
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gitT("init", "-q")
	for _, f := range []string{"bench/data/d/e2e-transfer.json", "bench/RESULTS.md", "bench/main.go"} {
		write(f, "before\n")
	}
	gitT("add", ".")
	gitT("commit", "-q", "-m", "start")
	// Run from a subdirectory, as the exclusions must hold from anywhere.
	t.Chdir(filepath.Join(dir, "bench"))

	clean := gitCommit()
	if clean == "unknown" || strings.HasSuffix(clean, "-dirty") {
		t.Fatalf("clean tree: commit %q", clean)
	}
	write("bench/data/d/e2e-transfer.json", "after\n")
	write("bench/RESULTS.md", "after\n")
	if got := gitCommit(); got != clean {
		t.Errorf("after rewriting figures: commit %q, want %q", got, clean)
	}
	write("bench/main.go", "after\n")
	if got := gitCommit(); got != clean+"-dirty" {
		t.Errorf("after changing code: commit %q, want %q", got, clean+"-dirty")
	}
}

// A run the hypervisor took a large share of the machine from is flagged
// where people read it: the printed table and the results section.
func TestRunsOnABusyHostAreFlagged(t *testing.T) {
	mk := func(steal *float64) *result {
		return &result{Scenario: "transfer", StealPercent: steal, Latency: map[string]*stats{
			"processed": {}, "confirmed": {}, "finalized": {}}}
	}
	quiet, busy := 1.5, 10.7
	for _, c := range []struct {
		name  string
		steal *float64
		want  bool
	}{{"unknown", nil, false}, {"quiet", &quiet, false}, {"busy", &busy, true}} {
		r := mk(c.steal)
		var table strings.Builder
		r.printTable(&table)
		if got := strings.Contains(table.String(), "warning"); got != c.want {
			t.Errorf("%s: table warns %v, want %v:\n%s", c.name, got, c.want, table.String())
		}
		var section strings.Builder
		if err := renderSection(&section, ".", []*result{r}, []string{"run.json"}, ""); err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(section.String(), "busy host"); got != c.want {
			t.Errorf("%s: section flags %v, want %v:\n%s", c.name, got, c.want, section.String())
		}
	}
}
