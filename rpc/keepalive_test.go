package rpc

import (
	"context"
	"io"
	"net/http"
	"net/http/httptrace"
	"strings"
	"testing"
	"time"
)

// serve runs s until the test ends.
func serve(t *testing.T, s *Server) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return "http://" + s.Addr().String()
}

// TestKeepAliveOutlastsWeb3SocketReuse: web3.js reuses an idle socket for
// up to 19 s, so a connection idle for 20 s must still be open.
func TestKeepAliveOutlastsWeb3SocketReuse(t *testing.T) {
	t.Parallel()
	url := serve(t, fuzzServer(t))
	client := &http.Client{Transport: &http.Transport{IdleConnTimeout: time.Minute}}
	call := func() bool {
		reused := false
		trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) { reused = info.Reused }}
		req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), http.MethodPost, url,
			strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"getHealth"}`))
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body) // a drained body returns the connection to the pool
		resp.Body.Close()
		return reused
	}
	call()
	time.Sleep(20 * time.Second)
	if !call() {
		t.Fatal("the server closed a connection idle for 20 s")
	}
}

// TestBrowserPreflightIsAllowed: a dapp in a browser sends a CORS
// preflight before its JSON POST.
func TestBrowserPreflightIsAllowed(t *testing.T) {
	url := serve(t, fuzzServer(t))
	req, _ := http.NewRequest(http.MethodOptions, url, nil)
	req.Header.Set("Origin", "https://dapp.example")
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "content-type,solana-client")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "*" ||
		!strings.Contains(resp.Header.Get("Access-Control-Allow-Headers"), "solana-client") {
		t.Fatalf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
	post, err := http.Post(url, "application/json", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"getHealth"}`))
	if err != nil {
		t.Fatal(err)
	}
	post.Body.Close()
	if post.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("POST without CORS header: %v", post.Header)
	}
}
