package vote

import (
	"bytes"
	"errors"
	"testing"

	"github.com/gnomon-chain/gnomon/runtime/invoke"
	"github.com/gnomon-chain/gnomon/runtime/sysvar"
)

// encodeInstruction is the inverse of DecodeInstruction.
func encodeInstruction(t *testing.T, ix Instruction) []byte {
	var b []byte
	var err error
	switch ix.Tag {
	case TagInitializeAccount:
		b = InitializeAccountData(ix.Init)
	case TagAuthorize:
		b = AuthorizeData(ix.NewKey, ix.Authorize)
	case TagAuthorizeChecked:
		b = AuthorizeCheckedData(ix.Authorize)
	case TagWithdraw:
		b = WithdrawData(ix.Lamports)
	case TagUpdateValidatorIdentity:
		b = UpdateValidatorIdentityData()
	case TagUpdateCommission:
		b = UpdateCommissionData(ix.Commission)
	case TagTowerSync:
		b, err = TowerSyncData(&ix.TowerSync)
	case TagTowerSyncSwitch:
		b, err = TowerSyncSwitchData(&ix.TowerSync, ix.SwitchHash)
	default:
		t.Fatalf("decoded tag %d", ix.Tag)
	}
	if err != nil {
		t.Fatalf("re-encode %+v: %v", ix, err)
	}
	return b
}

func FuzzDecodeInstruction(f *testing.F) {
	ts := proposal(40, 45, 3, 47, 2, 300, 1)
	ts.HasTimestamp, ts.Timestamp = true, 77
	tsData, _ := TowerSyncData(&ts)
	sw, _ := TowerSyncSwitchData(&ts, hashOf(1))
	for _, seed := range [][]byte{
		InitializeAccountData(Init{NodePubkey: node, AuthorizedVoter: voter, Commission: 3}),
		AuthorizeData(voter, AuthorizeWithdrawer), AuthorizeCheckedData(AuthorizeVoter),
		WithdrawData(12345), UpdateValidatorIdentityData(), UpdateCommissionData(9), tsData, sw,
		{14, 0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255, 0xff, 0xff, 0x03},
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ix, err := DecodeInstruction(data)
		if err != nil {
			if err != ErrInvalidInstruction {
				t.Fatalf("error %v", err)
			}
			return
		}
		// Every field has one encoding, so what decodes re-encodes to the
		// bytes it was read from.
		b := encodeInstruction(t, ix)
		if !bytes.HasPrefix(data, b) {
			t.Fatalf("re-encoded %x\nfrom      %x", b, data)
		}
	})
}

func FuzzDecodeState(f *testing.F) {
	f.Add(maxState().Encode())
	f.Add(initialized().Encode())
	f.Add(make([]byte, StateSize))
	f.Add([]byte{2, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := DecodeState(data)
		if err != nil {
			if err != ErrInvalidState && err != ErrUninitialized {
				t.Fatalf("error %v", err)
			}
			return
		}
		b := s.Encode()
		if len(b) != StateSize {
			t.Fatalf("decoded state encodes to %d bytes", len(b))
		}
		n := s.EncodedLen()
		if !bytes.Equal(b[:n], data[:n]) {
			t.Fatalf("re-encoded state differs")
		}
	})
}

// FuzzTowerSync plays scripts of honest, random and corrupted towers
// against one vote state on a fork with gaps, and checks after every
// accepted TowerSync what the tower must always satisfy, and after every
// refused one that nothing changed.
func FuzzTowerSync(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{0x13, 0x40, 0x80, 2, 5, 3, 1, 7, 9, 3, 0xff, 0x01, 0x81, 0xc0, 6, 2, 3, 4, 5, 1, 1, 0x42, 0x03, 0x07})
	f.Add(bytes.Repeat([]byte{0x01, 0x40, 0x02, 0x83}, 40))
	// Long honest runs that root slots, with and without gaps and timestamps.
	f.Add(append([]byte{0, 0}, bytes.Repeat([]byte{0, 0, 0}, 90)...))
	f.Add(append([]byte{0x24, 0x01}, bytes.Repeat([]byte{0x40, 1, 3, 0, 2, 0, 0x03, 1, 2, 5, 2}, 30)...))
	f.Fuzz(func(t *testing.T, script []byte) {
		next := func() byte {
			if len(script) == 0 {
				return 0
			}
			c := script[0]
			script = script[1:]
			return c
		}
		gaps := uint64(next()) | uint64(next())<<8 // slots ≡ i mod 16 with bit i set are not on the fork
		onFork := func(slot uint64) bool { return gaps>>(slot%16)&1 == 0 || slot%7 == 0 }
		chain, local := initialized(), initialized()
		cur := uint64(40)
		for step := 0; step < 300 && len(script) > 0; step++ {
			op := next()
			cur += 1 + uint64(op>>6)
			var hashes []sysvar.SlotHash
			for s := cur - 1; s+32 >= cur; s-- {
				if onFork(s) {
					hashes = append(hashes, sysvar.SlotHash{Slot: s, Hash: hashOf(s)})
				}
			}
			var ts TowerSync
			switch op & 3 {
			case 0, 1: // honest: vote for a recent slot on the fork
				slot := cur - 1 - uint64(next()%4)
				local.ProcessNextVoteSlot(slot, cur/100, cur)
				ts = local.TowerSync(hashOf(slot))
			case 2: // random tower near the tip
				if c := next(); c&1 == 1 {
					ts.HasRoot, ts.Root = true, cur-48+uint64(c>>1)%48
				}
				slot := cur - 40
				for n := next() % 9; n > 0; n-- {
					slot += uint64(next() % 6)
					ts.Lockouts = append(ts.Lockouts, Lockout{Slot: slot, ConfirmationCount: uint32(next() % 34)})
				}
				ts.Hash = hashOf(slot)
			case 3: // the honest tower, corrupted
				ts = local.TowerSync(hashOf(0))
				if n := len(ts.Lockouts); n > 0 {
					ts.Hash = hashOf(ts.Lockouts[n-1].Slot)
					i := int(next()) % n
					switch next() % 5 {
					case 0:
						ts.Lockouts[i].ConfirmationCount++
					case 1:
						ts.Lockouts[i].ConfirmationCount--
					case 2:
						ts.Lockouts[i].Slot++
					case 3:
						ts.Lockouts = append(ts.Lockouts[:i], ts.Lockouts[i+1:]...)
					case 4:
						ts.Hash[0] ^= 1
					}
				}
			}
			if c := next(); c&3 == 3 {
				ts.HasTimestamp, ts.Timestamp = true, int64(cur)*400-int64(c)
			}
			before := chain.Clone()
			beforeBytes := chain.Encode()
			err := chain.ProcessTowerSync(&ts, hashes, cur/100, cur)
			if err != nil {
				var ie *invoke.InstructionError
				if !errors.As(err, &ie) || ie.Kind != invoke.Custom || ie.Code > CodeAssertionFailed ||
					errors.Is(err, ErrAssertionFailed) || errors.Is(err, ErrVotesTooOldAllFiltered) {
					t.Fatalf("error %v", err)
				}
				if !bytes.Equal(chain.Encode(), beforeBytes) {
					t.Fatalf("refused TowerSync (%v) changed the state", err)
				}
				continue
			}
			checkTower(t, before, chain)
		}
	})
}

// checkTower asserts what every accepted TowerSync leaves true.
func checkTower(t *testing.T, before, after *State) {
	t.Helper()
	v := after.Votes
	if len(v) == 0 || len(v) > MaxLockoutHistory {
		t.Fatalf("%d votes", len(v))
	}
	for i, x := range v {
		if x.ConfirmationCount < 1 || x.ConfirmationCount > MaxLockoutHistory {
			t.Fatalf("vote %d confirmation count %d", i, x.ConfirmationCount)
		}
		if after.HasRoot && after.RootSlot != 0 && x.Slot <= after.RootSlot {
			t.Fatalf("vote %d at %d not above root %d", i, x.Slot, after.RootSlot)
		}
		if i == 0 {
			continue
		}
		p := v[i-1]
		// Oldest first: slots rise, confirmations fall, and each vote lies
		// within the lockout of the one below it.
		if x.Slot <= p.Slot || x.ConfirmationCount >= p.ConfirmationCount || x.Slot > p.LastLockedOutSlot() {
			t.Fatalf("votes %d,%d: %+v %+v", i-1, i, p, x)
		}
	}
	if before.HasRoot && (!after.HasRoot || after.RootSlot < before.RootSlot) {
		t.Fatalf("root went back from %d to %v/%d", before.RootSlot, after.HasRoot, after.RootSlot)
	}
	if last, ok := before.LastVotedSlot(); ok {
		if now, _ := after.LastVotedSlot(); now <= last {
			t.Fatalf("last voted slot %d after %d", now, last)
		}
	}
	// No vote of the old tower vanished inside its lockout unless it rooted,
	// and none lost confirmations.
	for _, o := range before.Votes {
		if after.HasRoot && o.Slot <= after.RootSlot {
			continue
		}
		for _, n := range v {
			if n.Slot == o.Slot {
				if n.ConfirmationCount < o.ConfirmationCount {
					t.Fatalf("slot %d lost confirmations", o.Slot)
				}
				break
			}
			if n.Slot > o.Slot {
				if o.LastLockedOutSlot() >= n.Slot {
					t.Fatalf("vote %d (locked out through %d) dropped for %d", o.Slot, o.LastLockedOutSlot(), n.Slot)
				}
				break
			}
		}
	}
	if after.Credits() < before.Credits() || len(after.EpochCredits) > MaxEpochCreditsHistory {
		t.Fatalf("credits %v", after.EpochCredits)
	}
	if after.EncodedLen() > StateSize {
		t.Fatalf("state of %d bytes", after.EncodedLen())
	}
	got, err := DecodeState(after.Encode())
	if err != nil || !bytes.Equal(got.Encode(), after.Encode()) {
		t.Fatalf("round trip: %v", err)
	}
}
