package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
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

	solana "github.com/gagliardetto/solana-go"
)

// The RPC tests drive one real `validator dev` process per test binary, the
// way a user's client would: solana-go's HTTP and WebSocket clients against
// the node's JSON-RPC and PubSub ports. The node is built and started on the
// first RPC test (so `go test -run SomethingElse` pays nothing for it) and
// stopped by TestMain after every test has run, with SIGTERM, and the test
// binary fails if it does not then exit cleanly.

// devNode is the running validator shared by the RPC tests.
type devNode struct {
	cmd     *exec.Cmd
	dir     string // temporary directory: the binary and the ledger
	rpcURL  string // http://127.0.0.1:P
	wsURL   string // ws://127.0.0.1:P+1
	faucet  solana.PrivateKey
	genesis string // genesis hash as the node printed it at startup
	out     *lockedBuffer
	exited  chan struct{} // closed once cmd.Wait returns
	waitErr error         // cmd.Wait's result, valid after exited is closed
}

var (
	nodeOnce sync.Once
	node     *devNode
	nodeErr  error
)

// lockedBuffer collects the node's stdout and stderr, which the process
// writes from two pipes while tests may read it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestMain(m *testing.M) {
	code := m.Run()
	if node != nil {
		if err := node.stop(); err != nil {
			fmt.Fprintf(os.Stderr, "validator did not stop cleanly: %v\n", err)
			code = 1
		}
		if code != 0 {
			fmt.Fprintf(os.Stderr, "---- validator output ----\n%s---- end of validator output ----\n", node.out.String())
		}
		os.RemoveAll(node.dir)
	}
	os.Exit(code)
}

// rpcNode returns the shared node, starting it on first use. A node that
// failed to start fails every RPC test: the first with the build or startup
// output, the rest with a pointer to it.
func rpcNode(t *testing.T) *devNode {
	t.Helper()
	first := false
	nodeOnce.Do(func() { first = true; node, nodeErr = startDevNode() })
	if nodeErr != nil {
		if !first {
			t.Fatal("the dev validator failed to start; see the first RPC test's failure")
		}
		t.Fatalf("starting the dev validator: %v", nodeErr)
	}
	select {
	case <-node.exited:
		t.Fatalf("the dev validator exited early (%v)\n%s", node.waitErr, node.out.String())
	default:
	}
	return node
}

func startDevNode() (*devNode, error) {
	dir, err := os.MkdirTemp("", "gnomon-e2e-rpc-")
	if err != nil {
		return nil, err
	}
	bin := filepath.Join(dir, "validator")
	// The e2e module replaces the Gnomon module with "..", so the node is
	// built from the same checkout the tests compile against.
	build := exec.Command("go", "build", "-o", bin, "./validator")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("go build ./validator: %v\n%s", err, out)
	}
	// A port taken between probing and binding makes the node exit at
	// once; another pair of ports is then tried.
	var errs []string
	for attempt := 0; attempt < 3; attempt++ {
		port, err := twoFreePorts()
		if err != nil {
			return nil, err
		}
		n, err := launch(bin, dir, port)
		if err == nil {
			return n, nil
		}
		if n != nil {
			select {
			case <-n.exited:
			default:
				n.cmd.Process.Kill()
				<-n.exited
			}
			out := n.out.String()
			errs = append(errs, fmt.Sprintf("port %d: %v\n%s", port, err, out))
			if !strings.Contains(out, "address already in use") {
				break // not a port race: retrying would fail the same way
			}
		} else {
			errs = append(errs, fmt.Sprintf("port %d: %v", port, err))
		}
	}
	os.RemoveAll(dir)
	return nil, errors.New(strings.Join(errs, "\n"))
}

// twoFreePorts finds P such that P and P+1 are both free on 127.0.0.1: the
// node serves JSON-RPC on P and WebSocket on P+1, as solana-test-validator
// does and as web3.js assumes.
func twoFreePorts() (int, error) {
	for i := 0; i < 50; i++ {
		l1, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		p := l1.Addr().(*net.TCPAddr).Port
		l2, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p+1))
		l1.Close()
		if err == nil {
			l2.Close()
			return p, nil
		}
	}
	return 0, errors.New("no two consecutive free ports found")
}

func launch(bin, dir string, port int) (*devNode, error) {
	ledgerDir := filepath.Join(dir, "ledger")
	n := &devNode{
		dir:    dir,
		rpcURL: fmt.Sprintf("http://127.0.0.1:%d", port),
		wsURL:  fmt.Sprintf("ws://127.0.0.1:%d", port+1),
		out:    &lockedBuffer{},
		exited: make(chan struct{}),
	}
	n.cmd = exec.Command(bin, "dev", "--ledger", ledgerDir, "--reset", "--tpu-port", "0", "--rpc-port", strconv.Itoa(port))
	n.cmd.Stdout = n.out
	n.cmd.Stderr = n.out
	if err := n.cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		n.waitErr = n.cmd.Wait()
		close(n.exited)
	}()
	// Ready means JSON-RPC answers getHealth with "ok" and the WebSocket
	// port accepts connections.
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-n.exited:
			return n, fmt.Errorf("exited during startup: %v", n.waitErr)
		default:
		}
		if healthy(n.rpcURL) && listening(port+1) {
			break
		}
		if time.Now().After(deadline) {
			return n, errors.New("JSON-RPC not healthy within 60s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	faucet, err := solana.PrivateKeyFromSolanaKeygenFile(filepath.Join(ledgerDir, "faucet.json"))
	if err != nil {
		return n, fmt.Errorf("faucet keypair: %w", err)
	}
	n.faucet = faucet
	for _, line := range strings.Split(n.out.String(), "\n") {
		if v, ok := strings.CutPrefix(line, "genesis hash: "); ok {
			n.genesis = strings.TrimSpace(v)
		}
	}
	return n, nil
}

func healthy(rpcURL string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	body := strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"getHealth","params":[]}`)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rpcURL, body)
	if err != nil {
		return false
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	var r struct {
		Result string `json:"result"`
	}
	return resp.StatusCode == http.StatusOK && decodeJSON(resp.Body, &r) == nil && r.Result == "ok"
}

func listening(port int) bool {
	c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// stop sends SIGTERM and waits for the process: it must exit by itself,
// with status 0, as an operator's `kill` expects.
func (n *devNode) stop() error {
	select {
	case <-n.exited:
		return fmt.Errorf("had already exited: %v", n.waitErr)
	default:
	}
	if err := n.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case <-n.exited:
		return n.waitErr
	case <-time.After(20 * time.Second):
		n.cmd.Process.Kill()
		<-n.exited
		return errors.New("still running 20s after SIGTERM; killed")
	}
}
