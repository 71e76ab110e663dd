package sysvar

import (
	"encoding/binary"
	"errors"
	"testing"

	"github.com/gnomon-chain/gnomon/sdk"
)

func TestRentMinimumBalanceMatchesSolana(t *testing.T) {
	for dataLen, want := range map[int]uint64{0: 890_880, 82: 1_461_600, 165: 2_039_280, 80: 1_447_680} {
		if got := DefaultRent.MinimumBalance(dataLen); got != want {
			t.Errorf("%d bytes: %d, want %d", dataLen, got, want)
		}
	}
	r, err := DecodeRent(DefaultRent.Encode())
	if err != nil || r != DefaultRent {
		t.Fatalf("rent round trip %+v %v", r, err)
	}
}

func TestClockAndSlotHashesRoundTrip(t *testing.T) {
	c := Clock{Slot: 9, EpochStartTimestamp: -4, Epoch: 2, LeaderScheduleEpoch: 3, UnixTimestamp: 1_700_000_000}
	if got, err := DecodeClock(c.Encode()); err != nil || got != c {
		t.Fatalf("clock %+v %v", got, err)
	}
	hs := []SlotHash{{Slot: 5, Hash: sdk.Hash{5}}, {Slot: 4, Hash: sdk.Hash{4}}}
	got, err := DecodeSlotHashes(EncodeSlotHashes(hs))
	if err != nil || len(got) != 2 || got[1] != hs[1] {
		t.Fatalf("slot hashes %+v %v", got, err)
	}
	bad := binary.LittleEndian.AppendUint64(nil, 1<<40)
	if _, err := DecodeSlotHashes(bad); !errors.Is(err, sdk.ErrMalformed) {
		t.Fatalf("a huge count decoded: %v", err)
	}
	rb := []RecentBlockhash{{Blockhash: sdk.Hash{1}, LamportsPerSignature: 5000}}
	if got, err := DecodeRecentBlockhashes(EncodeRecentBlockhashes(rb)); err != nil || got[0] != rb[0] {
		t.Fatalf("recent blockhashes %+v %v", got, err)
	}
}

func TestEpochSchedule(t *testing.T) {
	e := NewEpochSchedule(100)
	if ep, idx := e.Epoch(250); ep != 2 || idx != 50 {
		t.Fatalf("slot 250: epoch %d index %d", ep, idx)
	}
	if e.FirstSlot(3) != 300 || e.LeaderScheduleEpoch(250) != 3 {
		t.Fatal("first slot or leader schedule epoch")
	}
	if len(e.Encode()) != EpochScheduleSize {
		t.Fatal("size")
	}
}

// TestInstructionsLayout checks the Instructions sysvar byte by byte for a
// message of two instructions.
func TestInstructionsLayout(t *testing.T) {
	keys := []sdk.Pubkey{{1}, {2}, {3}}
	m := &sdk.Message{Header: sdk.MessageHeader{NumRequiredSignatures: 1, NumReadonlyUnsignedAccounts: 1}, AccountKeys: keys,
		Instructions: []sdk.CompiledInstruction{{ProgramIDIndex: 2, Accounts: []uint8{0, 1}, Data: []byte{9}}, {ProgramIDIndex: 2}}}
	d := InstructionsData(m, keys, m.IsWritableIndex)
	if binary.LittleEndian.Uint16(d) != 2 {
		t.Fatal("count")
	}
	first := int(binary.LittleEndian.Uint16(d[2:]))
	if first != 6 || binary.LittleEndian.Uint16(d[first:]) != 2 {
		t.Fatalf("first instruction at %d", first)
	}
	if d[first+2] != 3 || d[first+2+33] != 2 { // payer: signer|writable; key 1: writable
		t.Fatalf("flags %d %d", d[first+2], d[first+2+33])
	}
	SetCurrentInstruction(d, 1)
	if binary.LittleEndian.Uint16(d[len(d)-2:]) != 1 {
		t.Fatal("current index")
	}
}

func TestDecodeEpochScheduleRoundTrips(t *testing.T) {
	want := EpochSchedule{SlotsPerEpoch: 432_000, LeaderScheduleSlotOffset: 432_000, Warmup: true, FirstNormalEpoch: 14, FirstNormalSlot: 524_256}
	got, err := DecodeEpochSchedule(want.Encode())
	if err != nil || got != want {
		t.Fatalf("DecodeEpochSchedule = %+v, %v; want %+v", got, err, want)
	}
	bad := want.Encode()
	bad[16] = 2
	if _, err := DecodeEpochSchedule(bad); !errors.Is(err, ErrMalformed) {
		t.Fatalf("warmup byte 2: %v", err)
	}
	if _, err := DecodeEpochSchedule(bad[:EpochScheduleSize-1]); !errors.Is(err, ErrMalformed) {
		t.Fatalf("short: %v", err)
	}
}
