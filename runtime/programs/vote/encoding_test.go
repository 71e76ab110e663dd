package vote

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"reflect"
	"testing"

	"github.com/gnomon-chain/gnomon/sdk"
)

// TestTowerSyncWireFormatIsSolanasCompactForm pins the bytes against a
// hand-assembled CompactTowerSync.
func TestTowerSyncWireFormatIsSolanasCompactForm(t *testing.T) {
	ts := TowerSync{
		HasRoot: true, Root: 100,
		Lockouts:     lockouts(102, 3, 402, 2, 403, 1),
		Hash:         sdk.Hash{0x11},
		HasTimestamp: true, Timestamp: -2,
		BlockID: sdk.Hash{0x22},
	}
	got, err := TowerSyncData(&ts)
	if err != nil {
		t.Fatal(err)
	}
	want := "0e000000" + // tag 14
		"6400000000000000" + // root 100
		"03" + // three lockouts
		"0203" + // +2 → 102, 3 confirmations
		"ac0202" + // +300 (varint ac 02) → 402, 2
		"0101" + // +1 → 403, 1
		"11" + zeros(31) + // hash
		"01" + "feffffffffffffff" + // Some(-2)
		"22" + zeros(31) // block id
	if hex.EncodeToString(got) != want {
		t.Fatalf("got  %x\nwant %s", got, want)
	}
	ix, err := DecodeInstruction(append(got, 0xff)) // trailing bytes are ignored
	if err != nil || !reflect.DeepEqual(ix.TowerSync, ts) {
		t.Fatalf("decode: %v %+v", err, ix.TowerSync)
	}
	none := TowerSync{Lockouts: lockouts(5, 1)}
	got, _ = TowerSyncData(&none)
	if hex.EncodeToString(got[4:14]) != "ffffffffffffffff0105" {
		t.Fatalf("no root: %x", got[4:14])
	}
}

func zeros(n int) string { return hex.EncodeToString(make([]byte, n)) }

func TestDecodeInstructionRefusesNonCanonicalCompactFields(t *testing.T) {
	base, _ := TowerSyncData(&TowerSync{Lockouts: lockouts(5, 1)})
	for name, mutate := range map[string]func([]byte) []byte{
		"padded count":    func(b []byte) []byte { return append(append(b[:12:12], 0x81, 0x00), b[13:]...) },
		"padded varint":   func(b []byte) []byte { return append(append(b[:13:13], 0x85, 0x00), b[14:]...) },
		"option tag 2":    func(b []byte) []byte { b[len(b)-33] = 2; return b },
		"truncated":       func(b []byte) []byte { return b[:len(b)-1] },
		"slot overflow":   func(b []byte) []byte { binary.LittleEndian.PutUint64(b[4:], 1<<63); return withOffset(b, 1<<63) },
		"varint too long": func(b []byte) []byte { return withRawOffset(b, bytes.Repeat([]byte{0xff}, 10)) },
	} {
		if _, err := DecodeInstruction(mutate(bytes.Clone(base))); err != ErrInvalidInstruction {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// withOffset replaces the single lockout's offset.
func withOffset(b []byte, off uint64) []byte { return withRawOffset(b, binary.AppendUvarint(nil, off)) }

func withRawOffset(b []byte, raw []byte) []byte {
	out := append(bytes.Clone(b[:13]), raw...)
	return append(out, b[14:]...)
}

// maxState is a state at every bound.
func maxState() *State {
	s := initialized()
	for i := range MaxLockoutHistory {
		s.Votes = append(s.Votes, LandedVote{Latency: 3, Lockout: Lockout{Slot: uint64(1000 + i), ConfirmationCount: uint32(MaxLockoutHistory - i)}})
	}
	s.HasRoot, s.RootSlot = true, 999
	for e := uint64(1); len(s.AuthorizedVoters) < MaxAuthorizedVoters; e++ {
		s.AuthorizedVoters = append(s.AuthorizedVoters, AuthorizedVoter{Epoch: e, Pubkey: sdk.Pubkey{byte(e)}})
	}
	for i := range MaxPriorVoters {
		s.PriorVoters.append(PriorVoter{Pubkey: sdk.Pubkey{byte(i)}, StartEpoch: uint64(i), EndEpoch: uint64(i + 1)})
	}
	for e := range uint64(MaxEpochCreditsHistory) {
		s.EpochCredits = append(s.EpochCredits, EpochCredits{Epoch: e, Credits: 10 * (e + 1), PrevCredits: 10 * e})
	}
	s.LastTimestamp = BlockTimestamp{Slot: 1030, Timestamp: 1_700_000_000}
	return s
}

func TestStateAtEveryBoundFillsSolanasVoteStateSize(t *testing.T) {
	s := maxState()
	if n := s.EncodedLen(); n != StateSize {
		t.Fatalf("max state encodes to %d bytes, want %d", n, StateSize)
	}
	b := s.Encode()
	got, err := DecodeState(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, s) {
		t.Fatal("round trip differs")
	}
	// Fixed offsets the doc promises.
	if binary.LittleEndian.Uint32(b) != 2 || [32]byte(b[4:36]) != node || [32]byte(b[36:68]) != withdrawer || b[68] != 10 ||
		binary.LittleEndian.Uint64(b[69:]) != MaxLockoutHistory || binary.LittleEndian.Uint64(b[78:]) != 1000 {
		t.Fatalf("layout: %x", b[:90])
	}
	small := make([]byte, StateSize-1)
	if err := s.EncodeInto(small); err == nil {
		t.Fatal("encoded into a short buffer")
	}
}

func TestDecodeStateRefusesWhatWeNeverWrite(t *testing.T) {
	good := maxState().Encode()
	for name, mutate := range map[string]func([]byte){
		"version 1":  func(b []byte) { b[0] = 1 },
		"version 3":  func(b []byte) { b[0] = 3 },
		"32 votes":   func(b []byte) { b[69] = 32 },
		"root tag 2": func(b []byte) { b[77+13*31] = 2 },
		"voters out of order": func(b []byte) {
			off := 77 + 13*31 + 9 + 8
			binary.LittleEndian.PutUint64(b[off+40:], 0)
		},
	} {
		b := bytes.Clone(good)
		mutate(b)
		if _, err := DecodeState(b); err != ErrInvalidState {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := DecodeState(make([]byte, StateSize)); err != ErrUninitialized {
		t.Errorf("zeroed: %v", err)
	}
	if _, err := DecodeState(nil); err != ErrInvalidState {
		t.Errorf("empty: %v", err)
	}
	if _, err := DecodeState(good[:StateSize-1]); err != ErrInvalidState {
		t.Errorf("truncated: %v", err)
	}
}
