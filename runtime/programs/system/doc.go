// Package system is Solana's System program (11111111111111111111111111111111):
// creating, funding, allocating and assigning accounts, transfers, and
// durable-nonce accounts, with Agave's checks, error codes and log lines.
//
// It owns the nonce account layout and the derivation of addresses with a
// seed. It must never move lamports or data of an account the System program
// does not own: invoke enforces that too, and the tests check both.
package system
