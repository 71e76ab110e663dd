package runtime

import (
	"github.com/gnomon-chain/gnomon/runtime/programs/computebudget"
	"github.com/gnomon-chain/gnomon/sdk"
)

// Simulation is a transaction executed against a bank and not committed:
// what simulateTransaction and sendTransaction's preflight report.
type Simulation struct {
	Result TxResult
	bank   *Bank
}

// Simulate executes a sanitized transaction against the bank, frozen or
// not, and commits nothing: no account, no status-cache entry, no count. A
// transaction this fork already processed fails with AlreadyProcessed, as
// it would if sent. Signatures are not checked here; callers verify them
// first when they must.
func (b *Bank) Simulate(tx *sdk.Transaction) Simulation {
	var s scratch
	return Simulation{Result: b.executeMode(tx, &s, true), bank: b}
}

// PostAccount is k as it would be after the transaction: its write if it
// made one, else the bank's account. Nil means no account.
func (s *Simulation) PostAccount(k sdk.Pubkey) *sdk.Account {
	for i := range s.Result.writes {
		if s.Result.writes[i].key == k {
			if s.Result.writes[i].acct.Lamports == 0 {
				return nil
			}
			return &s.Result.writes[i].acct
		}
	}
	return s.bank.Account(k)
}

// FeeFor is what m would be charged here, as getFeeForMessage reports it:
// the signature fee at the blockhash's rate plus the priority fee. It
// reports false when m's blockhash is not young here or its compute budget
// is invalid. Durable-nonce messages get false too: their fee depends on
// the nonce account, which the message alone does not settle.
func (b *Bank) FeeFor(m *sdk.Message) (uint64, bool) {
	budget, fail := computebudget.Parse(m, b.cfg.isNativeBuiltin)
	if fail != nil {
		return 0, false
	}
	perSig, young := b.blockhashes.valid(m.RecentBlockhash)
	if !young {
		return 0, false
	}
	fee := perSig*uint64(m.Header.NumRequiredSignatures) + budget.PriorityFee()
	if fee < budget.PriorityFee() {
		fee = ^uint64(0)
	}
	return fee, true
}
