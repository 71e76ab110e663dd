// Package sdk owns the types that clients, programs and every Gnomon package share:
// Pubkey, Hash and Signature with their base58 text forms, program-derived
// addresses, ed25519 keypairs in solana-keygen's JSON file format, and Solana's
// transaction wire format (legacy and v0 messages, compact-u16 lengths) with the
// sanitize rules Agave applies.
//
// It also owns the one signature rule of DESIGN.md. Every path that checks an
// ed25519 signature (single, batch, replay, RPC simulate) calls Verify or a
// BatchVerifier from here, so the same bytes get the same verdict everywhere.
//
// sdk imports no other Gnomon package, does no I/O except reading and writing
// keypair files, and never panics on bytes that came from outside: parsers return
// errors that wrap ErrMalformed.
package sdk
