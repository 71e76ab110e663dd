package sdk

// MaxAccountDataLen is the largest an account's data may grow, 10 MiB, as on Solana.
const MaxAccountDataLen = 10 * 1024 * 1024

// Account is the state stored at an address.
type Account struct {
	Lamports uint64
	Data     []byte
	// Owner is the program allowed to change Data and debit Lamports.
	Owner      Pubkey
	Executable bool
	RentEpoch  uint64
}

// Clone returns a deep copy, so a bank can change it without touching its parent's.
func (a *Account) Clone() Account {
	c := *a
	if a.Data != nil {
		c.Data = append(make([]byte, 0, len(a.Data)), a.Data...)
	}
	return c
}

// Well-known program and sysvar addresses.
var (
	SystemProgramID         = Pubkey{}
	NativeLoaderID          = MustPubkey("NativeLoader1111111111111111111111111111111")
	ComputeBudgetProgramID  = MustPubkey("ComputeBudget111111111111111111111111111111")
	MemoProgramID           = MustPubkey("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr")
	MemoV1ProgramID         = MustPubkey("Memo1UhkJRfHyvLMcVucJwxXeuD728EqVDDwQDxFMNo")
	TokenProgramID          = MustPubkey("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
	AssociatedTokenID       = MustPubkey("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL")
	AddressLookupTableID    = MustPubkey("AddressLookupTab1e1111111111111111111111111")
	VoteProgramID           = MustPubkey("Vote111111111111111111111111111111111111111")
	StakeProgramID          = MustPubkey("Stake11111111111111111111111111111111111111")
	NativeMintID            = MustPubkey("So11111111111111111111111111111111111111112")
	SysvarOwnerID           = MustPubkey("Sysvar1111111111111111111111111111111111111")
	SysvarClockID           = MustPubkey("SysvarC1ock11111111111111111111111111111111")
	SysvarRentID            = MustPubkey("SysvarRent111111111111111111111111111111111")
	SysvarEpochScheduleID   = MustPubkey("SysvarEpochSchedu1e111111111111111111111111")
	SysvarSlotHashesID      = MustPubkey("SysvarS1otHashes111111111111111111111111111")
	SysvarRecentBlockhashes = MustPubkey("SysvarRecentB1ockHashes11111111111111111111")
	SysvarInstructionsID    = MustPubkey("Sysvar1nstructions1111111111111111111111111")
)
