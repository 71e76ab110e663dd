package consensus

import (
	"encoding/binary"
	"fmt"

	"github.com/gnomon-chain/gnomon/runtime/programs/vote"
)

// The tower's saved form, which the shell writes to disk before sending a
// vote and reads back on restart:
//
//	magic    4   "GNTW"
//	version  u8  1
//	flags    u8  bit 0: has root; other bits zero
//	root     u64 little endian (0 without a root)
//	count    u8  ≤ vote.MaxLockoutHistory
//	count ×  slot u64, confirmation_count u8 (oldest first)
//	hash     32  bank hash of the last vote
//
// Every tower has exactly one encoding: trailing bytes, unknown flags and a
// root without the flag are refused.
const (
	towerMagic      = "GNTW"
	towerVersion    = 1
	towerHeaderSize = 4 + 1 + 1 + 8 + 1
	towerVoteSize   = 8 + 1
	towerFlagRoot   = 1
)

// Marshal returns the tower's saved form.
func (t *Tower) Marshal() []byte {
	b := make([]byte, 0, towerHeaderSize+len(t.state.Votes)*towerVoteSize+len(t.lastHash))
	b = append(b, towerMagic...)
	b = append(b, towerVersion)
	var flags byte
	if t.state.HasRoot {
		flags |= towerFlagRoot
	}
	b = append(b, flags)
	b = binary.LittleEndian.AppendUint64(b, t.state.RootSlot)
	b = append(b, byte(len(t.state.Votes)))
	for _, v := range t.state.Votes {
		b = binary.LittleEndian.AppendUint64(b, v.Slot)
		b = append(b, byte(v.ConfirmationCount))
	}
	return append(b, t.lastHash[:]...)
}

// Unmarshal replaces t with the tower saved in data. It refuses (with
// ErrBadTowerData, leaving t unchanged) anything RecordVote could not have
// produced: a tower that breaks its own lockouts would let the validator
// vote against a promise it made before the crash.
func (t *Tower) Unmarshal(data []byte) error {
	if len(data) < towerHeaderSize || string(data[:4]) != towerMagic {
		return fmt.Errorf("%w: short or bad magic", ErrBadTowerData)
	}
	if data[4] != towerVersion {
		return fmt.Errorf("%w: version %d", ErrBadTowerData, data[4])
	}
	flags := data[5]
	if flags&^towerFlagRoot != 0 {
		return fmt.Errorf("%w: flags %#x", ErrBadTowerData, flags)
	}
	hasRoot := flags&towerFlagRoot != 0
	root := binary.LittleEndian.Uint64(data[6:14])
	if !hasRoot && root != 0 {
		return fmt.Errorf("%w: root without flag", ErrBadTowerData)
	}
	n := int(data[14])
	if n > vote.MaxLockoutHistory {
		return fmt.Errorf("%w: %d votes", ErrBadTowerData, n)
	}
	var nt Tower
	if len(data) != towerHeaderSize+n*towerVoteSize+len(nt.lastHash) {
		return fmt.Errorf("%w: length %d for %d votes", ErrBadTowerData, len(data), n)
	}
	nt.state.HasRoot, nt.state.RootSlot = hasRoot, root
	if n > 0 {
		nt.state.Votes = make([]vote.LandedVote, n)
	}
	p := data[towerHeaderSize:]
	for i := range n {
		l := vote.Lockout{Slot: binary.LittleEndian.Uint64(p), ConfirmationCount: uint32(p[8])}
		p = p[towerVoteSize:]
		if err := checkTowerVote(&nt.state, i, l); err != nil {
			return err
		}
		nt.state.Votes[i] = vote.LandedVote{Lockout: l}
	}
	copy(nt.lastHash[:], p)
	*t = nt
	return nil
}

// checkTowerVote checks the i-th vote l against the root and the votes
// before it, with the rules the Vote program applies to a TowerSync.
func checkTowerVote(s *vote.State, i int, l vote.Lockout) error {
	switch {
	case l.ConfirmationCount == 0 || l.ConfirmationCount > vote.MaxLockoutHistory:
		return fmt.Errorf("%w: confirmation count %d", ErrBadTowerData, l.ConfirmationCount)
	case s.HasRoot && l.Slot <= s.RootSlot:
		return fmt.Errorf("%w: vote %d not above root %d", ErrBadTowerData, l.Slot, s.RootSlot)
	}
	if i == 0 {
		return nil
	}
	prev := s.Votes[i-1].Lockout
	switch {
	case l.Slot <= prev.Slot:
		return fmt.Errorf("%w: slots not increasing", ErrBadTowerData)
	case l.ConfirmationCount >= prev.ConfirmationCount:
		return fmt.Errorf("%w: confirmations not decreasing", ErrBadTowerData)
	case l.Slot > prev.LastLockedOutSlot():
		return fmt.Errorf("%w: vote %d past the lockout of %d", ErrBadTowerData, l.Slot, prev.Slot)
	}
	return nil
}
