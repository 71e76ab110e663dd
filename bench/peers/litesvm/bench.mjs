// LiteSVM (npm litesvm@1.5.0) single-thread throughput benchmark.
// Workloads: System-program SOL transfer, SPL Token Transfer (tag 3).
// Modes: sigverify ON / OFF (svm.withSigverify(bool), toggled in place, interleaved ABBA).
// Transactions are built and signed before timing; only the send loop is timed.
import { LiteSVM, FailedTransactionMetadata } from "litesvm";
import {
  pipe, createTransactionMessage, setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash, appendTransactionMessageInstruction,
  signTransactionMessageWithSigners, generateKeyPairSigner, getAddressDecoder,
  getAddressEncoder, getTransactionEncoder, lamports, address,
} from "@solana/kit";
import { getTransferSolInstruction } from "@solana-program/system";
import { getTransferInstruction } from "@solana-program/token";
import { randomBytes } from "node:crypto";

const N_PAYERS = Number(process.env.N_PAYERS ?? 4096);
const TX_PER_PAYER = Number(process.env.TX_PER_PAYER ?? 5); // 4096*5 = 20,480 tx per repetition
const REPS = Number(process.env.REPS ?? 7);
const TOKEN_PROGRAM = address("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");
const SYSTEM_PROGRAM = address("11111111111111111111111111111111");

const addrDec = getAddressDecoder();
const addrEnc = getAddressEncoder();
const txEnc = getTransactionEncoder();
const randAddr = () => addrDec.decode(randomBytes(32));

function newSvm() {
  // new LiteSVM(): builtins, sysvars, default SPL programs, precompiles, sigverify on, blockhash check on.
  // History capacity 0 so that replaying the same signed set in later repetitions is allowed.
  return new LiteSVM().withTransactionHistory(0n);
}

async function makePayers(svm) {
  const payers = [];
  for (let i = 0; i < N_PAYERS; i++) {
    const s = await generateKeyPairSigner();
    svm.setAccount({ address: s.address, lamports: lamports(1_000_000_000_000n), data: new Uint8Array(0),
      programAddress: SYSTEM_PROGRAM, executable: false });
    payers.push(s);
  }
  return payers;
}

async function buildTx(svm, payer, ix) {
  const bh = svm.latestBlockhash();
  const msg = pipe(
    createTransactionMessage({ version: "legacy" }),
    (m) => setTransactionMessageFeePayerSigner(payer, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash({ blockhash: bh, lastValidBlockHeight: 0n }, m),
    (m) => appendTransactionMessageInstruction(ix, m),
  );
  return await signTransactionMessageWithSigners(msg);
}

async function setupSol() {
  const svm = newSvm();
  const payers = await makePayers(svm);
  const txs = [];
  const recips = [];
  // order: round-robin over payers, so consecutive tx have distinct fee payers
  for (let k = 0; k < TX_PER_PAYER; k++) {
    for (let p = 0; p < N_PAYERS; p++) {
      const to = randAddr();
      const amt = 1_000_000n + BigInt(k * N_PAYERS + p); // > rent-exempt minimum for a 0-byte account
      recips.push([to, amt]);
      txs.push(await buildTx(svm, payers[p], getTransferSolInstruction({ source: payers[p], destination: to, amount: amt })));
    }
  }
  const check = (passes) => {
    let bad = 0;
    for (const [to, amt] of recips) if (svm.getBalance(to) !== amt * BigInt(passes)) bad++;
    return bad;
  };
  return { svm, txs, check };
}

function u64le(v) { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, v, true); return b; }

function mintData(authority, supply, decimals) {
  const d = new Uint8Array(82);
  d.set([1, 0, 0, 0], 0); d.set(addrEnc.encode(authority), 4);
  d.set(u64le(supply), 36); d[44] = decimals; d[45] = 1; // is_initialized; freeze authority None
  return d;
}
function tokenAccData(mint, owner, amount) {
  const d = new Uint8Array(165);
  d.set(addrEnc.encode(mint), 0); d.set(addrEnc.encode(owner), 32); d.set(u64le(amount), 64);
  d[108] = 1; // AccountState::Initialized; delegate/is_native/close_authority None
  return d;
}

async function setupToken() {
  const svm = newSvm();
  const payers = await makePayers(svm);
  const mint = randAddr();
  const mintRent = svm.minimumBalanceForRentExemption(82n);
  const accRent = svm.minimumBalanceForRentExemption(165n);
  const nDest = N_PAYERS * TX_PER_PAYER;
  const perSource = 1_000_000_000_000n;
  svm.setAccount({ address: mint, lamports: lamports(mintRent), data: mintData(randAddr(), perSource * BigInt(N_PAYERS), 6),
    programAddress: TOKEN_PROGRAM, executable: false });
  const sources = payers.map((p) => {
    const a = randAddr();
    svm.setAccount({ address: a, lamports: lamports(accRent), data: tokenAccData(mint, p.address, perSource),
      programAddress: TOKEN_PROGRAM, executable: false });
    return a;
  });
  const txs = [];
  const dests = [];
  for (let k = 0; k < TX_PER_PAYER; k++) {
    for (let p = 0; p < N_PAYERS; p++) {
      const d = randAddr();
      svm.setAccount({ address: d, lamports: lamports(accRent), data: tokenAccData(mint, randAddr(), 0n),
        programAddress: TOKEN_PROGRAM, executable: false });
      const amt = 1n + BigInt(k * N_PAYERS + p);
      dests.push([d, amt]);
      txs.push(await buildTx(svm, payers[p],
        getTransferInstruction({ source: sources[p], destination: d, authority: payers[p], amount: amt })));
    }
  }
  if (txs.length !== nDest) throw new Error("count");
  const check = (passes) => {
    let bad = 0;
    for (const [d, amt] of dests) {
      const acc = svm.getAccount(d);
      const got = new DataView(acc.data.buffer, acc.data.byteOffset).getBigUint64(64, true);
      if (got !== amt * BigInt(passes)) bad++;
    }
    return bad;
  };
  return { svm, txs, check };
}

// Timed loop: only svm.sendTransaction(tx) calls (+ a cheap instanceof check per result)
function runPass(svm, txs, path, bytes) {
  let fails = 0, firstErr = null;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  if (path === "sendTransaction") {
    for (let i = 0; i < txs.length; i++) {
      const r = svm.sendTransaction(txs[i]);
      if (r instanceof FailedTransactionMetadata) { fails++; if (firstErr === null) firstErr = r.toString(); }
    }
  } else { // supplementary: native binding with pre-encoded wire bytes (skips kit re-encoding in JS)
    const inner = svm.inner;
    for (let i = 0; i < bytes.length; i++) {
      const r = inner.sendLegacyTransaction(bytes[i]);
      if (r instanceof FailedTransactionMetadata) { fails++; if (firstErr === null) firstErr = r.toString(); }
    }
  }
  const t1 = process.hrtime.bigint();
  const c1 = process.cpuUsage(c0);
  const secs = Number(t1 - t0) / 1e9;
  const cpu = (c1.user + c1.system) / 1e6;
  return { n: txs.length, secs, tps: txs.length / secs, fails, firstErr, cpuOverWall: cpu / secs };
}

const median = (a) => { const s = [...a].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

async function bench(name, setup) {
  const ts = process.hrtime.bigint();
  const { svm, txs, check } = await setup();
  const bytes = txs.map((t) => new Uint8Array(txEnc.encode(t)));
  console.log(`\n== ${name}: ${txs.length} distinct pre-signed tx, ${N_PAYERS} payers, setup ${(Number(process.hrtime.bigint() - ts) / 1e9).toFixed(1)} s, wire size ${bytes[0].length} B`);
  // one-tx CU probe is taken from the first warm-up pass result via simulate (no state change)
  const sim = svm.simulateTransaction(txs[0]);
  if (sim instanceof FailedTransactionMetadata) console.log("simulate failed:", sim.toString());
  else console.log(`compute units consumed (simulate tx[0]): ${sim.meta().computeUnitsConsumed()}`);
  let passes = 0;
  const results = {};
  for (const path of ["sendTransaction", "inner.sendLegacyTransaction(bytes)"]) {
    // warm-up: one full pass in each mode
    for (const sv of [true, false]) {
      svm.withSigverify(sv);
      const w = runPass(svm, txs, path, bytes); passes++;
      console.log(`warm-up ${path} sigverify=${sv}: ${w.tps.toFixed(0)} tx/s fails=${w.fails}${w.firstErr ? " first=" + w.firstErr : ""}`);
    }
    for (const sv of [true, false]) results[`${path} sigverify=${sv ? "ON" : "OFF"}`] = [];
    for (let r = 0; r < REPS; r++) {
      const order = r % 2 === 0 ? [true, false] : [false, true]; // ABBA interleaving
      for (const sv of order) {
        svm.withSigverify(sv);
        const x = runPass(svm, txs, path, bytes); passes++;
        results[`${path} sigverify=${sv ? "ON" : "OFF"}`].push(x);
      }
    }
  }
  svm.withSigverify(true);
  const bad = check(passes);
  console.log(`post-check after ${passes} passes: ${bad} of ${txs.length} recipients with unexpected balance`);
  for (const [k, arr] of Object.entries(results)) {
    const f = arr.reduce((s, x) => s + x.fails, 0);
    console.log(`${name} | ${k} | reps(tx/s): ${arr.map((x) => x.tps.toFixed(0)).join(", ")} | median ${median(arr.map((x) => x.tps)).toFixed(0)} tx/s | n/rep ${arr[0].n} | secs/rep ${arr.map((x) => x.secs.toFixed(3)).join(", ")} | cpu/wall ${arr.map((x) => x.cpuOverWall.toFixed(2)).join(", ")} | failures ${f}${f ? " first=" + arr.find((x) => x.firstErr).firstErr : ""}`);
  }
}

console.log(`node ${process.version}, REPS=${REPS}`);
await bench("SOL transfer (System Transfer)", setupSol);
await bench("SPL Token Transfer (tag 3)", setupToken);
