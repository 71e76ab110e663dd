package runtime

import (
	"fmt"

	"github.com/gnomon-chain/gnomon/runtime/sysvar"
	"github.com/gnomon-chain/gnomon/sdk"
)

// RecentSlot is what a restarting node reads back from its ledger about one
// frozen slot: its bank hash, its last PoH hash (the blockhash it
// registered) and the signatures it committed.
type RecentSlot struct {
	Slot       uint64
	BankHash   sdk.Hash
	LastPoH    sdk.Hash
	Signatures []sdk.Signature
}

// RootState is the state of a persisted root beyond its accounts, rebuilt
// from the ledger: the root itself and the slots before it on its chain,
// oldest first, as far back as a blockhash can be young: at least the last
// MaxProcessingAge+1 slots and the last 512 (SlotHashes), or back to slot 0,
// whose bank hash is the genesis bank's and whose last PoH hash is the
// genesis hash.
type RootState struct {
	Root RecentSlot
	// Recent are the root's ancestors, oldest first, without the root.
	Recent []RecentSlot
	// BlockHeight is the root's block height.
	BlockHeight uint64
}

// NewBankFromRoot rebuilds a frozen root bank over accounts already restored
// (Accounts.Restore) so that a node can restart from its ledger: its
// children see the same blockhash queue, SlotHashes, ancestors and status
// cache as the banks of the node that wrote the ledger, and so compute the
// same bank hashes. The genesis hash stays in the queue while the chain is
// younger than the blockhash age, as it did on the running node.
func NewBankFromRoot(cfg Config, accounts *Accounts, status *StatusCache, rs RootState) (*Bank, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("bank from root %d: %w", rs.Root.Slot, err)
	}
	b := &Bank{cfg: &cfg, accounts: accounts, status: status, slot: rs.Root.Slot, hash: rs.Root.BankHash,
		lastPoH: rs.Root.LastPoH, blockhashes: newBlockhashQueue(cfg.MaxProcessingAge),
		blockHeight: rs.BlockHeight, capitalization: accounts.rootedLamports()}
	chain := append(append([]RecentSlot(nil), rs.Recent...), rs.Root)
	// The queue as the root bank had it after freezing: every slot's last
	// PoH hash in order (slot 0's is the genesis hash), of which only the
	// newest MaxProcessingAge+1 survive, as they did on the running node.
	for _, s := range chain {
		b.blockhashes.register(s.LastPoH, cfg.LamportsPerSignature)
	}
	// SlotHashes as the root bank held them: its ancestors, newest first.
	for i := len(rs.Recent) - 1; i >= 0 && len(b.slotHashes) < sysvar.MaxSlotHashes; i-- {
		b.slotHashes = append(b.slotHashes, sysvar.SlotHash{Slot: rs.Recent[i].Slot, Hash: rs.Recent[i].BankHash})
	}
	keep := int(cfg.MaxProcessingAge) + 2
	for _, s := range rs.Recent {
		b.ancestors = append(b.ancestors, s.Slot)
	}
	if len(b.ancestors) > keep {
		b.ancestors = b.ancestors[len(b.ancestors)-keep:]
	}
	for _, s := range chain {
		for _, sig := range s.Signatures {
			status.claim(noView{}, s.Slot, sig)
		}
		b.sigs.append(s.Signatures...)
		b.restoredSigs = append(b.restoredSigs, slotSigs{slot: s.Slot, sigs: s.Signatures})
	}
	b.frozen.Store(true)
	return b, nil
}

// noView sees no slot: used to record signatures unconditionally.
type noView struct{}

func (noView) sees(uint64) bool { return false }
