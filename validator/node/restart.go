package node

import (
	"errors"
	"fmt"
	"os"
	"runtime"

	"github.com/gnomon-chain/gnomon/consensus"
	"github.com/gnomon-chain/gnomon/genesis"
	"github.com/gnomon-chain/gnomon/ledger"
	"github.com/gnomon-chain/gnomon/poh"
	gnrt "github.com/gnomon-chain/gnomon/runtime"
	"github.com/gnomon-chain/gnomon/sdk"
)

// start is where the leader loop begins: the bank it builds on and the
// first slot it produces.
type start struct {
	parent *gnrt.Bank
	slot   uint64
	tower  *consensus.Tower
}

// restore rebuilds the node from its ledger over the last root's accounts
// (already restored into accounts): the root bank (blockhash queue, SlotHashes, status cache) from the recent
// slots' metadata and entries, then a replay of every full slot after the
// root from the blockstore, the same path a block from another validator
// will take: PoH verification, signature verification, parallel execution,
// and the stored bank hash required of each. A mismatch stops the node.
func restore(cfg Config, rcfg gnrt.Config, rootSlot uint64, accounts *gnrt.Accounts) (*gnrt.Forks, start, error) {
	g, l := cfg.Genesis, cfg.Ledger
	genesisBankHash, err := genesisBankHash(cfg, rcfg)
	if err != nil {
		return nil, start{}, err
	}
	status := gnrt.NewStatusCache()

	window := max(g.MaxProcessingAge+1, 512)
	from := uint64(0)
	if rootSlot > window {
		from = rootSlot - window
	}
	var chain []gnrt.RecentSlot
	for s := from; s <= rootSlot; s++ {
		if s == 0 {
			chain = append(chain, gnrt.RecentSlot{Slot: 0, BankHash: genesisBankHash, LastPoH: rcfg.GenesisHash})
			continue
		}
		rs, _, err := readSlot(l, s)
		if errors.Is(err, ledger.ErrSlotNotFound) {
			continue // skipped slot
		}
		if err != nil {
			return nil, start{}, fmt.Errorf("restore root %d: %w", rootSlot, err)
		}
		chain = append(chain, rs)
	}
	if len(chain) == 0 || chain[len(chain)-1].Slot != rootSlot {
		return nil, start{}, fmt.Errorf("restore: root %d is not a stored slot", rootSlot)
	}
	var height uint64
	if rootSlot > 0 {
		meta, err := l.SlotMeta(rootSlot)
		if err != nil || !meta.HasBlockHeight {
			return nil, start{}, fmt.Errorf("restore: root %d has no block height: %v", rootSlot, err)
		}
		height = meta.BlockHeight
	}
	root, err := gnrt.NewBankFromRoot(rcfg, accounts, status, gnrt.RootState{Root: chain[len(chain)-1],
		Recent: chain[:len(chain)-1], BlockHeight: height})
	if err != nil {
		return nil, start{}, err
	}
	forks := gnrt.NewForks(root, l)

	tower := consensus.NewTower()
	if cfg.TowerPath != "" {
		if b, err := os.ReadFile(cfg.TowerPath); err == nil {
			if err := tower.Unmarshal(b); err != nil {
				return nil, start{}, fmt.Errorf("restore: tower %s: %w", cfg.TowerPath, err)
			}
		} else if !errors.Is(err, os.ErrNotExist) {
			return nil, start{}, fmt.Errorf("restore: tower: %w", err)
		}
	}

	exec := gnrt.NewExecutor(0)
	defer exec.Close()
	parent, next := root, rootSlot+1
	for s := rootSlot + 1; ; s++ {
		meta, err := l.SlotMeta(s)
		if errors.Is(err, ledger.ErrSlotNotFound) {
			// Slots are stored in order; a gap of a few is a skipped
			// slot, a long one is the end.
			if s > next+8 {
				break
			}
			continue
		}
		if err != nil {
			return nil, start{}, fmt.Errorf("replay slot %d: %w", s, err)
		}
		next = s + 1
		if !meta.IsFull() || !meta.HasBankHash {
			// Written partly before a crash: never reported, so it is
			// abandoned (marked dead, so nothing it holds counts), and
			// production resumes after it.
			if err := l.MarkDead(s); err != nil {
				return nil, start{}, fmt.Errorf("abandon slot %d: %w", s, err)
			}
			continue
		}
		if meta.ParentSlot != parent.Slot() {
			return nil, start{}, fmt.Errorf("replay slot %d: parent %d, but the chain is at %d", s, meta.ParentSlot, parent.Slot())
		}
		bank, err := replaySlot(cfg, exec, parent, s, meta.BankHash)
		if err != nil {
			return nil, start{}, err
		}
		if err := forks.Insert(bank); err != nil {
			return nil, start{}, err
		}
		parent = bank
	}
	return forks, start{parent: parent, slot: next, tower: tower}, nil
}

// genesisBankHash is slot 0's bank hash as the ledger recorded it, or, for
// a ledger written before it did, as a rebuilt genesis bank computes it.
func genesisBankHash(cfg Config, rcfg gnrt.Config) (sdk.Hash, error) {
	if h, ok, err := cfg.Ledger.GenesisBankHash(); err != nil {
		return sdk.Hash{}, err
	} else if ok {
		return h, nil
	}
	b, err := gnrt.NewGenesisBank(rcfg, cfg.Genesis.GenesisAccounts(), gnrt.NewAccounts(), gnrt.NewStatusCache())
	if err != nil {
		return sdk.Hash{}, err
	}
	return b.Hash(), nil
}

// readSlot reads a stored slot's bank hash, last PoH hash and signatures.
func readSlot(l *ledger.Ledger, s uint64) (gnrt.RecentSlot, []poh.Entry, error) {
	meta, err := l.SlotMeta(s)
	if err != nil {
		return gnrt.RecentSlot{}, nil, err
	}
	if !meta.HasBankHash {
		return gnrt.RecentSlot{}, nil, fmt.Errorf("slot %d has no bank hash: %w", s, ledger.ErrSlotNotFound)
	}
	data, err := l.SlotData(s)
	if err != nil {
		return gnrt.RecentSlot{}, nil, fmt.Errorf("slot %d: %w", s, err)
	}
	entries, err := poh.DecodeEntries(data)
	if err != nil || len(entries) == 0 {
		return gnrt.RecentSlot{}, nil, fmt.Errorf("slot %d entries: %v", s, err)
	}
	rs := gnrt.RecentSlot{Slot: s, BankHash: meta.BankHash, LastPoH: entries[len(entries)-1].Hash}
	for _, e := range entries {
		for _, tx := range e.Transactions {
			rs.Signatures = append(rs.Signatures, tx.Signatures[0])
		}
	}
	return rs, entries, nil
}

// replaySlot rebuilds slot s on parent from its stored entries and requires
// the stored bank hash.
func replaySlot(cfg Config, exec *gnrt.Executor, parent *gnrt.Bank, s uint64, want sdk.Hash) (*gnrt.Bank, error) {
	g := cfg.Genesis
	_, entries, err := readSlot(cfg.Ledger, s)
	if err != nil {
		return nil, fmt.Errorf("replay slot %d: %w", s, err)
	}
	if err := poh.VerifyTicks(entries, g.HashesPerTick, g.TicksPerSlot); err != nil {
		return nil, fmt.Errorf("replay slot %d: ticks: %w", s, err)
	}
	if err := poh.Verify(parent.LastBlockhash(), entries, runtime.GOMAXPROCS(0)); err != nil {
		return nil, fmt.Errorf("replay slot %d: PoH: %w", s, err)
	}
	bank, err := gnrt.NewBank(parent, s, leaderOf(g))
	if err != nil {
		return nil, fmt.Errorf("replay slot %d: %w", s, err)
	}
	var block [][]*sdk.Transaction
	var txs []*sdk.Transaction
	for i, e := range entries {
		for _, tx := range e.Transactions {
			if err := tx.VerifySignatures(); err != nil {
				return nil, fmt.Errorf("replay slot %d entry %d: %w", s, i, err)
			}
		}
		block = append(block, e.Transactions)
		txs = append(txs, e.Transactions...)
	}
	res, err := exec.ExecuteEntries(bank, block)
	if err != nil {
		return nil, fmt.Errorf("replay slot %d: %w", s, err)
	}
	for j := range res {
		if !res[j].Committed {
			return nil, fmt.Errorf("replay slot %d: transaction %s was not committable: %v", s, txs[j].Signatures[0], res[j].Err)
		}
	}
	if got := bank.Freeze(entries[len(entries)-1].Hash); got != want {
		return nil, fmt.Errorf("replay slot %d: bank hash %s, but the ledger holds %s: refusing to continue on a diverged state", s, got, want)
	}
	return bank, nil
}

// leaderOf is the single leader of a one-validator genesis, who collects fees.
func leaderOf(g *genesis.Genesis) sdk.Pubkey {
	if len(g.Validators) == 0 {
		return sdk.Pubkey{}
	}
	return g.Validators[0].Identity
}
