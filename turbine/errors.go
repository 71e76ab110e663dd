package turbine

import "errors"

// The classes of error the shredder and deshredder return; check them with
// errors.Is. A shred that fails Parse is reported with shred.ErrMalformed.
var (
	// ErrInvalidSlot: the slot, parent or shred count given to the Shredder
	// cannot be expressed in shreds (parent not before slot, parent more
	// than 65,535 slots back, more than shred.MaxDataShredsPerSlot shreds).
	ErrInvalidSlot = errors.New("turbine: invalid slot for shredding")

	// ErrWrongSlot: a shred for another slot than the Deshredder's.
	ErrWrongSlot = errors.New("turbine: shred for another slot")

	// ErrWrongVersion: a shred with another shred version than the cluster's.
	ErrWrongVersion = errors.New("turbine: wrong shred version")

	// ErrBadSignature: the signature is not the leader's signature of the
	// root the shred's leaf and proof lead to (a forgery, or a shred and
	// signature that do not belong together).
	ErrBadSignature = errors.New("turbine: bad shred signature")

	// ErrBadProof: the shred carries the leader's signature of its set's
	// root, but its bytes or its proof no longer lead to that root: it was
	// changed on the way.
	ErrBadProof = errors.New("turbine: shred does not match its set's signed root")

	// ErrDuplicateShred: a copy of a shred already held. Not a fault; turbine
	// delivers most shreds more than once.
	ErrDuplicateShred = errors.New("turbine: shred already held")

	// ErrDuplicateBlock: the leader signed this shred and also a conflicting
	// one for the same slot. A DuplicateProof was recorded.
	ErrDuplicateBlock = errors.New("turbine: leader signed conflicting shreds")

	// ErrIncomplete: the slot's data shreds up to LAST_IN_SLOT are not all
	// present yet.
	ErrIncomplete = errors.New("turbine: slot incomplete")
)
