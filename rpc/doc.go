// Package rpc serves Solana's JSON-RPC over HTTP and its PubSub over
// WebSocket, so that unmodified Solana clients (web3.js, kit, solana-go)
// work against a Gnomon node. It owns request decoding and limits, the
// commitment snapshot clients read from (processed, confirmed and finalized
// banks, published by the node after each slot is durable), subscriptions
// and their notifications, sendTransaction's preflight and forwarding to the
// leader's TPU, and the dev faucet behind requestAirdrop.
//
// It reads banks and the ledger and never changes either: a request can
// simulate a transaction but never commit one, and a transaction a client
// sends reaches the bank only through the TPU, like anyone else's. It never
// blocks the node: Publish only swaps a snapshot and queues an event, and a
// slow WebSocket client is disconnected rather than waited for.
//
// The surface and its shapes follow shared/RPC-SURFACE.md, which records
// what the clients send and require; where it is silent, Agave's behaviour
// is the reference.
package rpc
