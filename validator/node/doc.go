// Package node assembles Gnomon's stages into a running validator. It is the
// one place that knows every stage and every link between them; node.go
// declares them all, so reading it shows how a transaction travels:
//
//	clients ──QUIC──▶ tpu ──tpuToSigverify──▶ sigverify ──sigverifyToBanking──▶ leader
//	                                                                            │
//	     (bank per slot, scheduler, parallel executor, PoH recorder) ◀──────────┘
//	                                 │ at each slot's end
//	                                 ▼
//	    freeze ─▶ shredder ─▶ ledger (shreds, statuses, bank hash) ─▶ root
//
// This first version is a single leader: every slot is its own, and a slot is
// rooted as soon as it is stored, because votes, the tower and commitment
// arrive with the consensus work (issue 6); so do restarts from an existing
// ledger, RPC and metrics. What node must never do: hold stage state itself
// (each stage owns its own), block the TPU on a slow stage (links drop and
// count), or leave a goroutine running after Run returns.
package node
