// Command validator is Gnomon's one binary (`go run ./validator`): it makes
// keypairs (keygen), builds genesis files (genesis), and will run a dev node
// (dev) and a production node (run).
//
//	validator keygen new -o FILE [--force]
//	validator keygen pubkey FILE
//	validator genesis --identity FILE --vote-account FILE [--faucet FILE|PUBKEY]
//	    [--validator IDENTITY:VOTE:STAKE_LAMPORTS]... [--account PUBKEY:LAMPORTS]...
//	    [--creation-time UNIX|RFC3339] [--slot-ms N] [--ticks-per-slot N]
//	    [--hashes-per-tick N] [--slots-per-epoch N] [--max-processing-age N]
//	    [--lamports-per-signature N] [--lamports-per-byte-year N]
//	    [--rent-exemption-threshold F] [--rent-burn-percentage N]
//	    [--block-compute-limit N] [--account-compute-limit N]
//	    [--faucet-lamports N] [--bootstrap-validator-lamports N]
//	    [--bootstrap-validator-stake-lamports N] -o FILE
//
// This package owns the command line only: flags, files named on it, what is
// printed and the exit code (0 success, 1 an error the operator can act on,
// 2 a bad command line or a command not implemented yet). It must never hold
// protocol logic: the genesis format lives in package genesis, keypair files
// in sdk, and the node's stages in validator/node. It must never overwrite a
// keypair or genesis file unless told to (--force, keygen only), and never
// leave a partial file behind on error.
package main
