package ledger

import (
	"encoding/binary"
	"errors"
	"fmt"
	"log"
	"sync"
	"sync/atomic"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// Sentinel errors, checked with errors.Is.
var (
	// ErrSlotNotFound: the ledger holds no metadata for the slot.
	ErrSlotNotFound = errors.New("ledger: slot not found")
	// ErrSlotNotFull: the slot's data shreds are not all present yet.
	ErrSlotNotFull = errors.New("ledger: slot not full")
	// ErrStatusNotFound: no transaction status for the signature.
	ErrStatusNotFound = errors.New("ledger: transaction status not found")
	// ErrNoDuplicate: no duplicate-slot proof is stored for the slot.
	ErrNoDuplicate = errors.New("ledger: no duplicate proof")
	// ErrNoRoot: no root has been persisted (a fresh ledger: start from genesis).
	ErrNoRoot = errors.New("ledger: no persisted root")
	// ErrRootNotNewer: PersistRoot was given a slot at or below the last persisted root.
	ErrRootNotNewer = errors.New("ledger: root not newer than the persisted root")
	// ErrInvalidShred: a shred contradicts what the slot already holds.
	ErrInvalidShred = errors.New("ledger: invalid shred")
	// ErrClosed: the ledger was closed.
	ErrClosed = errors.New("ledger: closed")
	// ErrFailed: a write failed inside pebble. The handle accepts no further
	// writes; the node must restart and recover from what is durable.
	ErrFailed = errors.New("ledger: failed")
)

// Options configures Open. The zero value is the production configuration.
type Options struct {
	// FS is the filesystem; nil means the OS. Tests pass pebble's in-memory,
	// crashable or fault-injecting filesystems here.
	FS vfs.FS
	// CacheBytes is the block cache size; 0 means 256 MiB.
	CacheBytes int64
	// MemTableBytes is the memtable size; 0 means 64 MiB.
	MemTableBytes uint64
	// Logger receives pebble's messages; nil logs errors only, through the
	// standard log package. Its Fatalf must not return.
	Logger pebble.Logger
}

// Ledger is the node's durable store. All methods are safe for concurrent
// use. Writes that read before they write (shred insertion, slot metadata,
// roots, pruning) are serialized by one mutex; status writes are not, since
// they only add keys.
type Ledger struct {
	db *pebble.DB

	// writeMu serializes read-modify-write updates of slot metadata and the
	// accounts root.
	writeMu sync.Mutex
	// accountsRoot is the last persisted root; valid when hasAccountsRoot.
	accountsRoot    uint64
	hasAccountsRoot bool
	// pruneFloor is the lowest slot whose shreds are kept.
	pruneFloor uint64

	closed atomic.Bool
	failed atomic.Pointer[error]
}

// fatalError is what our pebble logger panics with on Fatalf, so that a
// fatal commit error surfaces as an error from the write that hit it instead
// of pebble's default os.Exit.
type fatalError struct{ msg string }

// quietLogger drops pebble's informational messages (one per flush and
// compaction) and keeps errors.
type quietLogger struct{}

func (quietLogger) Infof(string, ...any)           {}
func (quietLogger) Errorf(format string, a ...any) { log.Printf("ledger: pebble: "+format, a...) }
func (quietLogger) Fatalf(format string, a ...any) { panic(fatalError{fmt.Sprintf(format, a...)}) }

// fatalLogger forwards to a caller's logger but guarantees Fatalf panics
// with fatalError (so commit can recover it) rather than exiting.
type fatalLogger struct{ pebble.Logger }

func (l fatalLogger) Fatalf(format string, a ...any) {
	l.Errorf("fatal: "+format, a...)
	panic(fatalError{fmt.Sprintf(format, a...)})
}

// pebbleOptions returns the tuned options; doc.go explains each choice.
func pebbleOptions(o Options) *pebble.Options {
	po := &pebble.Options{
		FS:                          o.FS,
		FormatMajorVersion:          pebble.FormatNewest,
		CacheSize:                   256 << 20,
		MemTableSize:                64 << 20,
		MemTableStopWritesThreshold: 4,
		L0CompactionThreshold:       4,
		L0CompactionFileThreshold:   500,
		L0StopWritesThreshold:       1000,
		LBaseMaxBytes:               256 << 20,
		BytesPerSync:                1 << 20,
		WALBytesPerSync:             1 << 20,
		MaxOpenFiles:                4096,
		CompactionConcurrencyRange:  func() (int, int) { return 1, 2 },
		Logger:                      quietLogger{},
	}
	if o.CacheBytes > 0 {
		po.CacheSize = o.CacheBytes
	}
	if o.MemTableBytes > 0 {
		po.MemTableSize = o.MemTableBytes
	}
	if o.Logger != nil {
		po.Logger = fatalLogger{o.Logger}
	}
	for i := range po.Levels {
		po.Levels[i].FilterPolicy = bloom.FilterPolicy(10)
		po.Levels[i].BlockSize = 32 << 10
	}
	return po
}

// Open opens (creating if needed) the ledger in dir.
func Open(dir string, o Options) (*Ledger, error) {
	db, err := pebble.Open(dir, pebbleOptions(o))
	if err != nil {
		return nil, fmt.Errorf("ledger: open %s: %w", dir, err)
	}
	l := &Ledger{db: db}
	if err := l.loadState(); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("ledger: open %s: %w", dir, err)
	}
	return l, nil
}

// loadState reads the small pieces of state kept in memory.
func (l *Ledger) loadState() error {
	slot, _, err := l.accountsRootMarker()
	switch {
	case err == nil:
		l.accountsRoot, l.hasAccountsRoot = slot, true
	case !errors.Is(err, ErrNoRoot):
		return err
	}
	v, err := l.get(pruneFloorKey)
	if err != nil {
		return fmt.Errorf("read prune floor: %w", err)
	}
	if v != nil {
		if len(v) != 8 {
			return fmt.Errorf("read prune floor: %w: length %d", ErrCorrupt, len(v))
		}
		l.pruneFloor = binary.BigEndian.Uint64(v)
	}
	return nil
}

// Close closes the ledger. A ledger that failed is closed without waiting on
// pebble, whose commit pipeline may be wedged by the failure.
func (l *Ledger) Close() error {
	if l.closed.Swap(true) {
		return ErrClosed
	}
	if f := l.failed.Load(); f != nil {
		return *f
	}
	if err := l.db.Close(); err != nil {
		return fmt.Errorf("ledger: close: %w", err)
	}
	return nil
}

// Sync makes every write so far durable with one WAL fsync. Block data must
// be synced before a slot is reported processed to any client; batching
// that into one call per slot is what keeps fsyncs off the hot path.
func (l *Ledger) Sync() error {
	b := l.db.NewBatch()
	if err := b.LogData(nil, nil); err != nil {
		return fmt.Errorf("ledger: sync: %w", err)
	}
	return l.commit(b, pebble.Sync, "sync")
}

// usable reports whether the ledger may be used.
func (l *Ledger) usable() error {
	if l.closed.Load() {
		return ErrClosed
	}
	if f := l.failed.Load(); f != nil {
		return *f
	}
	return nil
}

// commit applies and closes b. A pebble commit error is fatal to pebble
// (its pipeline cannot be rolled back), which our logger turns into a
// fatalError panic; commit recovers it, marks the ledger failed, and
// returns it, so the caller sees an error and nothing after it is written.
func (l *Ledger) commit(b *pebble.Batch, wo *pebble.WriteOptions, what string) (err error) {
	if err := l.usable(); err != nil {
		_ = b.Close()
		return fmt.Errorf("%s: %w", what, err)
	}
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		fe, ok := r.(fatalError)
		if !ok {
			panic(r)
		}
		ferr := fmt.Errorf("%w: %s", ErrFailed, fe.msg)
		l.failed.CompareAndSwap(nil, &ferr)
		err = fmt.Errorf("%s: %w", what, ferr)
	}()
	if err := b.Commit(wo); err != nil {
		_ = b.Close()
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := b.Close(); err != nil {
		return fmt.Errorf("%s: close batch: %w", what, err)
	}
	return nil
}

// get returns a copy of key's value, or nil when absent.
func (l *Ledger) get(key []byte) ([]byte, error) {
	if err := l.usable(); err != nil {
		return nil, err
	}
	v, closer, err := l.db.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	out := append(make([]byte, 0, len(v)), v...)
	if err := closer.Close(); err != nil {
		return nil, err
	}
	return out, nil
}

// has reports whether key exists.
func (l *Ledger) has(key []byte) (bool, error) {
	_, closer, err := l.db.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, closer.Close()
}

// iter opens an iterator over [lower, upper).
func (l *Ledger) iter(lower, upper []byte) (*pebble.Iterator, error) {
	if err := l.usable(); err != nil {
		return nil, err
	}
	return l.db.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
}
