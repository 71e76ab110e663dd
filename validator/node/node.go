package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gnomon-chain/gnomon/consensus"
	"github.com/gnomon-chain/gnomon/genesis"
	"github.com/gnomon-chain/gnomon/internal/shred"
	"github.com/gnomon-chain/gnomon/ledger"
	"github.com/gnomon-chain/gnomon/poh"
	"github.com/gnomon-chain/gnomon/rpc"
	gnrt "github.com/gnomon-chain/gnomon/runtime"
	"github.com/gnomon-chain/gnomon/runtime/programs/computebudget"
	"github.com/gnomon-chain/gnomon/runtime/programs/vote"
	"github.com/gnomon-chain/gnomon/runtime/sysvar"
	"github.com/gnomon-chain/gnomon/sdk"
	"github.com/gnomon-chain/gnomon/tpu"
	"github.com/gnomon-chain/gnomon/turbine"
)

// The links between stages: name (producer→consumer), capacity, and what a
// full link does. Every one drops and counts: a slow stage must never stall
// the TPU.
const (
	tpuToSigverifyCap     = 65_536 // full: tpu drops, Stats().DroppedQueueFull
	sigverifyToBankingCap = 65_536 // full: sigverify drops, Stats.BankingQueueFull
	// bankingBufferCap bounds the leader's priority buffer; past it the
	// lowest-priority transactions are shed (Stats.Shed).
	bankingBufferCap = 100_000
	// sigverifyBatch is how many packets one verifier checks at once.
	sigverifyBatch = 128
	// sigverifyMinBatch and sigverifyWait: a batch goes to a worker once it
	// holds sigverifyMinBatch packets or its first has waited sigverifyWait,
	// so under load batches are big enough to be cheap per signature, and
	// a lone transaction waits at most sigverifyWait.
	sigverifyMinBatch = 64
	sigverifyWait     = 3 * time.Millisecond
	// sigverifyKeyCache is how many signers' expanded public keys sigverify
	// keeps (about 1.5 KiB each, so 24 MiB): enough for every validator's
	// vote key and the busiest payers.
	sigverifyKeyCache = 16_384
	// maxEntryTxs is the most transactions in one entry.
	maxEntryTxs = 64
	// packChunk is the most transactions one pack considers: the best of
	// the buffer, so a pack takes a fraction of a tick.
	packChunk = 32 * maxEntryTxs
)

// Config is what a node needs.
type Config struct {
	Genesis *genesis.Genesis
	// GenesisHash, if not zero, is Genesis's hash as the caller read it
	// (genesis.ReadFileHashed); otherwise New computes it.
	GenesisHash sdk.Hash
	Identity    sdk.Keypair
	Ledger      *ledger.Ledger
	// TPUAddr is where the TPU listens, e.g. "127.0.0.1:8003" ("...:0" for any port).
	TPUAddr string
	// MetricsAddr, if set, serves Prometheus metrics at /metrics there.
	MetricsAddr string
	// LimitLedgerShreds, if not zero, prunes the oldest rooted slots so the
	// ledger keeps about this many shreds (--limit-ledger-size).
	LimitLedgerShreds uint64
	// TowerPath is where the vote tower is saved before each vote leaves.
	TowerPath string
	// RPCAddr, if set, serves JSON-RPC there, and RPCWSAddr PubSub.
	RPCAddr, RPCWSAddr string
	// Faucet, if set, funds RPC's requestAirdrop.
	Faucet *sdk.Keypair
	// RPCWSQueue bounds each WebSocket client's queue (0: the default).
	RPCWSQueue int
	Logger     *slog.Logger
}

// Stats are the node's counters.
type Stats struct {
	Slots, Transactions, Committed atomic.Uint64
	SigverifyFailed, Duplicates    atomic.Uint64
	// SigverifyBatches and SigverifySignatures give the mean batch size:
	// batches of 64 cost about twice per signature what batches of 512 do.
	SigverifyBatches, SigverifySignatures   atomic.Uint64
	BankingQueueFull, Shed, Dropped, Failed atomic.Uint64
}

// Node is a running single-leader validator.
type Node struct {
	cfg     Config
	log     *slog.Logger
	forks   *gnrt.Forks
	tpu     *tpu.Server
	start   start
	metrics net.Listener
	rpc     *rpc.Server
	// genesisHash is computed once: it costs a pass over every genesis account.
	genesisHash sdk.Hash
	// leaders answers who leads each slot.
	leaders *consensus.Leaders
	stats   Stats
	gauges  gauges
	// signers caches repeat signers' expanded keys for sigverify.
	signers *sdk.KeyCache

	tpuToSigverify     chan tpu.Packet
	sigverifyToBanking chan *sdk.Transaction
}

// New builds a node on a fresh ledger: the genesis bank is created and its
// accounts persisted.
func New(cfg Config) (*Node, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	g := cfg.Genesis
	// Hashing the genesis encodes every genesis account: at most once.
	if cfg.GenesisHash == (sdk.Hash{}) {
		cfg.GenesisHash = g.Hash()
	}
	rcfg := g.RuntimeConfigFor(cfg.GenesisHash)
	var forks *gnrt.Forks
	var st start
	loadBegan := time.Now()
	// The last root's accounts stream from the ledger into a new store:
	// reading one batch overlaps storing and indexing the last.
	accounts := gnrt.NewAccounts()
	batches := make(chan []gnrt.AccountChange, 4)
	var rootSlot uint64
	var loadErr error
	go func() {
		defer close(batches)
		rootSlot, _, loadErr = cfg.Ledger.RangeRootedAccounts(8192, func(b []gnrt.AccountChange) error {
			batches <- b
			return nil
		})
	}()
	restored := accounts.RestoreFrom(batches)
	switch err := loadErr; {
	case errors.Is(err, ledger.ErrNoRoot):
		root, err := gnrt.NewGenesisBank(rcfg, g.GenesisAccounts(), gnrt.NewAccounts(), gnrt.NewStatusCache())
		if err != nil {
			return nil, fmt.Errorf("node: %w", err)
		}
		forks = gnrt.NewForks(root, cfg.Ledger)
		if err := forks.PersistGenesis(); err != nil {
			return nil, fmt.Errorf("node: %w", err)
		}
		// Slot 0's bank hash, so a restart need not rebuild the genesis
		// bank (every genesis account) to learn it.
		if err := cfg.Ledger.SetGenesisBankHash(root.Hash()); err != nil {
			return nil, fmt.Errorf("node: %w", err)
		}
		st = start{parent: root, slot: 1, tower: consensus.NewTower()}
	case err != nil:
		return nil, fmt.Errorf("node: load root: %w", err)
	default:
		cfg.Logger.Info("rooted accounts loaded", "root", rootSlot, "accounts", restored, "ms", time.Since(loadBegan).Milliseconds())
		began := time.Now()
		if forks, st, err = restore(cfg, rcfg, rootSlot, accounts); err != nil {
			return nil, fmt.Errorf("node: %w", err)
		}
		cfg.Logger.Info("restarted from the ledger", "root", rootSlot, "replayed_to", st.parent.Slot(),
			"accounts", restored, "ms", time.Since(began).Milliseconds())
	}
	n := &Node{cfg: cfg, log: cfg.Logger, forks: forks, start: st, genesisHash: rcfg.GenesisHash,
		leaders:            consensus.NewLeaders(sysvar.NewEpochSchedule(g.SlotsPerEpoch), g.StakedNodes()),
		tpuToSigverify:     make(chan tpu.Packet, tpuToSigverifyCap),
		signers:            sdk.NewKeyCache(sigverifyKeyCache),
		sigverifyToBanking: make(chan *sdk.Transaction, sigverifyToBankingCap)}
	var err error
	n.tpu, err = tpu.New(tpu.Config{Addr: cfg.TPUAddr, Identity: cfg.Identity, Out: n.tpuToSigverify, Logger: cfg.Logger})
	if err != nil {
		return nil, fmt.Errorf("node: tpu: %w", err)
	}
	if cfg.MetricsAddr != "" {
		if n.metrics, err = net.Listen("tcp", cfg.MetricsAddr); err != nil {
			n.tpu.Close()
			return nil, fmt.Errorf("node: metrics: %w", err)
		}
	}
	if cfg.RPCAddr != "" {
		n.rpc, err = rpc.New(rpc.Config{Addr: cfg.RPCAddr, WSAddr: cfg.RPCWSAddr, Genesis: g, GenesisHash: rcfg.GenesisHash, Ledger: cfg.Ledger,
			Forks: forks, Identity: cfg.Identity, TPUAddr: n.tpu.Addr().String(), Faucet: cfg.Faucet, WSQueue: cfg.RPCWSQueue, Logger: cfg.Logger})
		if err != nil {
			n.tpu.Close()
			if n.metrics != nil {
				n.metrics.Close()
			}
			return nil, fmt.Errorf("node: %w", err)
		}
	}
	return n, nil
}

// GenesisHash is the hash of the node's genesis.
func (n *Node) GenesisHash() sdk.Hash { return n.genesisHash }

// RPCAddr is the JSON-RPC address, or nil.
func (n *Node) RPCAddr() net.Addr {
	if n.rpc == nil {
		return nil
	}
	return n.rpc.Addr()
}

// RPCWSAddr is the PubSub WebSocket address, or nil.
func (n *Node) RPCWSAddr() net.Addr {
	if n.rpc == nil {
		return nil
	}
	return n.rpc.WSAddr()
}

// RPCStats returns the RPC service's counters, or nil without RPC.
func (n *Node) RPCStats() *rpc.Stats {
	if n.rpc == nil {
		return nil
	}
	return n.rpc.Stats()
}

// MetricsAddr is the metrics endpoint's address, or nil.
func (n *Node) MetricsAddr() net.Addr {
	if n.metrics == nil {
		return nil
	}
	return n.metrics.Addr()
}

// TPUAddr is the address the TPU listens on.
func (n *Node) TPUAddr() net.Addr { return n.tpu.Addr() }

// Stats returns the node's counters.
func (n *Node) Stats() *Stats { return &n.stats }

// TPUStats returns the ingest server's counters.
func (n *Node) TPUStats() tpu.Stats { return n.tpu.Stats() }

// Run runs every stage until ctx is cancelled, then stops ingest, finishes
// the current slot, flushes the ledger and returns. It owns every goroutine
// it starts.
func (n *Node) Run(ctx context.Context) error {
	ingestCtx, stopIngest := context.WithCancel(context.Background())
	defer stopIngest()
	var wg sync.WaitGroup
	if n.metrics != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := n.serveMetrics(ingestCtx, n.metrics); err != nil {
				n.log.Error("metrics stopped", "err", err)
			}
		}()
	}
	if n.rpc != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := n.rpc.Serve(ingestCtx); err != nil {
				n.log.Error("rpc stopped", "err", err)
			}
		}()
	}
	wg.Add(2)
	go func() {
		defer wg.Done()
		if err := n.tpu.Serve(ingestCtx); err != nil && !errors.Is(err, tpu.ErrClosed) {
			n.log.Error("tpu stopped", "err", err)
		}
	}()
	go func() {
		defer wg.Done()
		n.sigverify(ingestCtx)
	}()
	err := n.lead(ctx)
	stopIngest()
	n.tpu.Close()
	wg.Wait()
	if serr := n.cfg.Ledger.Sync(); err == nil && serr != nil {
		err = fmt.Errorf("node: final sync: %w", serr)
	}
	return err
}

// sigverify drops duplicate packets, checks every signature with the sdk
// rule on all cores, and forwards the transactions that pass.
//
// Batching adapts to load. Packets wait in one pending batch until a worker
// is free (the hand-off channel is unbuffered), so while every worker is busy
// the next batch grows, up to sigverifyBatch, and an idle node verifies each
// packet at once. Batch verification costs per signature about half as much
// at 64 as at 4 (measured: under full load the node's old dispatcher, which
// handed over whatever had arrived, verified batches of 3.4 on average).
func (n *Node) sigverify(ctx context.Context) {
	workers := max(1, runtime.GOMAXPROCS(0))
	batches := make(chan []tpu.Packet)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bv := sdk.NewBatchVerifier(sigverifyBatch * 2).WithKeyCache(n.signers)
			var verdicts, ok []bool
			var owners []int
			for batch := range batches {
				owners = owners[:0]
				for i, p := range batch {
					msg, err := p.Tx.MessageBytes()
					if err != nil {
						continue
					}
					for j, sig := range p.Tx.Signatures {
						bv.Add(p.Tx.Message.AccountKeys[j], msg, sig)
						owners = append(owners, i)
					}
				}
				n.stats.SigverifyBatches.Add(1)
				n.stats.SigverifySignatures.Add(uint64(bv.Len()))
				verdicts, _ = bv.Verify(verdicts[:0])
				ok = ok[:0]
				for range batch {
					ok = append(ok, true)
				}
				for k, v := range verdicts {
					if !v {
						ok[owners[k]] = false
					}
				}
				for i, p := range batch {
					if !ok[i] {
						n.stats.SigverifyFailed.Add(1)
						continue
					}
					select {
					case n.sigverifyToBanking <- p.Tx:
					default:
						n.stats.BankingQueueFull.Add(1)
					}
				}
			}
		}()
	}
	defer func() {
		close(batches)
		wg.Wait()
	}()
	// Dedup: signatures seen recently, in two generations so memory stays
	// bounded; a transaction that reappears after both rotate is caught by
	// the bank's status cache. A generation also ends after dedupAge, as
	// Agave's deduper resets every few seconds: a transaction the leader
	// dropped (its payer could not pay yet, its entry was full) must be
	// able to come back when RPC re-sends it.
	const generation = 200_000
	const dedupAge = 2 * time.Second
	seen, older := make(map[sdk.Signature]struct{}), make(map[sdk.Signature]struct{})
	rotated := time.Now()
	var pending []tpu.Packet
	wait := time.NewTimer(time.Hour)
	wait.Stop()
	waited := false // the pending batch's first packet has waited sigverifyWait
	for {
		// Offer the pending batch to a free worker once it is worth a batch
		// or its first packet has waited long enough, and stop taking
		// packets when it is full: the TPU's queue then fills and the TPU
		// counts what it drops.
		var handOff chan<- []tpu.Packet
		if len(pending) >= sigverifyMinBatch || (waited && len(pending) > 0) {
			handOff = batches
		}
		var in <-chan tpu.Packet
		if len(pending) < sigverifyBatch {
			in = n.tpuToSigverify
		}
		select {
		case <-ctx.Done():
			return
		case handOff <- pending:
			pending, waited = nil, false // the worker owns it now
			wait.Stop()
		case <-wait.C:
			waited = true
		case p := <-in:
			// Rotate first: when only duplicates arrive (RPC re-sending a
			// transaction the leader dropped) they must still age out.
			if len(seen) > generation || time.Since(rotated) > dedupAge {
				seen, older = make(map[sdk.Signature]struct{}), seen
				rotated = time.Now()
			}
			sig := p.Tx.Signatures[0]
			_, a := seen[sig]
			_, b := older[sig]
			if a || b {
				n.stats.Duplicates.Add(1)
				continue
			}
			seen[sig] = struct{}{}
			if len(pending) == 0 {
				wait.Reset(sigverifyWait)
			}
			pending = append(pending, p)
		}
	}
}

// lead is the leader loop: a bank per slot, fed from the priority buffer
// through the scheduler and executor, entries recorded in PoH, ticks paced to
// wall time; at each slot's end the bank is frozen and the slot stored.
func (n *Node) lead(ctx context.Context) error {
	g := n.cfg.Genesis
	parent := n.start.parent
	rec, err := poh.NewRecorder(parent.LastBlockhash(), n.start.slot*g.TicksPerSlot, g.PohConfig())
	if err != nil {
		return fmt.Errorf("node: poh: %w", err)
	}
	shredder, err := turbine.NewShredder(n.cfg.Identity, genesis.ShredVersion(n.genesisHash))
	if err != nil {
		return fmt.Errorf("node: %w", err)
	}
	exec := gnrt.NewExecutor(0)
	defer exec.Close()
	tick := g.SlotDuration / time.Duration(g.TicksPerSlot)
	var buffer priorityBuffer
	var batch []pending
	var batchTxs, runTxs []*sdk.Transaction
	byTx := make(map[*sdk.Transaction]pending, packChunk)
	v, err := newVoter(g, n.cfg.Identity, n.cfg.TowerPath, n.start.tower, n.forks)
	if err != nil {
		return fmt.Errorf("node: %w", err)
	}
	var voteTx *sdk.Transaction
	next := time.Now()
	for slot := n.start.slot; ; slot++ {
		if ctx.Err() != nil {
			return nil
		}
		// The node produces only its own slots. Another leader's slot
		// would mean waiting for its block, which needs turbine's network
		// (not built yet): refuse rather than produce out of turn.
		if leader, err := n.leaders.Leader(slot); err != nil {
			return fmt.Errorf("node: %w", err)
		} else if leader != n.cfg.Identity.Pubkey() {
			return fmt.Errorf("node: slot %d belongs to leader %s; following other leaders needs turbine's network, not built yet", slot, leader)
		}
		bank, err := gnrt.NewBank(parent, slot, n.cfg.Identity.Pubkey())
		if err != nil {
			return fmt.Errorf("node: slot %d: %w", slot, err)
		}
		if err := n.forks.Insert(bank); err != nil {
			return fmt.Errorf("node: slot %d: %w", slot, err)
		}
		sched := gnrt.NewScheduler(bank.Config())
		start := time.Now()
		n.gauges.slot.Store(slot)
		var entries []poh.Entry
		var committed []*sdk.Transaction
		var results []gnrt.TxResult
		var cu uint64
		// The vote on the parent goes first, through the same pipeline as
		// every transaction: executed, recorded in PoH, stored with the block.
		if voteTx != nil {
			buffer.add(voteTx, ^uint64(0))
			voteTx = nil
		}
		for t := uint64(0); t < g.TicksPerSlot; t++ {
			next = next.Add(tick)
			// Execute what has arrived until the tick is due.
			for {
				n.fill(&buffer)
				if buffer.Len() > 0 && !rec.TickDue() {
					// The best few thousand waiting, not the whole buffer:
					// packing (and sorting) 100,000 queued transactions
					// every time cost more than executing them.
					batch = buffer.take(packChunk, batch[:0])
					batchTxs = batchTxs[:0]
					clear(byTx)
					for _, p := range batch {
						batchTxs = append(batchTxs, p.tx)
						byTx[p.tx] = p
					}
					// PoH records at most one entry per hash of the tick:
					// pack no more entries than the tick has room for.
					maxEntries := 0
					if left, bounded := rec.RecordsLeft(); bounded {
						maxEntries = int(left)
					}
					packed, runs, deferred := sched.Pack(bank, batchTxs, maxEntryTxs, maxEntries)
					for _, d := range deferred {
						buffer.putBack(byTx[d])
					}
					for r, first := range runs {
						// A run's entries share no conflicting lock, so one
						// batch gives the results of executing them entry by
						// entry, with one barrier between the workers instead
						// of one per entry.
						var run [][]*sdk.Transaction
						run, runTxs = gnrt.RunTransactions(packed, runs, r, runTxs[:0])
						// No room left in the tick for the run's entries
						// (Pack bounds them by it, so this is a safeguard):
						// what is not executed goes back to the buffer,
						// uncharged, for the next tick. Nothing is ever
						// executed unrecorded.
						if left, bounded := rec.RecordsLeft(); bounded && left < uint64(len(run)) {
							for _, rest := range packed[first:] {
								sched.Release(bank, rest)
								for _, tx := range rest {
									buffer.putBack(byTx[tx])
								}
							}
							break
						}
						res, err := exec.ExecuteScheduled(bank, runTxs)
						if err != nil {
							return fmt.Errorf("node: slot %d: own entries %d to %d: %w", slot, first, first+len(run)-1, err)
						}
						for _, e := range run {
							entryRes := res[:len(e)]
							res = res[len(e):]
							var landed []*sdk.Transaction
							for i := range entryRes {
								n.stats.Transactions.Add(1)
								if !entryRes[i].Committed {
									n.stats.Dropped.Add(1)
									continue
								}
								landed = append(landed, e[i])
								results = append(results, entryRes[i])
								cu += entryRes[i].ComputeUnits
								if entryRes[i].Err != nil {
									n.stats.Failed.Add(1)
								}
							}
							if len(landed) == 0 {
								continue
							}
							entry, err := rec.Record(poh.MixinOf(landed), landed)
							if err != nil {
								return fmt.Errorf("node: slot %d: record: %w", slot, err)
							}
							entries = append(entries, entry)
							committed = append(committed, landed...)
							if slices.ContainsFunc(landed, func(tx *sdk.Transaction) bool { return vote.IsVoteTransaction(&tx.Message) }) {
								n.confirmFromVotes(v, bank)
							}
						}
					}
				}
				if ctx.Err() != nil || !time.Now().Before(next) {
					break
				}
				// Nothing to do: wait for work or the tick, whichever is first.
				timer := time.NewTimer(time.Until(next))
				select {
				case tx := <-n.sigverifyToBanking:
					buffer.add(tx, priceOf(tx))
				case <-timer.C:
				case <-ctx.Done():
				}
				timer.Stop()
			}
			n.gauges.bufferDepth.Store(uint64(buffer.Len()))
			rec.Hash(g.HashesPerTick)
			entries = append(entries, rec.Tick())
		}
		hash := bank.Freeze(rec.CurrentHash())
		if err := n.store(shredder, bank, entries, committed, results); err != nil {
			return err
		}
		// Fork choice takes in the frozen slot and every validator's latest
		// vote as this bank holds it; the node votes on the slot if its
		// tower allows (tower saved first); commitment follows, and what
		// two thirds of the stake have rooted is rooted.
		if err := v.observe(bank); err != nil {
			return fmt.Errorf("node: slot %d: fork choice: %w", slot, err)
		}
		if voteTx, err = v.vote(bank); err != nil {
			return fmt.Errorf("node: slot %d: vote: %w", slot, err)
		}
		levels := v.agg.Levels(bank.Slot(), v.fork)
		n.gauges.confirmed.Store(levels.Confirmed)
		if levels.HasFinalized && levels.Finalized > n.forks.Root().Slot() {
			if err := n.root(levels.Finalized); err != nil {
				return err
			}
			if err := v.fc.SetRoot(levels.Finalized); err != nil {
				return fmt.Errorf("node: root %d: fork choice: %w", levels.Finalized, err)
			}
		}
		if lim := n.cfg.LimitLedgerShreds; lim > 0 && slot%100 == 0 {
			if _, err := n.cfg.Ledger.PruneToLimit(lim); err != nil {
				return fmt.Errorf("node: slot %d: prune: %w", slot, err)
			}
		}
		if n.rpc != nil {
			conf := n.forks.Root()
			if levels.HasConfirmed {
				if b := n.forks.Get(levels.Confirmed); b != nil {
					conf = b
				}
			}
			n.rpc.Publish(rpc.SlotUpdate{Bank: bank, Transactions: committed, Results: results,
				Entries: len(entries), Confirmed: conf, Root: n.forks.Root()})
		}
		n.gauges.root.Store(n.forks.Root().Slot())
		n.gauges.slotNanos.Store(int64(time.Since(start)))
		n.stats.Slots.Add(1)
		n.stats.Committed.Add(uint64(len(committed)))
		n.log.Info("slot", "slot", slot, "txs", len(committed), "cu", cu, "entries", len(entries),
			"confirmed", levels.Confirmed, "finalized", n.forks.Root().Slot(), "hash", hash, "ms", time.Since(start).Milliseconds())
		// Build on the heaviest fork; with one validator, the slot just frozen.
		parent = bank
		if best := n.forks.Get(v.fc.BestSlot()); best != nil && best.IsFrozen() {
			parent = best
		}
	}
}

// root makes slot the root in the runtime (squash, persist accounts) and in
// the ledger, with every slot between the old root and it.
func (n *Node) root(slot uint64) error {
	old := n.forks.Root().Slot()
	if err := n.forks.SetRoot(slot); err != nil {
		return fmt.Errorf("node: root %d: %w", slot, err)
	}
	slots := make([]uint64, 0, slot-old)
	for s := old + 1; s <= slot; s++ {
		slots = append(slots, s)
	}
	if err := n.cfg.Ledger.SetRoots(slots); err != nil {
		return fmt.Errorf("node: root %d: %w", slot, err)
	}
	return nil
}

// voter holds the node's tower, fork choice and the commitment aggregator.
type voter struct {
	identity  sdk.Keypair
	voteAcct  sdk.Pubkey
	towerPath string
	tower     *consensus.Tower
	fc        *consensus.ForkChoice
	agg       *consensus.Aggregator
	stakes    map[sdk.Pubkey]uint64 // vote account -> stake
	total     uint64
	fork      consensus.Ancestors
}

func newVoter(g *genesis.Genesis, identity sdk.Keypair, towerPath string, tower *consensus.Tower, forks *gnrt.Forks) (*voter, error) {
	v := &voter{identity: identity, towerPath: towerPath, tower: tower, fc: consensus.NewForkChoice(forks.Root().Slot()),
		stakes: make(map[sdk.Pubkey]uint64), fork: consensus.NewAncestors(forks.Banks()...)}
	for _, val := range g.Validators {
		v.stakes[val.VoteAccount] = val.StakeLamports
		v.total += val.StakeLamports
		if val.Identity == identity.Pubkey() {
			v.voteAcct = val.VoteAccount
		}
	}
	// The banks a restart replayed above the root are already forks.
	for _, s := range forks.Banks() {
		if b := forks.Get(s); b != nil && s != forks.Root().Slot() {
			if err := v.fc.AddSlot(s, b.ParentSlot()); err != nil {
				return nil, fmt.Errorf("fork choice: %w", err)
			}
		}
	}
	v.agg = consensus.NewAggregator(v.total)
	return v, nil
}

// confirmFromVotes publishes the confirmed level that votes executed so far
// in bank, the slot being produced, have reached. Agave counts a vote for
// optimistic confirmation when its transaction commits (banking stage and
// replay send it to the vote listener at once), not when the block that
// carries it freezes; waiting for the freeze made every confirmation a slot
// late. Fork choice still takes votes from frozen banks only (observe).
func (n *Node) confirmFromVotes(v *voter, bank *gnrt.Bank) {
	// Only fork choice can fail a vote, and this leaves fork choice out.
	_ = v.observeVotes(bank, false)
	levels := v.agg.Levels(bank.ParentSlot(), v.fork)
	if !levels.HasConfirmed {
		return
	}
	conf := n.forks.Get(levels.Confirmed)
	if conf == nil || !conf.IsFrozen() {
		return
	}
	n.gauges.confirmed.Store(levels.Confirmed)
	if n.rpc != nil {
		n.rpc.PublishConfirmed(conf) // a level that does not advance changes nothing
	}
}

// observe adds a frozen bank to fork choice and takes in every staked
// validator's vote account as the bank holds it, for fork choice (latest
// votes) and commitment.
func (v *voter) observe(bank *gnrt.Bank) error {
	if !v.fc.Contains(bank.Slot()) {
		if err := v.fc.AddSlot(bank.Slot(), bank.ParentSlot()); err != nil {
			return err
		}
	}
	v.fork[bank.Slot()] = struct{}{}
	return v.observeVotes(bank, true)
}

// observeVotes takes in every staked validator's vote account as bank holds
// it: into the commitment aggregator, and into fork choice when forkChoice
// is set (bank is frozen and in fork choice).
func (v *voter) observeVotes(bank *gnrt.Bank, forkChoice bool) error {
	for acct, stake := range v.stakes {
		a := bank.Account(acct)
		if a == nil {
			continue
		}
		st, err := vote.DecodeState(a.Data)
		if err != nil {
			continue
		}
		last, ok := st.LastVotedSlot()
		if !ok {
			continue
		}
		tower := make([]uint64, 0, len(st.Votes))
		for _, lv := range st.Votes {
			tower = append(tower, lv.Slot)
		}
		v.agg.Observe(consensus.Observation{Validator: acct, Slot: last, HasRoot: st.HasRoot, Root: st.RootSlot, Stake: stake, Tower: tower})
		// A vote already counted, or for a slot below the fork-choice root,
		// changes nothing there.
		if forkChoice && v.fc.Contains(last) {
			if err := v.fc.Vote(acct, last, stake); err != nil && !errors.Is(err, consensus.ErrVoteNotAdvanced) {
				return err
			}
		}
	}
	return nil
}

// vote records a vote on the frozen bank in the tower, saves the tower, and
// returns the TowerSync transaction to execute in the next slot: persist,
// then send, so a crash can never forget a lockout already promised. It
// returns no transaction when the tower may not vote on the slot: locked
// out on another fork, or the vote 8 deep not yet backed by two thirds of
// the stake (Tower-BFT's threshold).
func (v *voter) vote(bank *gnrt.Bank) (*sdk.Transaction, error) {
	slot := bank.Slot()
	if anc, err := v.fc.Fork(slot); err == nil && v.tower.IsLockedOut(slot, anc) {
		return nil, nil
	}
	if voted, err := v.fc.VotedStakes(slot); err == nil && !v.tower.CheckVoteStakeThreshold(slot, voted, v.total) {
		return nil, nil
	}
	v.tower.RecordVote(slot, bank.Hash())
	if v.towerPath != "" {
		if err := writeFileAtomic(v.towerPath, v.tower.Marshal()); err != nil {
			return nil, fmt.Errorf("save tower: %w", err)
		}
	}
	ts := bank.Clock().UnixTimestamp
	data, err := v.tower.TowerSyncData(bank.Hash(), &ts)
	if err != nil {
		return nil, err
	}
	ix := sdk.Instruction{ProgramID: vote.ID, Data: data, Accounts: []sdk.AccountMeta{
		{Pubkey: v.voteAcct, IsWritable: true}, {Pubkey: v.identity.Pubkey(), IsSigner: true}}}
	return sdk.NewTransaction([]sdk.Instruction{ix}, bank.LastBlockhash(), v.identity)
}

// fill moves what sigverify has passed into the buffer, shedding the lowest
// prices when the buffer is full.
func (n *Node) fill(buffer *priorityBuffer) {
	for {
		select {
		case tx := <-n.sigverifyToBanking:
			buffer.add(tx, priceOf(tx))
			continue
		default:
		}
		break
	}
	if shed := buffer.shed(bankingBufferCap); shed > 0 {
		n.stats.Shed.Add(uint64(shed))
	}
}

func priceOf(tx *sdk.Transaction) uint64 {
	b, fail := computebudget.Parse(&tx.Message, nil)
	if fail != nil {
		return 0
	}
	return b.ComputeUnitPrice
}

// store writes a frozen slot to the ledger: its entries as signed shreds,
// its transactions' statuses, its bank hash, time and height, then syncs, so
// the slot is durable before it is reported anywhere.
func (n *Node) store(shredder *turbine.Shredder, bank *gnrt.Bank, entries []poh.Entry, txs []*sdk.Transaction, results []gnrt.TxResult) error {
	slot := bank.Slot()
	l := n.cfg.Ledger
	data, err := poh.EncodeEntries(entries)
	if err != nil {
		return fmt.Errorf("node: slot %d: encode entries: %w", slot, err)
	}
	shreds, err := shredder.Shred(turbine.SlotHeader{Slot: slot, Parent: bank.ParentSlot()}, data)
	if err != nil {
		return fmt.Errorf("node: slot %d: shred: %w", slot, err)
	}
	records := make([]ledger.ShredRecord, 0, len(shreds))
	for _, b := range shreds {
		s, err := shred.Parse(append([]byte(nil), b...))
		if err != nil {
			return fmt.Errorf("node: slot %d: own shred: %w", slot, err)
		}
		records = append(records, turbine.Record(s))
	}
	if _, err := l.InsertShreds(records); err != nil {
		return fmt.Errorf("node: slot %d: %w", slot, err)
	}
	statuses := make([]ledger.StatusRecord, 0, len(txs))
	for i, tx := range txs {
		keys := append(append(append([]sdk.Pubkey(nil), tx.Message.AccountKeys...),
			results[i].LoadedAddresses.Writable...), results[i].LoadedAddresses.Readonly...)
		rec, err := ledger.StatusFromResult(tx.Signatures[0], slot, uint32(i), keys, &results[i])
		if err != nil {
			return fmt.Errorf("node: slot %d: status: %w", slot, err)
		}
		statuses = append(statuses, rec)
	}
	if err := l.WriteStatuses(slot, statuses); err != nil {
		return fmt.Errorf("node: slot %d: %w", slot, err)
	}
	for _, err := range []error{l.SetBankHash(slot, bank.Hash()), l.SetBlockTime(slot, bank.Clock().UnixTimestamp),
		l.SetBlockHeight(slot, bank.BlockHeight()), l.Sync()} {
		if err != nil {
			return fmt.Errorf("node: slot %d: %w", slot, err)
		}
	}
	return nil
}
