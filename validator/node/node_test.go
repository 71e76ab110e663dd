package node

import (
	"testing"

	"github.com/gnomon-chain/gnomon/runtime/programs/computebudget"
	"github.com/gnomon-chain/gnomon/sdk"
)

// TestFullBufferShedsLowestPrices: past its capacity the leader's buffer
// keeps the highest-paying transactions and counts what it shed.
func TestFullBufferShedsLowestPrices(t *testing.T) {
	n := &Node{sigverifyToBanking: make(chan *sdk.Transaction, 16)}
	kp := sdk.KeypairFromSeed([32]byte{1})
	mk := func(price uint64) *sdk.Transaction {
		tx, err := sdk.NewTransaction([]sdk.Instruction{{ProgramID: computebudget.ID, Data: computebudget.SetComputeUnitPriceData(price)}},
			sdk.Hash{byte(price)}, kp)
		if err != nil {
			t.Fatal(err)
		}
		return tx
	}
	buffer := make([]pending, 0, bankingBufferCap+10)
	for i := 0; i < bankingBufferCap; i++ {
		buffer = append(buffer, pending{tx: nil, price: 100})
	}
	for _, p := range []uint64{5, 500, 1, 1000} {
		n.sigverifyToBanking <- mk(p)
	}
	buffer = n.fill(buffer)
	if len(buffer) != bankingBufferCap || n.stats.Shed.Load() != 4 {
		t.Fatalf("len %d shed %d", len(buffer), n.stats.Shed.Load())
	}
	if buffer[0].price != 1000 || buffer[1].price != 500 {
		t.Fatalf("highest prices not kept first: %d %d", buffer[0].price, buffer[1].price)
	}
	for _, p := range buffer {
		if p.price < 100 {
			t.Fatalf("a price-%d transaction survived", p.price)
		}
	}
}
