package node

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/gnomon-chain/gnomon/genesis"
	"github.com/gnomon-chain/gnomon/ledger"
	"github.com/gnomon-chain/gnomon/sdk"
)

// BenchmarkRestoreFromLedger measures node.New on a ledger whose root holds
// GNOMON_RESTART_ACCOUNTS accounts (default 1,000,000, all from genesis):
// the start-up part of a restart, without the process or the first slot.
// The ledger is on disk in a temporary directory (the page cache will
// usually hold it).
func BenchmarkRestoreFromLedger(b *testing.B) {
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("GNOMON_RESTART_ACCOUNTS")); err == nil && v > 0 {
		n = v
	}
	identity := sdk.KeypairFromSeed([32]byte{8})
	g := genesis.DevGenesis(identity.Pubkey(), sdk.Pubkey{0x0e}, sdk.Pubkey{0x0f}, time.Unix(1_700_000_000, 0))
	for i := 0; i < n; i++ {
		var k sdk.Pubkey
		k[0] = 0xac
		binary.LittleEndian.PutUint64(k[1:], uint64(i))
		g.Accounts[k] = genesis.Account{Lamports: 1_000_000_000, Owner: sdk.SystemProgramID}
	}
	dir := b.TempDir()
	open := func() *ledger.Ledger {
		l, err := ledger.Open(filepath.Join(dir, "store"), ledger.Options{})
		if err != nil {
			b.Fatal(err)
		}
		return l
	}
	l := open()
	n0, err := New(Config{Genesis: &g, Identity: identity, Ledger: l, TPUAddr: "127.0.0.1:0"})
	if err != nil {
		b.Fatal(err)
	}
	n0.tpu.Close()
	l.Close()
	for b.Loop() {
		l := open()
		nd, err := New(Config{Genesis: &g, Identity: identity, Ledger: l, TPUAddr: "127.0.0.1:0"})
		if err != nil {
			b.Fatal(err)
		}
		nd.tpu.Close()
		l.Close()
	}
}
