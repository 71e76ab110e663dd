// Drives a Gnomon dev validator with @solana/web3.js 1.99 and @solana/spl-token 0.4.15, unmodified:
// node web3.mjs RPC_URL WS_URL. Prints one line per step and exits non-zero at the first failure.
import { Connection, Keypair, LAMPORTS_PER_SOL, SystemProgram, Transaction, sendAndConfirmTransaction, PublicKey } from '@solana/web3.js';
import { createMint, getOrCreateAssociatedTokenAccount, mintTo, transfer, getAccount, getMint } from '@solana/spl-token';

const [url, wsUrl] = process.argv.slice(2);
const conn = new Connection(url, { commitment: "confirmed", wsEndpoint: wsUrl });
const step = async (name, f) => { const t = Date.now(); try { const r = await f(); console.log('ok  ', name, Date.now() - t, 'ms'); return r; } catch (e) { console.log('FAIL', name, e?.message ?? e); throw e; } };

const payer = Keypair.generate();
const bob = Keypair.generate();
await step('getVersion', () => conn.getVersion());
await step('getEpochInfo', () => conn.getEpochInfo());
await step('getLatestBlockhash finalized', () => conn.getLatestBlockhash('finalized'));
const sig = await step('requestAirdrop', () => conn.requestAirdrop(payer.publicKey, 10 * LAMPORTS_PER_SOL));
await step('confirmTransaction (airdrop)', async () => {
  const bh = await conn.getLatestBlockhash();
  return conn.confirmTransaction({ signature: sig, ...bh }, 'confirmed');
});
await step('getBalance', async () => { const b = await conn.getBalance(payer.publicKey); if (b !== 10 * LAMPORTS_PER_SOL) throw new Error('balance ' + b); });
const tsig = await step('sendAndConfirmTransaction transfer', () => sendAndConfirmTransaction(conn,
  new Transaction().add(SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: bob.publicKey, lamports: LAMPORTS_PER_SOL })), [payer]));
await step('getTransaction json', async () => { const t = await conn.getTransaction(tsig, { commitment: 'confirmed', maxSupportedTransactionVersion: 0 }); if (!t || t.meta.fee !== 5000) throw new Error(JSON.stringify(t)); });
await step('getParsedTransaction', async () => { const t = await conn.getParsedTransaction(tsig, { commitment: 'confirmed', maxSupportedTransactionVersion: 0 }); const ix = t.transaction.message.instructions[0]; if (ix.parsed?.type !== 'transfer') throw new Error(JSON.stringify(ix)); });
await step('getSignaturesForAddress', async () => { const l = await conn.getSignaturesForAddress(payer.publicKey, {}, 'confirmed'); if (l.length !== 2) throw new Error(JSON.stringify(l)); });
await step('getBlock', async () => { const s = (await conn.getSignatureStatus(tsig)).value.slot; const b = await conn.getBlock(s, { commitment: 'confirmed', maxSupportedTransactionVersion: 0 }); if (!b.transactions.some(t => t.transaction.signatures[0] === tsig)) throw new Error('missing'); });
await step('simulateTransaction', async () => { const tx = new Transaction().add(SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: bob.publicKey, lamports: 1000 * LAMPORTS_PER_SOL })); tx.feePayer = payer.publicKey; tx.recentBlockhash = (await conn.getLatestBlockhash()).blockhash; const r = await conn.simulateTransaction(tx); if (!r.value.err) throw new Error('no error'); });
const changed = new Promise(res => { const id = conn.onAccountChange(bob.publicKey, (a) => { conn.removeAccountChangeListener(id); res(a.lamports); }, 'confirmed'); });
await step('transfer + onAccountChange', async () => { await sendAndConfirmTransaction(conn, new Transaction().add(SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: bob.publicKey, lamports: 5 })), [payer]); const l = await changed; if (l !== LAMPORTS_PER_SOL + 5) throw new Error('lamports ' + l); });
const slotSeen = await step('onSlotChange', () => new Promise(res => { const id = conn.onSlotChange(s => { conn.removeSlotChangeListener(id); res(s.slot); }); }));
const mint = await step('createMint', () => createMint(conn, payer, payer.publicKey, null, 6));
await step('getMint', async () => { const m = await getMint(conn, mint); if (m.decimals !== 6) throw new Error('decimals'); });
const ata = await step('getOrCreateAssociatedTokenAccount', () => getOrCreateAssociatedTokenAccount(conn, payer, mint, payer.publicKey));
await step('mintTo', () => mintTo(conn, payer, mint, ata.address, payer, 1_000_000));
const bobAta = await step('getOrCreateAssociatedTokenAccount (bob)', () => getOrCreateAssociatedTokenAccount(conn, payer, mint, bob.publicKey));
await step('transfer tokens', () => transfer(conn, payer, ata.address, bobAta.address, payer, 250_000));
await step('getTokenAccountBalance', async () => { const b = await conn.getTokenAccountBalance(bobAta.address); if (b.value.uiAmountString !== '0.25') throw new Error(JSON.stringify(b.value)); });
await step('getParsedTokenAccountsByOwner', async () => { const r = await conn.getParsedTokenAccountsByOwner(bob.publicKey, { mint }); if (r.value.length !== 1 || r.value[0].account.data.parsed.info.tokenAmount.amount !== '250000') throw new Error(JSON.stringify(r.value)); });
await step('getTokenSupply', async () => { const s = await conn.getTokenSupply(mint); if (s.value.amount !== '1000000') throw new Error(JSON.stringify(s.value)); });
await step('getParsedAccountInfo (mint)', async () => { const a = await conn.getParsedAccountInfo(mint); if (a.value.data.parsed.type !== 'mint') throw new Error(JSON.stringify(a.value.data)); });
await step('getProgramAccounts memcmp', async () => { const r = await conn.getProgramAccounts(new PublicKey('TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA'), { filters: [{ dataSize: 165 }, { memcmp: { offset: 0, bytes: mint.toBase58() } }] }); if (r.length !== 2) throw new Error('count ' + r.length); });
await step('getRecentPrioritizationFees', () => conn.getRecentPrioritizationFees());
await step('getRecentPerformanceSamples', () => conn.getRecentPerformanceSamples(1));
await step('getSupply', () => conn.getSupply());
await step('getVoteAccounts', () => conn.getVoteAccounts());
await step('getClusterNodes', () => conn.getClusterNodes());
await step('getLeaderSchedule', () => conn.getLeaderSchedule());
await step('getBlocks', async () => { const s = await conn.getSlot('finalized'); return conn.getBlocks(Math.max(0, s - 5), s, 'finalized'); });
console.log('web3.js: all steps passed');
process.exit(0);
