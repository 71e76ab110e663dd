package runtime

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/zeebo/blake3"

	"github.com/gnomon-chain/gnomon/runtime/invoke"
	"github.com/gnomon-chain/gnomon/runtime/programs/token"
	"github.com/gnomon-chain/gnomon/runtime/sysvar"
	"github.com/gnomon-chain/gnomon/sdk"
)

// ErrFrozen is returned when something tries to change a frozen bank.
var ErrFrozen = errors.New("runtime: bank is frozen")

// Bank is the state of one slot on one fork. A bank is built by one goroutine
// at a time (ProcessTransactions, ExecuteEntry, ExecuteScheduled, Freeze);
// once frozen it never changes and any goroutine may read it.
type Bank struct {
	cfg      *Config
	accounts *Accounts
	status   *StatusCache

	// parent is the bank this one forked from, until it is rooted: the
	// chain of unrooted ancestors answers index queries (AccountsByOwner).
	parentMu   sync.RWMutex
	parent     *Bank
	slot       uint64
	parentSlot uint64
	parentHash sdk.Hash
	// ancestors are the slots of this bank's fork, ascending, as far back as
	// a blockhash can be young; together with slot they decide which account
	// versions and status entries this bank sees.
	ancestors []uint64
	collector sdk.Pubkey

	blockhashes *blockhashQueue
	slotHashes  []sysvar.SlotHash
	env         invoke.Env
	// reservedAccts holds the builtin program and sysvar accounts as of the
	// bank's start. Transactions never write them and every transaction
	// reads some, so execution takes them from here rather than from the
	// shared store, whose shard locks they would make hot.
	reservedAccts map[sdk.Pubkey]*sdk.Account

	// written is every key committed in this slot, in commit order and with
	// repeats (appending is what lets workers commit concurrently), for the
	// delta hash, the squash and the indexes; sigs every signature committed
	// in this slot. Both only grow, under writtenMu.
	writtenMu sync.Mutex
	written   chunkList[sdk.Pubkey]
	sigs      chunkList[sdk.Signature]

	signatureCount   atomic.Uint64
	transactionCount atomic.Uint64
	feesBase         atomic.Uint64
	feesPriority     atomic.Uint64

	frozen  atomic.Bool
	hash    sdk.Hash
	lastPoH sdk.Hash

	// restoredSigs are the signatures a bank rebuilt from a ledger
	// (NewBankFromRoot) put in the status cache, per slot, for Forks to
	// purge when their slots age out.
	restoredSigs []slotSigs

	// blockHeight counts the blocks beneath this one; capitalization is
	// the lamports in existence once frozen (fee burns are the only sink).
	blockHeight    uint64
	capitalization uint64
}

// sees implements forkView.
func (b *Bank) sees(slot uint64) bool {
	if slot == b.slot {
		return true
	}
	_, found := slices.BinarySearch(b.ancestors, slot)
	return found
}

// Slot is the bank's slot.
func (b *Bank) Slot() uint64 { return b.slot }

// ParentSlot is the slot of the bank this one forked from.
func (b *Bank) ParentSlot() uint64 { return b.parentSlot }

// IsFrozen reports whether Freeze has run.
func (b *Bank) IsFrozen() bool { return b.frozen.Load() }

// Hash is the bank hash; only meaningful once frozen.
func (b *Bank) Hash() sdk.Hash { return b.hash }

// LastBlockhash is the newest blockhash a transaction executed in this bank
// may name; after Freeze it is this bank's own last PoH hash.
func (b *Bank) LastBlockhash() sdk.Hash { return b.blockhashes.last() }

// IsBlockhashValid reports whether a transaction may still name h here.
func (b *Bank) IsBlockhashValid(h sdk.Hash) bool {
	_, ok := b.blockhashes.valid(h)
	return ok
}

// SignatureCount, TransactionCount and CollectedFees are this slot's totals.
func (b *Bank) SignatureCount() uint64   { return b.signatureCount.Load() }
func (b *Bank) TransactionCount() uint64 { return b.transactionCount.Load() }
func (b *Bank) CollectedFees() uint64    { return b.feesBase.Load() + b.feesPriority.Load() }

// BlockHeight is the number of blocks beneath this one (genesis is 0); it
// differs from the slot once a leader skips a slot.
func (b *Bank) BlockHeight() uint64 { return b.blockHeight }

// Capitalization is the total lamports of every account once the bank is
// frozen: the genesis supply less every burned fee.
func (b *Bank) Capitalization() uint64 { return b.capitalization }

// Config is the bank's genesis parameters.
func (b *Bank) Config() *Config { return b.cfg }

// Clock is the bank's Clock sysvar.
func (b *Bank) Clock() sysvar.Clock { return b.env.Clock }

// Account returns the account at k as this bank sees it, or nil.
func (b *Bank) Account(k sdk.Pubkey) *sdk.Account { return b.accounts.load(b, k) }

// Balance is k's lamports (0 if it does not exist).
func (b *Bank) Balance(k sdk.Pubkey) uint64 {
	if a := b.Account(k); a != nil {
		return a.Lamports
	}
	return 0
}

// NewGenesisBank creates slot 0 holding the genesis accounts, freezes it and
// returns it; it is the first root.
func NewGenesisBank(cfg Config, genesisAccounts map[sdk.Pubkey]sdk.Account, accounts *Accounts, status *StatusCache) (*Bank, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("genesis bank: %w", err)
	}
	b := &Bank{cfg: &cfg, accounts: accounts, status: status, blockhashes: newBlockhashQueue(cfg.MaxProcessingAge)}
	b.blockhashes.register(cfg.GenesisHash, cfg.LamportsPerSignature)
	for k := range cfg.Programs {
		if _, ok := genesisAccounts[k]; !ok {
			b.storeVersion(k, &sdk.Account{Lamports: 1, Owner: sdk.NativeLoaderID, Executable: true, Data: []byte(cfg.Programs[k].Name)})
		}
	}
	for k, a := range genesisAccounts {
		acct := a.Clone()
		b.storeVersion(k, &acct)
	}
	// Wrapped SOL needs its mint to exist for the Checked instructions.
	if _, ok := cfg.Programs[token.ID]; ok {
		if _, given := genesisAccounts[sdk.NativeMintID]; !given {
			m := token.Mint{Decimals: 9, IsInitialized: true}
			data := m.Encode()
			b.storeVersion(sdk.NativeMintID, &sdk.Account{Lamports: cfg.Rent.MinimumBalance(len(data)), Owner: token.ID, Data: data})
		}
	}
	b.updateSysvars()
	for _, k := range b.WrittenKeys() {
		if a := b.Account(k); a != nil {
			b.capitalization += a.Lamports
		}
	}
	b.Freeze(cfg.GenesisHash)
	// The genesis bank is born rooted.
	for _, k := range b.WrittenKeys() {
		accounts.squashKey(k, 0, func(s uint64) bool { return s == 0 })
	}
	return b, nil
}

// NewBank forks a bank for slot from a frozen parent; collector receives the
// slot's fees.
func NewBank(parent *Bank, slot uint64, collector sdk.Pubkey) (*Bank, error) {
	if !parent.IsFrozen() {
		return nil, fmt.Errorf("new bank %d: parent %d is not frozen", slot, parent.slot)
	}
	if slot <= parent.slot {
		return nil, fmt.Errorf("new bank %d: not after parent %d", slot, parent.slot)
	}
	b := &Bank{cfg: parent.cfg, accounts: parent.accounts, status: parent.status, slot: slot, parent: parent,
		parentSlot: parent.slot, parentHash: parent.hash, collector: collector,
		blockhashes: parent.blockhashes.clone(), blockHeight: parent.blockHeight + 1,
		capitalization: parent.capitalization}
	// Keep the ancestors a young blockhash can reach: one per block.
	keep := int(parent.cfg.MaxProcessingAge) + 2
	anc := append(parent.ancestors, parent.slot)
	if len(anc) > keep {
		anc = anc[len(anc)-keep:]
	}
	b.ancestors = slices.Clone(anc)
	b.slotHashes = append([]sysvar.SlotHash{{Slot: parent.slot, Hash: parent.hash}}, parent.slotHashes...)
	if len(b.slotHashes) > sysvar.MaxSlotHashes {
		b.slotHashes = b.slotHashes[:sysvar.MaxSlotHashes]
	}
	b.updateSysvars()
	return b, nil
}

// updateSysvars sets the slot's sysvars in the environment and stores them
// as accounts, as Solana does at the start of every bank.
func (b *Bank) updateSysvars() {
	cfg := b.cfg
	sched := sysvar.NewEpochSchedule(cfg.SlotsPerEpoch)
	epoch, _ := sched.Epoch(b.slot)
	clock := sysvar.Clock{
		Slot:                b.slot,
		Epoch:               epoch,
		LeaderScheduleEpoch: sched.LeaderScheduleEpoch(b.slot),
		UnixTimestamp:       cfg.CreationTime + int64(b.slot)*cfg.SlotDurationNs/1e9,
		EpochStartTimestamp: cfg.CreationTime + int64(sched.FirstSlot(epoch))*cfg.SlotDurationNs/1e9,
	}
	recent := b.blockhashes.recent(sysvar.MaxRecentBlockhashes)
	b.env = invoke.Env{
		Programs:             cfg.Programs,
		Clock:                clock,
		Rent:                 cfg.Rent,
		EpochSchedule:        sched,
		RecentBlockhashes:    recent,
		SlotHashes:           b.slotHashes,
		Blockhash:            b.blockhashes.last(),
		LamportsPerSignature: cfg.LamportsPerSignature,
	}
	b.storeSysvar(sdk.SysvarClockID, clock.Encode())
	b.storeSysvar(sdk.SysvarRentID, cfg.Rent.Encode())
	b.storeSysvar(sdk.SysvarEpochScheduleID, sched.Encode())
	b.storeSysvar(sdk.SysvarSlotHashesID, sysvar.EncodeSlotHashes(b.slotHashes))
	b.storeSysvar(sdk.SysvarRecentBlockhashes, sysvar.EncodeRecentBlockhashes(recent))
	b.reservedAccts = make(map[sdk.Pubkey]*sdk.Account, len(cfg.reserved))
	for k := range cfg.reserved {
		if a := b.accounts.load(b, k); a != nil {
			b.reservedAccts[k] = a
		}
	}
}

func (b *Bank) storeSysvar(k sdk.Pubkey, data []byte) {
	lamports := max(1, b.cfg.Rent.MinimumBalance(len(data)))
	// A sysvar that grows (SlotHashes, at first) is kept rent-exempt with
	// lamports from nowhere, as Solana does: they count in the supply.
	if old := b.Account(k); old != nil {
		b.capitalization += lamports - old.Lamports
	} else if b.slot > 0 {
		b.capitalization += lamports
	}
	b.storeVersion(k, &sdk.Account{Lamports: lamports, Owner: sdk.SysvarOwnerID, Data: data})
}

// storeVersion records acct as k's state in this slot.
func (b *Bank) storeVersion(k sdk.Pubkey, acct *sdk.Account) {
	b.accounts.store(b.slot, k, acct)
	b.writtenMu.Lock()
	b.written.append(k)
	b.writtenMu.Unlock()
}

// noteCommitted records keys and signatures a worker committed.
func (b *Bank) noteCommitted(keys []sdk.Pubkey, sigs []sdk.Signature) {
	b.writtenMu.Lock()
	b.written.append(keys...)
	b.sigs.append(sigs...)
	b.writtenMu.Unlock()
}

// Freeze credits the slot's fees to the collector, computes the bank hash
// from the parent's hash, the accounts changed in this slot, the signature
// count and lastPoH (the slot's final PoH hash), and registers lastPoH as
// the newest blockhash. A frozen bank never changes.
func (b *Bank) Freeze(lastPoH sdk.Hash) sdk.Hash {
	if b.frozen.Load() {
		return b.hash
	}
	b.payCollector()
	b.capitalization -= b.feesBase.Load() / 2
	b.lastPoH = lastPoH
	delta := b.accountsDeltaHash()
	h := blake3.New()
	h.Write(b.parentHash[:])
	h.Write(delta[:])
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], b.signatureCount.Load())
	h.Write(n[:])
	h.Write(lastPoH[:])
	h.Sum(b.hash[:0])
	if b.slot > 0 {
		b.blockhashes.register(lastPoH, b.cfg.LamportsPerSignature)
	}
	b.frozen.Store(true)
	return b.hash
}

// payCollector gives the collector half the base fees and all priority fees;
// the other half of base fees is burned, as on Solana.
func (b *Bank) payCollector() {
	reward := b.feesBase.Load() - b.feesBase.Load()/2 + b.feesPriority.Load()
	if reward == 0 || b.collector.IsZero() {
		return
	}
	acct := sdk.Account{Owner: sdk.SystemProgramID}
	if cur := b.Account(b.collector); cur != nil {
		acct = cur.Clone()
	}
	acct.Lamports += reward
	b.storeVersion(b.collector, &acct)
}

// AccountHash is blake3(lamports, rent epoch, data, executable, owner,
// address); a closed (zero-lamport) account hashes to zero.
func AccountHash(k sdk.Pubkey, a *sdk.Account) sdk.Hash {
	var out sdk.Hash
	if a == nil || a.Lamports == 0 {
		return out
	}
	h := blake3.New()
	var buf [17]byte
	binary.LittleEndian.PutUint64(buf[0:], a.Lamports)
	binary.LittleEndian.PutUint64(buf[8:], a.RentEpoch)
	h.Write(buf[:16])
	h.Write(a.Data)
	if a.Executable {
		buf[16] = 1
	}
	h.Write(buf[16:17])
	h.Write(a.Owner[:])
	h.Write(k[:])
	h.Sum(out[:0])
	return out
}

// accountsDeltaHash hashes (address, account hash) of every account written
// in this slot, in address order, so it is independent of execution order.
func (b *Bank) accountsDeltaHash() sdk.Hash {
	keys := b.WrittenKeys()
	h := blake3.New()
	for _, k := range keys {
		ah := AccountHash(k, b.accounts.versionAt(b.slot, k))
		h.Write(k[:])
		h.Write(ah[:])
	}
	var out sdk.Hash
	h.Sum(out[:0])
	return out
}

// WrittenKeys lists the accounts committed in this slot, in address order,
// each once.
func (b *Bank) WrittenKeys() []sdk.Pubkey {
	b.writtenMu.Lock()
	keys := b.written.all()
	b.writtenMu.Unlock()
	slices.SortFunc(keys, func(x, y sdk.Pubkey) int { return bytes.Compare(x[:], y[:]) })
	return slices.Compact(keys)
}

// committedSigs lists the signatures committed in this slot.
func (b *Bank) committedSigs() []sdk.Signature {
	b.writtenMu.Lock()
	defer b.writtenMu.Unlock()
	return b.sigs.all()
}

// unrootedChain returns this bank and its ancestors above the root, newest first.
func (b *Bank) unrootedChain() []*Bank {
	var out []*Bank
	for cur := b; cur != nil; {
		out = append(out, cur)
		cur.parentMu.RLock()
		next := cur.parent
		cur.parentMu.RUnlock()
		cur = next
	}
	return out
}

// detachParent cuts the chain at a new root, so the banks below it can be
// collected.
func (b *Bank) detachParent() {
	b.parentMu.Lock()
	b.parent = nil
	b.parentMu.Unlock()
}

// query answers an index question: the rooted index's candidates plus every
// key written on this fork above the root, filtered by match on the
// account as this bank sees it.
func (b *Bank) query(rooted []sdk.Pubkey, match func(*sdk.Account) bool) []KeyedAccount {
	seen := make(map[sdk.Pubkey]struct{}, len(rooted))
	var out []KeyedAccount
	consider := func(k sdk.Pubkey) {
		if _, dup := seen[k]; dup {
			return
		}
		seen[k] = struct{}{}
		if a := b.Account(k); a != nil && match(a) {
			out = append(out, KeyedAccount{Pubkey: k, Account: a})
		}
	}
	for _, k := range rooted {
		consider(k)
	}
	for _, anc := range b.unrootedChain() {
		for _, k := range anc.WrittenKeys() {
			consider(k)
		}
	}
	slices.SortFunc(out, func(x, y KeyedAccount) int { return bytes.Compare(x.Pubkey[:], y.Pubkey[:]) })
	return out
}

// KeyedAccount is an account with its address.
type KeyedAccount struct {
	Pubkey  sdk.Pubkey
	Account *sdk.Account
}

// AccountsByOwner lists the accounts program owns, as this bank sees them,
// in address order.
func (b *Bank) AccountsByOwner(program sdk.Pubkey) []KeyedAccount {
	return b.query(b.accounts.index.RootedByOwner(program), func(a *sdk.Account) bool { return a.Owner == program })
}

// TokenAccountsByMint lists the SPL Token accounts of mint.
func (b *Bank) TokenAccountsByMint(mint sdk.Pubkey) []KeyedAccount {
	return b.query(b.accounts.index.RootedTokenAccountsByMint(mint), func(a *sdk.Account) bool {
		m, _, ok := tokenKeys(a)
		return ok && m == mint
	})
}

// TokenAccountsByOwner lists the SPL Token accounts whose token owner is owner.
func (b *Bank) TokenAccountsByOwner(owner sdk.Pubkey) []KeyedAccount {
	return b.query(b.accounts.index.RootedTokenAccountsByOwner(owner), func(a *sdk.Account) bool {
		_, o, ok := tokenKeys(a)
		return ok && o == owner
	})
}
