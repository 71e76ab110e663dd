// Package consensus is the validator's side of Tower-BFT: the local vote
// tower (lockouts, the stake threshold and the switching rule), fork choice
// (heaviest subtree by the stake of each validator's latest vote), the
// stake-weighted leader schedule, and commitment (processed, confirmed,
// finalized) computed from votes and stake.
//
// Every type here is a pure core: inputs are arguments, outputs are return
// values. The package never reads the clock, the disk or the network, starts
// no goroutine and draws no unseeded randomness, because the same inputs
// must give the same answers on every node and in a seeded simulation of a
// whole cluster. The node's shell around it owns time, storage and sockets,
// and its duties come in a fixed order: persist the tower (Tower.Marshal)
// before the vote that depends on it leaves (Tower.TowerSyncData), so that
// a crash can never make the validator forget a lockout it has already
// promised to the cluster and vote against it after restart.
//
// The tower's lockout arithmetic is not written twice: Tower keeps its votes
// in a vote.State and pushes each vote with the Vote program's own
// ProcessNextVoteSlot, so the tower a validator holds and the tower the
// chain accepts from its TowerSync are the same tower by construction.
//
// Commitment is never special-cased for a single node: one validator with
// all the stake confirms a slot because its stake is more than two thirds
// of the total, by the same arithmetic that needs several validators when
// stake is spread.
//
// Stake fractions are compared in integers (128-bit products), never in
// floating point, so that two nodes cannot disagree on a rounding.
package consensus
