package token

// computeUnits is what each instruction charges. On Solana, Token is a BPF
// program whose cost depends on the path it takes; clients simulate, read
// "consumed N of M compute units" and set a limit a little above it, so the
// figures here are the on-chain program's typical successful cost per
// instruction (as mainnet logs show for spl-token 3.5: Transfer 4,645,
// TransferChecked ~6,200, InitializeAccount3 4,188, GetAccountDataSize 1,622,
// InitializeImmutableOwner 1,405 ...), charged in full up front. A failed
// instruction is charged the same: the real program usually fails after most
// of its work, and one fixed figure keeps simulation deterministic.
var computeUnits = [numInstructionTypes]uint64{
	InitializeMint:           2_920,
	InitializeAccount:        4_525,
	InitializeMultisig:       3_050,
	Transfer:                 4_645,
	Approve:                  2_904,
	Revoke:                   2_677,
	SetAuthority:             3_020,
	MintTo:                   4_492,
	Burn:                     4_753,
	CloseAccount:             2_916,
	FreezeAccount:            4_264,
	ThawAccount:              4_264,
	TransferChecked:          6_200,
	ApproveChecked:           4_459,
	MintToChecked:            4_546,
	BurnChecked:              4_800,
	InitializeAccount2:       4_388,
	SyncNative:               3_045,
	InitializeAccount3:       4_188,
	InitializeMultisig2:      2_890,
	InitializeMint2:          2_780,
	GetAccountDataSize:       1_622,
	InitializeImmutableOwner: 1_405,
	AmountToUiAmount:         2_450,
	UiAmountToAmount:         2_950,
}

// invalidInstructionUnits is charged for data that does not decode: the
// program gets no further than unpacking and printing the error.
const invalidInstructionUnits = 1_100
