package runtime

import (
	"fmt"
	"testing"

	"github.com/gnomon-chain/gnomon/sdk"
)

// TestStoreNeverChangesAVersionListInPlace: readers walk a key's versions
// after releasing the shard lock, so a writer replacing a version (the same
// slot writing the key again) while other forks' versions exist must build
// a new list. Under -race (make test) an in-place write is reported.
func TestStoreNeverChangesAVersionListInPlace(t *testing.T) {
	a := NewAccounts()
	k := sdk.Pubkey{1, 2, 3}
	a.store(5, k, &sdk.Account{Lamports: 5})
	a.store(6, k, &sdk.Account{Lamports: 6}) // a sibling fork: two versions
	done := make(chan struct{})
	readers := make(chan error, 2)
	for range 2 {
		go func() {
			for {
				select {
				case <-done:
					readers <- nil
					return
				default:
				}
				got := a.load(slotsView{6: true}, k)
				if got == nil || got.Lamports < 6 {
					readers <- fmt.Errorf("fork of slot 6 read %+v", got)
					return
				}
			}
		}()
	}
	for i := uint64(7); i < 2000; i++ {
		a.store(6, k, &sdk.Account{Lamports: i})
	}
	close(done)
	for range 2 {
		if err := <-readers; err != nil {
			t.Fatal(err)
		}
	}
	if got := a.load(slotsView{5: true}, k); got == nil || got.Lamports != 5 {
		t.Fatalf("fork of slot 5 reads %+v", got)
	}
}
