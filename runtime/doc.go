// Package runtime executes transactions. It owns the Bank (one per slot,
// forked from its parent: accounts overlay, blockhash queue, status cache
// view, sysvars, fees, counts, and the bank hash computed on Freeze), the
// in-memory accounts store (rooted state in a sharded map, a copy-on-write
// overlay per unrooted bank, squashed on root), the secondary indexes RPC
// needs, the account-lock scheduler that packs transactions into
// non-conflicting entries, and parallel execution of entries: one batch per
// run of consecutive entries no two of whose transactions conflict.
//
// Determinism is its contract: executing a run's transactions in parallel
// gives exactly the accounts, results and bank hash of executing them one at
// a time in order, and two nodes replaying the same entries compute the same
// bank hash.
//
// runtime never reads the disk or the clock: persistence of rooted accounts
// goes through the AccountsPersister interface (the ledger implements it), and
// time arrives as the slot and the genesis parameters. It never panics on a
// transaction: every failure is a *TransactionError.
package runtime
