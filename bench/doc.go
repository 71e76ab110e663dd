// Command bench is Gnomon's end-to-end load generator and the driver of
// `make bench`.
//
//	go run ./bench --validator ./validator-binary --scenario transfer --duration 20s
//	go run ./bench --rpc http://127.0.0.1:8899 --rate 12000 --json out.json --plot out.png
//	go run ./bench results --md bench/RESULTS.md --micro bench/out/micro.txt run1.json run2.json
//
// What bench owns: setting up the accounts a scenario needs (funding, mints,
// token accounts), pre-signing every transaction before the clock starts,
// sending them over QUIC to the leader's TPU at a paced or unlimited rate,
// following every signature until it is processed, confirmed and finalized,
// and reporting what happened to each one: a table, a JSON document whose
// schema bench/README.md defines, and a PNG plot. It also regenerates the
// one generated section of bench/RESULTS.md.
//
// Tracking is exact at any rate because it never polls per signature: a
// slotSubscribe notification stamps a slot as processed, a blockSubscribe
// notification (confirmed, signatures only) names every transaction of the
// slot and stamps them confirmed, and rootSubscribe stamps every slot at or
// below the root finalized. A slot whose block notification never arrived is
// read back with getBlock, and a closing sweep of batched
// getSignatureStatuses gives each landed transaction its error and finds
// anything the notifications missed.
//
// What bench must never do: import node internals (it is a client, and sees
// the node only through RPC, PubSub, the TPU, the metrics endpoint and
// /proc), sign or build transactions while the clock runs (that would measure
// the load generator), or report a run in which a signature is unaccounted as
// a success: every signature sent is landed, rejected with the node's error,
// expired, or refused by the TPU with the send error, and the command exits
// non-zero otherwise.
package main
