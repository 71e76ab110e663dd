package ledger

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/gnomon-chain/gnomon/runtime"
	"github.com/gnomon-chain/gnomon/sdk"
)

// BenchmarkRestartLoad measures the start-up half of a restart that depends
// on the number of accounts: reading the last root's accounts from the
// ledger and rebuilding the in-memory store and its indexes from them
// (replay of the slots after the root comes on top, about 1.5 ms a slot on
// the dev node). accounts=N sub-benchmarks; reports seconds per restart.
func BenchmarkRestartLoad(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run("accounts="+itoa(n), func(b *testing.B) {
			l, err := Open("ledger", Options{FS: vfs.NewMem()})
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			// Persist in roots of 100k changes, as a long-running node
			// would have, with token-account-sized data on a tenth.
			const perRoot = 100_000
			for slot := uint64(1); int(slot-1)*perRoot < n; slot++ {
				changes := make([]runtime.AccountChange, 0, perRoot)
				for i := 0; i < perRoot && int(slot-1)*perRoot+i < n; i++ {
					var k sdk.Pubkey
					binary.LittleEndian.PutUint64(k[:], uint64(int(slot-1)*perRoot+i)*0x9e3779b97f4a7c15)
					a := sdk.Account{Lamports: 1_000_000 + uint64(i), Owner: sdk.SystemProgramID}
					if i%10 == 0 {
						a.Owner, a.Data = sdk.TokenProgramID, make([]byte, 165)
					}
					changes = append(changes, runtime.AccountChange{Pubkey: k, Account: a})
				}
				if err := l.PersistRoot(slot, sdk.Hash{byte(slot)}, changes); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			for b.Loop() {
				start := time.Now()
				_, _, changes, err := l.LoadRootedAccounts()
				if err != nil {
					b.Fatal(err)
				}
				loaded := time.Since(start)
				acc := runtime.NewAccounts()
				acc.Restore(changes)
				if acc.RootedCount() != n {
					b.Fatalf("%d accounts restored", acc.RootedCount())
				}
				b.ReportMetric(loaded.Seconds(), "load-s")
				b.ReportMetric(time.Since(start).Seconds(), "restart-s")
			}
		})
	}
}

func itoa(n int) string {
	switch n {
	case 100_000:
		return "100k"
	case 1_000_000:
		return "1M"
	}
	return "n"
}
