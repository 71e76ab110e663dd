// Package token is the SPL Token program (TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA)
// as a Gnomon builtin, with SPL Token 3.5 semantics: mints, token accounts and
// multisig authorities, wrapped SOL through the native mint, delegates,
// freezing, and the read-only helper instructions that set return data.
//
// It owns three things clients depend on byte for byte: the account layouts
// (Mint 82 B, Account 165 B, Multisig 355 B), the instruction encoding (tags
// 0–24), and what a failing instruction reports (the TokenError codes 0–19,
// the ProgramError kinds, and the "Program log:" lines the on-chain program
// prints). Where several checks could fail, they run in the on-chain
// processor's order, because the first failing check decides the error a
// client sees.
//
// It must never change an account the on-chain program would leave alone:
// data and lamports are written only where they differ, since Agave only
// objects to a write to a read-only or foreign account when the bytes
// actually changed. It must never panic on instruction data or account
// contents; everything that comes from a transaction is length-checked
// before it is sliced. It never reads the sysvar accounts' data: the rent it
// applies is the bank's (invoke.Env.Rent), which the bank also writes into
// the Rent sysvar account.
//
// Transfer is the hot path of every payments workload, so it reads and writes
// fields in place in the account data and allocates nothing of its own.
package token
