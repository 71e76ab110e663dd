// Package genesis owns the genesis configuration: every parameter a cluster
// must agree on before its first slot (time, PoH shape, epoch length, fees,
// rent, compute limits, the bootstrap validators and the initial accounts),
// its one canonical byte form, the genesis hash taken over those bytes, and
// the file that carries them between operators.
//
// It turns a Genesis into what the runtime needs (RuntimeConfig and
// GenesisAccounts) and into the PoH shape (PohConfig), so those packages never
// parse the file themselves.
//
// It must never read the clock (the creation time is an input), never depend
// on map iteration order or any other hidden input in Encode (the same Genesis
// gives the same bytes on every machine), never panic on a file's contents
// (Decode and ReadFile return errors wrapping ErrInvalid), and never overwrite
// an existing genesis file: a cluster's genesis is written once.
package genesis
