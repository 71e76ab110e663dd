// Package e2e checks Gnomon's sdk package against an independent Solana
// client, github.com/gagliardetto/solana-go, which nobody on the Gnomon project
// wrote: transactions (legacy and v0 with address lookup tables) built and
// signed on one side must parse, verify and re-encode byte for byte on the
// other; program-derived and associated token addresses, solana-keygen keypair
// files, ed25519 signatures and base58 text forms must agree.
//
// It is a separate Go module (github.com/gnomon-chain/gnomon/e2e) that
// replaces the Gnomon module with the checkout one directory up. The node never
// imports it, so solana-go and its dependencies never enter the node's build;
// the package holds no code outside its tests.
package e2e
