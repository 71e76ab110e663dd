package tpu

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"time"

	"github.com/quic-go/quic-go"

	"github.com/gnomon-chain/gnomon/sdk"
)

// Client sends transactions to a TPU over one QUIC connection, one
// unidirectional stream per transaction. It is safe for concurrent Sends.
type Client struct {
	conn *quic.Conn
}

// Dial connects to the TPU at addr, presenting a self-signed certificate from
// kp. The server's certificate is not verified, as in Solana: nothing ties a
// TPU address to a key a client could check it against.
func Dial(ctx context.Context, addr string, kp sdk.Keypair) (*Client, error) {
	return dial(ctx, addr, kp, ALPN)
}

func dial(ctx context.Context, addr string, kp sdk.Keypair, alpn string) (*Client, error) {
	cert, err := identityCertificate(kp)
	if err != nil {
		return nil, err
	}
	tlsConf := &tls.Config{
		MinVersion:         tls.VersionTLS13,
		Certificates:       []tls.Certificate{cert},
		NextProtos:         []string{alpn},
		InsecureSkipVerify: true, //nolint:gosec // TPU certificates are self-signed by design
	}
	conn, err := quic.DialAddr(ctx, addr, tlsConf, &quic.Config{
		HandshakeIdleTimeout: 5 * time.Second,
		MaxIdleTimeout:       30 * time.Second,
		KeepAlivePeriod:      5 * time.Second,
	})
	if err != nil {
		return nil, fmt.Errorf("tpu: dial %s: %w", addr, err)
	}
	return &Client{conn: conn}, nil
}

// Send writes rawTx on a new unidirectional stream and closes it. It waits for
// stream credit when the server's per-connection stream limit is reached, and
// returns once the bytes are queued, not when the server has read them.
func (c *Client) Send(ctx context.Context, rawTx []byte) error {
	stream, err := c.conn.OpenUniStreamSync(ctx)
	if err != nil {
		return fmt.Errorf("tpu: open stream: %w", err)
	}
	if d, ok := ctx.Deadline(); ok {
		_ = stream.SetWriteDeadline(d)
	}
	if _, err := stream.Write(rawTx); err != nil {
		stream.CancelWrite(0)
		return fmt.Errorf("tpu: write transaction: %w", err)
	}
	if err := stream.Close(); err != nil {
		return fmt.Errorf("tpu: close stream: %w", err)
	}
	return nil
}

// Close closes the connection.
func (c *Client) Close() error {
	if err := c.conn.CloseWithError(codeOK, ""); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("tpu: close client: %w", err)
	}
	return nil
}
