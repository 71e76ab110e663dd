package ledger

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/gnomon-chain/gnomon/runtime"
	"github.com/gnomon-chain/gnomon/sdk"
)

// The crash test runs a seeded workload (shred batches, status batches,
// synced root batches with account changes, syncs, prunes) on pebble's
// crashable in-memory filesystem, cuts power at random points, reopens
// each crashed copy and checks it against a model of the workload.
//
// Power is cut two ways: between two ledger calls, and inside a WAL fsync
// (the filesystem hook clones the disk before the fsync happens, which is a
// crash in the middle of a synced root batch). Each cut keeps a random
// share of the unsynced writes, block by block, as a real disk might.
//
// What must hold after every cut: the ledger opens; the recovered state is
// exactly the state after some prefix of the workload's calls, never a part
// of one (no half-written shred batch, status or root); that prefix covers
// every call acknowledged before the last acknowledged fsync; the accounts
// are exactly those of the recovered root; every slot's Consumed counts its
// contiguous stored shreds and a full slot reads back its exact bytes.

const crashSeedsDefault = 260

type opKind int

const (
	opShreds opKind = iota
	opStatuses
	opRoot
	opSync
	opPrune
)

type crashOp struct {
	kind     opKind
	shreds   []ShredRecord
	slot     uint64
	statuses []StatusRecord
	hash     sdk.Hash
	changes  []runtime.AccountChange
	// accounts is the model's rooted accounts after this root op.
	accounts map[sdk.Pubkey]sdk.Account
}

// crashWorkload builds a seeded workload over a few slots.
func crashWorkload(rng *rand.Rand) (ops []crashOp, slots map[uint64][]ShredRecord) {
	slots = make(map[uint64][]ShredRecord)
	keys := make([]sdk.Pubkey, 8)
	for i := range keys {
		keys[i] = randKey(rng)
	}
	accounts := make(map[sdk.Pubkey]sdk.Account)
	nslots := 3 + rng.IntN(4)
	for slot := uint64(1); slot <= uint64(nslots); slot++ {
		shreds := testSlot(rng, slot, slot-1, 2+rng.IntN(10), 20+rng.IntN(200))
		slots[slot] = shreds
		all := append(slices2(shreds), testCoding(rng, slot, slot-1, rng.IntN(3), 64)...)
		rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
		for len(all) > 0 {
			n := 1 + rng.IntN(len(all))
			ops = append(ops, crashOp{kind: opShreds, shreds: all[:n]})
			all = all[n:]
		}
		var sts []StatusRecord
		for pos := range uint32(1 + rng.IntN(3)) {
			sts = append(sts, testStatus(rng, slot, pos, keys[rng.IntN(4):][:3]))
		}
		ops = append(ops, crashOp{kind: opStatuses, slot: slot, statuses: sts})
		if rng.IntN(4) == 0 {
			ops = append(ops, crashOp{kind: opSync})
		}
		if rng.IntN(2) == 0 || slot == uint64(nslots) {
			var cs []runtime.AccountChange
			for _, k := range keys {
				if rng.IntN(2) == 0 {
					continue
				}
				a := sdk.Account{Lamports: rng.Uint64N(3) * 7, Owner: randKey(rng), RentEpoch: slot, Data: make([]byte, rng.IntN(2500))}
				cs = append(cs, runtime.AccountChange{Pubkey: k, Account: a})
				if a.Lamports == 0 {
					delete(accounts, k)
				} else {
					accounts[k] = a.Clone()
				}
			}
			snap := make(map[sdk.Pubkey]sdk.Account, len(accounts))
			for k, a := range accounts {
				snap[k] = a
			}
			ops = append(ops, crashOp{kind: opRoot, slot: slot, hash: sdk.Hash{byte(slot), byte(rng.Uint32())}, changes: cs, accounts: snap})
			if slot > 2 && rng.IntN(3) == 0 {
				ops = append(ops, crashOp{kind: opPrune, slot: slot - 1})
			}
		}
	}
	return ops, slots
}

func slices2(s []ShredRecord) []ShredRecord { return append([]ShredRecord(nil), s...) }

// crashPoint is a crashed copy of the disk and what the workload had done.
type crashPoint struct {
	fs *vfs.MemFS
	// done ops had returned; inflight says op done was running.
	done     int
	inflight bool
	// durable ops are covered by an acknowledged fsync.
	durable int
	where   string
}

// syncHookFS calls hook before every fsync of a WAL file, and writeHook
// before every write to one.
type syncHookFS struct {
	vfs.FS
	hook, writeHook func()
}

func (fs *syncHookFS) wrap(f vfs.File, name string, err error) (vfs.File, error) {
	if err != nil || !strings.HasSuffix(name, ".log") {
		return f, err
	}
	return &syncHookFile{File: f, hook: fs.hook, writeHook: fs.writeHook}, nil
}

func (fs *syncHookFS) Create(name string, c vfs.DiskWriteCategory) (vfs.File, error) {
	f, err := fs.FS.Create(name, c)
	return fs.wrap(f, name, err)
}

func (fs *syncHookFS) ReuseForWrite(old, name string, c vfs.DiskWriteCategory) (vfs.File, error) {
	f, err := fs.FS.ReuseForWrite(old, name, c)
	return fs.wrap(f, name, err)
}

func (fs *syncHookFS) OpenReadWrite(name string, c vfs.DiskWriteCategory, opts ...vfs.OpenOption) (vfs.File, error) {
	f, err := fs.FS.OpenReadWrite(name, c, opts...)
	return fs.wrap(f, name, err)
}

type syncHookFile struct {
	vfs.File
	hook, writeHook func()
}

func (f *syncHookFile) Write(p []byte) (int, error) {
	f.writeHook()
	return f.File.Write(p)
}

func (f *syncHookFile) Sync() error     { f.hook(); return f.File.Sync() }
func (f *syncHookFile) SyncData() error { f.hook(); return f.File.SyncData() }
func (f *syncHookFile) SyncTo(n int64) (bool, error) {
	f.hook()
	return f.File.SyncTo(n)
}

func applyOp(l *Ledger, op *crashOp) error {
	switch op.kind {
	case opShreds:
		_, err := l.InsertShreds(op.shreds)
		return err
	case opStatuses:
		return l.WriteStatuses(op.slot, op.statuses)
	case opRoot:
		return l.PersistRoot(op.slot, op.hash, op.changes)
	case opSync:
		return l.Sync()
	case opPrune:
		_, err := l.PruneBelow(op.slot)
		return err
	}
	return fmt.Errorf("unknown op %d", op.kind)
}

func TestCrashRecoversAPrefixOfTheWorkload(t *testing.T) {
	seeds := crashSeedsDefault
	if raceEnabled || testing.Short() {
		seeds = 30
	}
	crashes := 0
	for seed := range uint64(seeds) {
		crashes += runCrashSeed(t, seed)
	}
	t.Logf("%d seeds, %d crashes verified", seeds, crashes)
	if seeds == crashSeedsDefault && crashes < 1000 {
		t.Fatalf("only %d crashes", crashes)
	}
}

func runCrashSeed(t *testing.T, seed uint64) int {
	rng := rand.New(rand.NewPCG(seed, 0xc7a5))
	ops, slots := crashWorkload(rng)
	mem := vfs.NewCrashableMem()
	var (
		mu      sync.Mutex
		points  []crashPoint
		done    int
		durable int
	)
	cloneRng := rand.New(rand.NewPCG(seed, 1))
	clone := func(where string, inflight bool) {
		mu.Lock()
		defer mu.Unlock()
		pct := cloneRng.IntN(101)
		fs := mem.CrashClone(vfs.CrashCloneCfg{UnsyncedDataPercent: pct, RNG: rand.New(rand.NewPCG(cloneRng.Uint64(), 0))})
		points = append(points, crashPoint{fs: fs, done: done, inflight: inflight, durable: durable, where: fmt.Sprintf("%s, %d%% unsynced kept", where, pct)})
	}
	// Crash inside about one WAL fsync in four and one WAL write in eight.
	hookAt := func(what string, odds int) func() {
		return func() {
			mu.Lock()
			take := cloneRng.IntN(odds) == 0
			n := done
			mu.Unlock()
			if take {
				clone(fmt.Sprintf("inside WAL %s during op %d", what, n), true)
			}
		}
	}
	hookFS := &syncHookFS{FS: mem, hook: hookAt("fsync", 4), writeHook: hookAt("write", 8)}
	l, err := Open("db", Options{FS: hookFS, CacheBytes: 1 << 20})
	if err != nil {
		t.Fatalf("seed %d: open: %v", seed, err)
	}
	cuts := map[int]bool{}
	for range 3 {
		cuts[rng.IntN(len(ops)+1)] = true
	}
	for i := range ops {
		if cuts[i] {
			clone(fmt.Sprintf("before op %d", i), false)
		}
		if err := applyOp(l, &ops[i]); err != nil {
			t.Fatalf("seed %d op %d: %v", seed, i, err)
		}
		mu.Lock()
		done = i + 1
		if ops[i].kind == opRoot || ops[i].kind == opSync {
			durable = i + 1
		}
		mu.Unlock()
	}
	clone("after the last op", false)
	if err := l.Close(); err != nil {
		t.Fatalf("seed %d: close: %v", seed, err)
	}
	for _, p := range points {
		if err := verifyCrash(ops, slots, p); err != nil {
			t.Fatalf("seed %d, crash %s: %v", seed, p.where, err)
		}
	}
	return len(points)
}

// verifyCrash reopens a crashed disk and checks it against the workload.
func verifyCrash(ops []crashOp, slots map[uint64][]ShredRecord, p crashPoint) error {
	l, err := Open("db", Options{FS: p.fs, CacheBytes: 1 << 20})
	if err != nil {
		return fmt.Errorf("reopen: %w", err)
	}
	defer l.Close()
	rootSlot, hash, accts, rootErr := l.LoadRootedAccounts()
	if rootErr != nil && !errors.Is(rootErr, ErrNoRoot) {
		return fmt.Errorf("load accounts: %w", rootErr)
	}
	// Which ops survived, each wholly or not at all.
	firstAbsent, lastPresent, lastRoot := len(ops), -1, -1
	for i := range ops {
		present, err := opPresent(l, &ops[i], rootSlot, rootErr == nil)
		if err != nil {
			return fmt.Errorf("op %d: %w", i, err)
		}
		switch {
		case present == nil:
		case *present:
			lastPresent = i
			if ops[i].kind == opRoot {
				lastRoot = i
			}
		case firstAbsent == len(ops):
			firstAbsent = i
		}
	}
	limit := p.done
	if p.inflight {
		limit++
	}
	switch {
	case lastPresent > firstAbsent:
		return fmt.Errorf("op %d survived but op %d did not: not a prefix", lastPresent, firstAbsent)
	case firstAbsent < p.durable:
		return fmt.Errorf("lost op %d, covered by an acknowledged fsync (durable %d)", firstAbsent, p.durable)
	case lastPresent >= limit:
		return fmt.Errorf("op %d present but never ran (done %d)", lastPresent, p.done)
	}
	// The accounts are exactly the recovered root's.
	if lastRoot < 0 {
		if rootErr == nil || len(accts) != 0 {
			return fmt.Errorf("no root op survived but root %d is stored", rootSlot)
		}
	} else {
		op := &ops[lastRoot]
		if rootSlot != op.slot || hash != op.hash {
			return fmt.Errorf("root marker %d, want %d", rootSlot, op.slot)
		}
		want := mapChanges(op.accounts)
		for i := range want {
			if len(want[i].Account.Data) == 0 {
				want[i].Account.Data = nil
			}
		}
		if !reflect.DeepEqual(accts, want) {
			return fmt.Errorf("root %d: accounts differ from what was persisted (%d stored, %d want)", rootSlot, len(accts), len(want))
		}
	}
	// Every slot's metadata agrees with its stored shreds.
	for slot, shreds := range slots {
		m, err := l.SlotMeta(slot)
		if errors.Is(err, ErrSlotNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		contiguous := uint32(0)
		for ; int(contiguous) < len(shreds); contiguous++ {
			if _, err := l.GetShred(slot, contiguous, false); errors.Is(err, ErrShredNotFound) {
				break
			} else if err != nil {
				return err
			}
		}
		if m.Consumed != contiguous {
			return fmt.Errorf("slot %d: consumed %d, but %d contiguous shreds stored", slot, m.Consumed, contiguous)
		}
		if m.IsFull() {
			data, err := l.SlotData(slot)
			if err != nil {
				return fmt.Errorf("slot %d marked full: %w", slot, err)
			}
			if !bytes.Equal(data, slotBytes(shreds)) {
				return fmt.Errorf("slot %d marked full: data differs", slot)
			}
		}
	}
	// The recovered ledger takes writes.
	if err := l.PersistRoot(1000, sdk.Hash{1}, []runtime.AccountChange{{Pubkey: sdk.Pubkey{1}, Account: sdk.Account{Lamports: 1}}}); err != nil {
		return fmt.Errorf("write after recovery: %w", err)
	}
	return nil
}

var yes, no = true, false

// opPresent reports whether op's effects are all stored (true), none are
// (false), or cannot be told (nil). A partial op is an error.
func opPresent(l *Ledger, op *crashOp, rootSlot uint64, hasRoot bool) (*bool, error) {
	switch op.kind {
	case opShreds:
		n := 0
		for i := range op.shreds {
			s := &op.shreds[i]
			if s.Slot < l.pruneFloor {
				return nil, nil
			}
			got, err := l.GetShred(s.Slot, s.Index, s.Coding)
			if errors.Is(err, ErrShredNotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			if !bytes.Equal(got.Payload, s.Payload) || !bytes.Equal(got.Data, s.Data) {
				return nil, fmt.Errorf("shred %d/%d stored with other bytes", s.Slot, s.Index)
			}
			n++
		}
		return wholeOrNothing(n, len(op.shreds), "shreds")
	case opStatuses:
		n, parts := 0, 0
		for i := range op.statuses {
			r := &op.statuses[i]
			got, err := l.GetStatus(r.Signature)
			if err == nil {
				if !reflect.DeepEqual(got, *r) {
					return nil, fmt.Errorf("status %d differs", i)
				}
				n++
			} else if !errors.Is(err, ErrStatusNotFound) {
				return nil, err
			}
			err = forEachAddress(r, func(a sdk.Pubkey) error {
				parts++
				ok, err := l.has(addressKey(nil, a, r.Slot, r.Position, r.Signature))
				if ok {
					n++
				}
				return err
			})
			if err != nil {
				return nil, err
			}
		}
		return wholeOrNothing(n, len(op.statuses)+parts, "statuses")
	case opRoot:
		if hasRoot && rootSlot >= op.slot {
			return &yes, nil
		}
		return &no, nil
	}
	return nil, nil
}

func wholeOrNothing(n, total int, what string) (*bool, error) {
	switch n {
	case 0:
		return &no, nil
	case total:
		return &yes, nil
	}
	return nil, fmt.Errorf("%s half-written: %d of %d parts stored", what, n, total)
}
