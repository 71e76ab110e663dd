// Package ata is the Associated Token Account program
// (ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL) as a Gnomon builtin: it
// creates the one canonical token account of a wallet for a mint, at the
// program-derived address of [wallet, token program, mint], and recovers
// tokens sent to an associated account that is itself owned by an associated
// account (RecoverNested). It follows spl-associated-token-account: the same
// checks in the same order, the same CPIs (GetAccountDataSize, then System
// CreateAccount — or Transfer, Allocate and Assign for a prefunded address —
// then InitializeImmutableOwner and InitializeAccount3), the same errors and
// log lines.
//
// It owns the derivation of associated addresses (Address), which wallets
// and RPC use too. It holds no state of its own and must never touch an
// account's data or lamports directly: every change goes through a
// cross-program invocation of the System or Token program, so those programs'
// rules apply exactly as they do on Solana.
package ata
