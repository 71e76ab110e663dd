package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// devNode is a dev validator the harness started and therefore owns: it is
// stopped by stop, whatever happened to the run.
type devNode struct {
	cmd     *exec.Cmd
	exited  chan struct{} // closed once the process has exited
	waitErr error         // cmd.Wait's result, once exited is closed
	logPath string
	rpc     string
	ws      string
	tpu     string
	metrics string
	faucet  string // the faucet keypair file
	ledger  string
}

// startDevNode runs `BIN dev` on a fresh ledger under dir with free ports,
// and waits until it has printed its addresses. Its output goes to logPath.
func startDevNode(ctx context.Context, bin, dir, logPath string) (*devNode, error) {
	ledgerDir := filepath.Join(dir, "ledger")
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("node log: %w", err)
	}
	cmd := exec.Command(bin, "dev", "--ledger", ledgerDir, "--reset", "--tpu-port", "0", "--rpc-port", "0", "--metrics-port", "0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		logf.Close()
		return nil, fmt.Errorf("node stdout: %w", err)
	}
	cmd.Stderr = logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	n := &devNode{cmd: cmd, exited: make(chan struct{}), ledger: ledgerDir, logPath: logPath}
	lines := make(chan string)
	started := make(chan struct{}) // closed when startDevNode returns
	defer close(started)
	// The copier owns stdout until the process exits: it hands the address
	// lines over, then keeps the pipe drained into the log.
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(logf, line)
			select {
			case lines <- line:
			case <-started:
			}
		}
		close(lines)
		n.waitErr = cmd.Wait()
		logf.Close()
		close(n.exited)
	}()
	deadline := time.NewTimer(60 * time.Second)
	defer deadline.Stop()
	for n.rpc == "" || n.ws == "" || n.metrics == "" {
		select {
		case line, ok := <-lines:
			if !ok {
				return nil, fmt.Errorf("dev node exited before it was ready (log %s)", logPath)
			}
			key, val, _ := strings.Cut(line, ": ")
			switch key {
			case "rpc":
				n.rpc = val
			case "websocket":
				n.ws = val
			case "tpu":
				n.tpu = val
			case "metrics":
				n.metrics = val
			case "faucet":
				// "PUBKEY (keypair PATH)"
				if _, p, ok := strings.Cut(val, "(keypair "); ok {
					n.faucet = strings.TrimSuffix(p, ")")
				}
			}
		case <-deadline.C:
			n.stop()
			return nil, fmt.Errorf("dev node not ready after 60 s (log %s)", logPath)
		case <-ctx.Done():
			n.stop()
			return nil, ctx.Err()
		}
	}
	return n, nil
}

func (n *devNode) pid() int { return n.cmd.Process.Pid }

// stop asks the node to finish its slot and flush (SIGTERM), and kills it
// if it has not exited within 20 s.
func (n *devNode) stop() error {
	_ = n.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-n.exited:
		return n.waitErr
	case <-time.After(20 * time.Second):
		_ = n.cmd.Process.Kill()
		<-n.exited
		return fmt.Errorf("dev node did not stop on SIGTERM: %w", n.waitErr)
	}
}

// exitReport describes a node that exited by itself: its status and the
// last line of its log that is not a slot line, which is where the node
// says why.
func (n *devNode) exitReport() string {
	last := ""
	if b, err := os.ReadFile(n.logPath); err == nil {
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if !strings.Contains(line, "msg=slot ") {
				last = line
			}
		}
	}
	return fmt.Sprintf("the dev node exited during the run (%v); its log %s ends: %s", n.waitErr, n.logPath, last)
}

// cpuTicks returns the user+system CPU time pid has used, in clock ticks
// (USER_HZ, 100 per second on Linux).
func cpuTicks(pid int) (uint64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("cpu of pid %d: %w", pid, err)
	}
	// The command name may hold spaces and parentheses; fields resume after
	// the last ')'. utime and stime are the 14th and 15th fields overall.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("cpu of pid %d: malformed stat", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("cpu of pid %d: malformed stat", pid)
	}
	u, err1 := strconv.ParseUint(f[11], 10, 64)
	s, err2 := strconv.ParseUint(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("cpu of pid %d: %w", pid, err)
	}
	return u + s, nil
}

const clockTicksPerSecond = 100

// pidListeningOn finds the process with a TCP socket listening on port on
// this machine, through /proc/net/tcp{,6} and the processes' descriptors.
// It fails when the owner is not visible (another user, another machine).
func pidListeningOn(port int) (int, error) {
	inodes := map[string]bool{}
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			fs := strings.Fields(line)
			if len(fs) < 10 || fs[3] != "0A" { // 0A: LISTEN
				continue
			}
			_, hexPort, ok := strings.Cut(fs[1], ":")
			if !ok {
				continue
			}
			if p, err := strconv.ParseUint(hexPort, 16, 16); err == nil && int(p) == port {
				inodes[fs[9]] = true
			}
		}
	}
	if len(inodes) == 0 {
		return 0, fmt.Errorf("no listener on port %d", port)
	}
	procs, err := os.ReadDir("/proc")
	if err != nil {
		return 0, fmt.Errorf("find pid of port %d: %w", port, err)
	}
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil {
			continue
		}
		fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
		if err != nil {
			continue
		}
		for _, fd := range fds {
			target, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name()))
			if err == nil && strings.HasPrefix(target, "socket:[") && inodes[strings.TrimSuffix(strings.TrimPrefix(target, "socket:["), "]")] {
				return pid, nil
			}
		}
	}
	return 0, fmt.Errorf("port %d: listener's process not visible", port)
}

// scrapeMetrics reads the node's Prometheus text: each sample keyed by its
// name with labels, as printed ("gnomon_tpu_dropped_total{reason=\"queue_full\"}").
func scrapeMetrics(ctx context.Context, url string) (map[string]float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	out := map[string]float64{}
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		if v, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
			out[line[:i]] = v
		}
	}
	return out, nil
}
