// Package tpu owns transaction ingest: the QUIC listener that speaks Solana's TPU
// protocol and turns unidirectional streams into parsed transactions for the
// leader pipeline.
//
// The protocol is Solana's: ALPN "solana-tpu", TLS 1.3 with a self-signed
// certificate whose key is the node identity's ed25519 key, and exactly one
// wire-format transaction of at most sdk.MaxTransactionSize bytes per
// unidirectional stream. Clients present any self-signed certificate; it is not
// verified (it proves nothing without a stake table), only recorded, so that a
// later stage can weigh peers by stake.
//
// What tpu owns: admission (connections in total and per IP, new connections per
// IP per minute, streams per connection, idle and handshake timeouts), reading
// each stream under a deadline, the size limit and the wire-format parse, and a
// counter for every refusal and drop.
//
// What tpu must never do:
//
//   - Verify signatures or execute anything. Sigverify is the next stage; doing it
//     here would put the most expensive check on the path that has to stay cheap
//     to refuse floods, and would split the one signature rule of DESIGN.md.
//   - Block on its consumer. The output link is unreliable in the Firedancer
//     sense: when it is full a packet is dropped and counted, because a
//     connection's reader that waited on a slow consumer would let one busy stage
//     stall every client, and the backlog would live in kernel buffers where
//     nobody counts it.
//   - Let one client slow another. Every limit is checked before the work it
//     protects (connection limits before the TLS handshake, the size limit before
//     parsing), and every refusal is a counter increment, not a wait.
//   - Own the output channel. validator/node declares the link and its capacity;
//     tpu only sends on it and never closes it.
package tpu
