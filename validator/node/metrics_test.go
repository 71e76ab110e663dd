package node

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"testing"
)

// TestProfilesOnlyOnLoopback: the metrics port serves Go's profiles when it
// listens on loopback, and not when an operator binds it to every address.
func TestProfilesOnlyOnLoopback(t *testing.T) {
	for _, c := range []struct {
		listen string
		want   int
	}{{"127.0.0.1:0", http.StatusOK}, {"0.0.0.0:0", http.StatusNotFound}} {
		ln, err := net.Listen("tcp", c.listen)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		n := &Node{}
		done := make(chan error, 1)
		go func() { done <- n.serveMetrics(ctx, ln) }()
		url := fmt.Sprintf("http://127.0.0.1:%d/debug/pprof/cmdline", ln.Addr().(*net.TCPAddr).Port)
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("listening on %s: GET %s = %d, want %d", c.listen, url, resp.StatusCode, c.want)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
