// Package invoke owns what a builtin program sees while it executes one
// instruction: the instruction's accounts with their signer and writable
// privileges, the rules on what a program may change (only an account's owner
// may debit it or change its data; read-only accounts never change; lamports
// balance across every instruction), the compute meter, log lines in Solana's
// format, return data, and cross-program invocation with Solana's privilege
// rules.
//
// A Transaction here is the execution state of one transaction whose accounts
// the bank has already loaded and whose fee it has already charged. invoke
// never loads or stores accounts, charges fees, or decides whether a
// transaction may run at all: that is the bank's. It never panics on program
// input: a program's failure is an *InstructionError.
package invoke
