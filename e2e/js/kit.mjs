// Drives a Gnomon dev validator with @solana/kit 8.4 and @solana-program/system, unmodified:
// node kit.mjs RPC_URL WS_URL. Prints one line per step and exits non-zero at the first failure.
import { createSolanaRpc, createSolanaRpcSubscriptions, generateKeyPairSigner, airdropFactory, lamports, pipe,
  createTransactionMessage, setTransactionMessageFeePayerSigner, setTransactionMessageLifetimeUsingBlockhash,
  appendTransactionMessageInstruction, signTransactionMessageWithSigners, sendAndConfirmTransactionFactory,
  getSignatureFromTransaction, address } from '@solana/kit';
import { getTransferSolInstruction } from '@solana-program/system';

const [http, ws] = process.argv.slice(2);
const rpc = createSolanaRpc(http);
const rpcSubscriptions = createSolanaRpcSubscriptions(ws);
const step = async (name, f) => { const t = Date.now(); try { const r = await f(); console.log('ok  ', name, Date.now() - t, 'ms'); return r; } catch (e) { console.log('FAIL', name, e?.message ?? e, e?.context ? JSON.stringify(e.context, (k, v) => typeof v === 'bigint' ? v.toString() : v) : ''); throw e; } };

const payer = await generateKeyPairSigner();
const bob = await generateKeyPairSigner();
await step('getHealth', () => rpc.getHealth().send());
await step('getSlot', () => rpc.getSlot().send());
await step('airdropFactory', () => airdropFactory({ rpc, rpcSubscriptions })({ recipientAddress: payer.address, lamports: lamports(5_000_000_000n), commitment: 'confirmed' }));
await step('getBalance', async () => { const { value } = await rpc.getBalance(payer.address, { commitment: 'confirmed' }).send(); if (value !== 5_000_000_000n) throw new Error('balance ' + value); });
const sendAndConfirm = sendAndConfirmTransactionFactory({ rpc, rpcSubscriptions });
const { value: latest } = await rpc.getLatestBlockhash().send();
const msg = pipe(createTransactionMessage({ version: 0 }),
  m => setTransactionMessageFeePayerSigner(payer, m),
  m => setTransactionMessageLifetimeUsingBlockhash(latest, m),
  m => appendTransactionMessageInstruction(getTransferSolInstruction({ source: payer, destination: bob.address, amount: lamports(1_000_000_000n) }), m));
const signed = await signTransactionMessageWithSigners(msg);
await step('sendAndConfirmTransaction v0 (confirmed)', () => sendAndConfirm(signed, { commitment: 'confirmed' }));
const sig = getSignatureFromTransaction(signed);
await step('getTransaction base64', async () => { const t = await rpc.getTransaction(sig, { commitment: 'confirmed', encoding: 'base64', maxSupportedTransactionVersion: 0 }).send(); if (!t || t.version !== 0 || t.meta.fee !== 5000n) throw new Error('tx ' + JSON.stringify(t, (k, v) => typeof v === 'bigint' ? v.toString() : v)); });
await step('getAccountInfo dataSlice', async () => { const { value } = await rpc.getAccountInfo(bob.address, { encoding: 'base64', dataSlice: { offset: 0, length: 0 } }).send(); return value; });
await step('getSignatureStatuses', async () => { const { value } = await rpc.getSignatureStatuses([sig]).send(); if (!value[0]) throw new Error('null'); });
await step('slotNotifications', async () => { const ac = new AbortController(); const n = await rpcSubscriptions.slotNotifications().subscribe({ abortSignal: ac.signal }); for await (const s of n) { ac.abort(); return s.slot; } });
await step('sendAndConfirmTransaction finalized', async () => {
  const { value: l2 } = await rpc.getLatestBlockhash().send();
  const m2 = pipe(createTransactionMessage({ version: 0 }), m => setTransactionMessageFeePayerSigner(payer, m), m => setTransactionMessageLifetimeUsingBlockhash(l2, m),
    m => appendTransactionMessageInstruction(getTransferSolInstruction({ source: payer, destination: bob.address, amount: lamports(1n * 1000n) }), m));
  return sendAndConfirm(await signTransactionMessageWithSigners(m2), { commitment: 'finalized' });
});
console.log('kit: all steps passed');
process.exit(0);
