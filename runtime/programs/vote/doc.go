// Package vote is Solana's Vote program (Vote111111111111111111111111111111111111111):
// each validator's on-chain tower, its authorities, its commission and the
// credits it earns, with Agave's checks and VoteError codes.
//
// It owns the vote account layout, the instruction encodings, and the tower
// rules as a pure core (State.ProcessTowerSync, State.ProcessNextVoteSlot)
// that consensus can run without the executor. It must never read a clock or
// any state but its arguments, never change an account other than through
// invoke's setters, and never accept a tower that breaks a lockout: the same
// rules decide on every node, so a difference here forks the cluster.
//
// # Instructions
//
// A u32 tag (Solana's VoteInstruction numbering), then bincode fields:
//
//	 0 InitializeAccount  node 32, voter 32, withdrawer 32, commission u8
//	                      accounts: vote (w), Rent sysvar, Clock sysvar, node (signer)
//	 1 Authorize          new authority 32, VoteAuthorize u32 (0 Voter, 1 Withdrawer)
//	                      accounts: vote (w), Clock sysvar, current authority (signer)
//	 3 Withdraw           lamports u64; accounts: vote (w), recipient (w), withdrawer (signer)
//	 4 UpdateValidatorIdentity  accounts: vote (w), new node (signer), withdrawer (signer)
//	 5 UpdateCommission   commission u8; accounts: vote (w), withdrawer (signer)
//	 7 AuthorizeChecked   VoteAuthorize u32; accounts: vote (w), Clock sysvar,
//	                      current authority (signer), new authority (signer)
//	14 TowerSync          compact tower (below); accounts: vote (w), voter (signer)
//	15 TowerSyncSwitch    compact tower, then the switching-proof hash 32
//
// The legacy votes (2 Vote, 6 VoteSwitch, 8, 9, 12, 13 vote-state updates),
// which Agave has retired, and 10, 11 AuthorizeWithSeed and
// AuthorizeCheckedWithSeed (not implemented) are InvalidInstructionData.
// As in Agave, trailing bytes after an instruction are ignored.
//
// TowerSync uses Solana's compact serde form (serde_tower_sync):
//
//	root            u64, MaxUint64 when there is none
//	lockouts        compact-u16 count, then per lockout:
//	                  offset  LEB128 varint u64: slot minus the previous
//	                          slot (the first: minus the root, or 0)
//	                  confirmation_count u8
//	hash            32, the bank hash of the last voted slot
//	timestamp       Option<i64>: tag u8 (0 or 1), then i64
//	block_id        32
//
// # Account layout
//
// Every vote account is StateSize = 3762 bytes, Solana's VoteState V3 size,
// and holds Solana's VoteState V3 bincode layout, so tools that parse
// Solana's vote accounts parse ours. Offsets are fixed up to the votes:
//
//	0     u32  version: 2 (V3); 0 means uninitialized
//	4     32   node_pubkey
//	36    32   authorized_withdrawer
//	68    u8   commission (percent)
//	69    u64  votes count (≤ 31), then per vote 13 bytes:
//	           latency u8, slot u64, confirmation_count u32 (oldest first)
//	      1+8  root_slot: Option<u64> (tag 0 or 1, then the slot)
//	      u64  authorized_voters count (1 to 4), then per entry
//	           epoch u64, pubkey 32, sorted by epoch
//	      1536 prior_voters ring: 32 × (pubkey 32, start_epoch u64, end_epoch u64)
//	      u64  prior_voters next index (< 32)
//	      u8   prior_voters is_empty (0 or 1)
//	      u64  epoch_credits count (≤ 64), then per epoch
//	           epoch u64, credits u64, prev_credits u64 (oldest first)
//	      u64  last_timestamp slot
//	      i64  last_timestamp unix time
//	      zero padding to 3762
//
// A state at every bound (31 votes, root, 4 voters, 64 epochs) fills exactly
// 3762 bytes. Unlike Agave, which leaves stale bytes after a shorter state,
// we zero the padding, so a state has one byte form. A closed account holds
// version 2 with no authorized voter, as Agave writes it.
//
// # Deviations from Agave
//
//   - Credits are Solana's timely vote credits: a rooted vote earns 16 if it
//     landed within 2 slots of its slot, one less per further slot, at least 1.
//   - Decode refuses states outside the bounds above and versions other than
//     0 and 2 (V1_14_11 and V4 accounts never exist on Gnomon). An
//     Authorize that would need a fifth authorized voter (only possible with a
//     leader schedule more than two epochs ahead) is InvalidAccountData.
//   - Authorize, Withdraw, UpdateValidatorIdentity and UpdateCommission on an
//     uninitialized account fail with UninitializedAccount (Agave decodes a
//     zero withdrawer and fails with MissingRequiredSignature).
//   - The TowerSync varint refuses bits past the 64th, which Solana drops.
//   - VotesTooOldAllFiltered (16) is returned only by the legacy Vote
//     instruction, and AssertionFailed (20) by no input; both keep their
//     codes. ProcessTowerSync never returns them for a well-formed call.
package vote
