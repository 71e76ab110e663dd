package tpu

import "sync/atomic"

// Stats is a snapshot of the server's counters. Refusals and drops are split
// by reason because each reason calls for a different response from an
// operator: raise a limit, find a broken client, or speed up the consumer.
type Stats struct {
	ConnectionsAccepted uint64 // handshakes completed and handed to a reader
	ConnectionsOpen     int64  // admitted and not yet closed, handshaking ones included

	RefusedMaxConnections      uint64 // over MaxConnections
	RefusedMaxConnectionsPerIP uint64 // over MaxConnectionsPerIP
	RefusedConnectionRate      uint64 // over ConnectionsPerIPPerMinute
	RefusedALPN                uint64 // client offered no "solana-tpu"; also counted in HandshakesFailed
	HandshakesFailed           uint64 // admitted but ended before the handshake completed

	Streams   uint64 // unidirectional streams accepted
	Forwarded uint64 // transactions sent on Out

	DroppedOversized   uint64 // stream longer than sdk.MaxTransactionSize
	DroppedMalformed   uint64 // sdk.ParseTransaction refused it, empty streams included
	DroppedQueueFull   uint64 // Out was full
	DroppedStreamError uint64 // read deadline passed, or the peer reset the stream
}

// counters are plain atomics so that counting never takes a lock on the hot
// path; a metrics endpoint reads them through Stats.
type counters struct {
	connectionsAccepted        atomic.Uint64
	connectionsOpen            atomic.Int64
	refusedMaxConnections      atomic.Uint64
	refusedMaxConnectionsPerIP atomic.Uint64
	refusedConnectionRate      atomic.Uint64
	refusedALPN                atomic.Uint64
	handshakesFailed           atomic.Uint64
	streams                    atomic.Uint64
	forwarded                  atomic.Uint64
	droppedOversized           atomic.Uint64
	droppedMalformed           atomic.Uint64
	droppedQueueFull           atomic.Uint64
	droppedStreamError         atomic.Uint64
}

func (c *counters) snapshot() Stats {
	return Stats{
		ConnectionsAccepted:        c.connectionsAccepted.Load(),
		ConnectionsOpen:            c.connectionsOpen.Load(),
		RefusedMaxConnections:      c.refusedMaxConnections.Load(),
		RefusedMaxConnectionsPerIP: c.refusedMaxConnectionsPerIP.Load(),
		RefusedConnectionRate:      c.refusedConnectionRate.Load(),
		RefusedALPN:                c.refusedALPN.Load(),
		HandshakesFailed:           c.handshakesFailed.Load(),
		Streams:                    c.streams.Load(),
		Forwarded:                  c.forwarded.Load(),
		DroppedOversized:           c.droppedOversized.Load(),
		DroppedMalformed:           c.droppedMalformed.Load(),
		DroppedQueueFull:           c.droppedQueueFull.Load(),
		DroppedStreamError:         c.droppedStreamError.Load(),
	}
}
