import { getRandomValues } from 'node:crypto';
import { idDigestLane as idDigestLaneExport, wordsPerAccount as wordsPerAccountExport } from './account-balances';
import type { UserData } from './commands';
import { murmurHash128 } from './murmur-hash-128';
import type { TransferKind } from './transfer';
import { transferCodes as transferCodesExport, type TransferCode } from './transfer-codes';

// Module constants of their own: under tsx an imported binding is read through a getter on every use.
const transferCodes = transferCodesExport;

/**
 * A 64-bit digest of the fields that decide `exists` against `exists_with_different_fields` for a repeated
 * transfer id: what the idempotency window (TransferIdWindow) keeps of a resolved transfer. A command and the fact
 * it became must give the same digest, so both sides compute it here, from 32-bit words rather than a text built
 * per transfer (which was garbage on the hot path): the kind, each account by its id's hash (taken once when the
 * account opens, AccountBalances), the amount's two words, the code's index, the timeout, and user data by a hash
 * of its entries in key order. Every field is a fixed number of words, so no value can pass for another.
 *
 * The seed is drawn per process: a digest is never stored, only compared within the process that made it.
 */
// Held as a signed 32-bit integer (the hash takes `seed | 0` anyway): a small integer in V8, which passing it to
// murmurHash128 never boxes, where an unsigned word above 2^31 would be a heap number made on every call.
const seed = (getRandomValues(new Uint32Array(1))[0] as number) | 0;
const kindWords: Readonly<Record<TransferKind, number>> = { transfer: 1, pending_transfer: 2, post_pending: 3, void_pending: 4 };
const absent = 0xffffffff;
const wordRange = 2 ** 32;
const textHash = new Uint32Array(4);

/**
 * The digest the last call computed: two words, read at once (the functions below overwrite it). Signed words: read
 * from an Int32Array they are small integers in V8, which the window's `insert` takes without boxing each one into a
 * heap number (half of all unsigned words are above 2^31): per transfer garbage, issue 18 item 3. Compare them as
 * they are, or with `>>> 0` against unsigned words.
 */
export const fieldsDigest = new Int32Array(2);

let first = 0;
let second = 0;
let length = 0;

/** The first two words of an id's hash, into `out` at `offset`: an account's part of a transfer's digest. */
export function idDigest(id: string, out: Uint32Array, offset: number): void {
  murmurHash128(id, seed, textHash);
  out[offset] = textHash[0] as number;
  out[offset + 1] = textHash[1] as number;
}

/** The digest of a transfer or pending transfer (`timeoutMs` -1 for none), into `fieldsDigest`. */
export function digestTransferFields(
  kind: TransferKind,
  debitDigestFirst: number,
  debitDigestSecond: number,
  creditDigestFirst: number,
  creditDigestSecond: number,
  amountLow: number,
  amountHigh: number,
  code: TransferCode,
  timeoutMs: number,
  userData: UserData | null,
): void {
  begin(kind);
  mix(debitDigestFirst);
  mix(debitDigestSecond);
  mix(creditDigestFirst);
  mix(creditDigestSecond);
  mix(amountLow);
  mix(amountHigh);
  mix(transferCodes.indexOf(code));
  if (timeoutMs < 0) {
    mix(absent);
    mix(absent);
  } else {
    mix(timeoutMs % wordRange);
    mix(Math.floor(timeoutMs / wordRange));
  }
  mixUserData(userData);
  finish();
}

// Module constants of their own: under tsx an imported binding is read through a getter on every use, and these
// are read for every transfer.
const idDigestLane = idDigestLaneExport;
const wordsPerAccount = wordsPerAccountExport;

/**
 * `digestTransferFields` of a transfer between two accounts held in `words` (an `AccountBalances`' words): their id
 * digests are read from each account's digest lane, so every place that digests a transfer names accounts alike.
 */
export function digestTransferBetween(
  words: Uint32Array,
  kind: TransferKind,
  debitIndex: number,
  creditIndex: number,
  amountLow: number,
  amountHigh: number,
  code: TransferCode,
  timeoutMs: number,
  userData: UserData | null,
): void {
  const debitBase = debitIndex * wordsPerAccount + idDigestLane;
  const creditBase = creditIndex * wordsPerAccount + idDigestLane;
  // As signed words (`| 0`, which `mix` takes anyway): passed on, an unsigned word above 2^31 is a heap number.
  digestTransferFields(
    kind,
    (words[debitBase] as number) | 0,
    (words[debitBase + 1] as number) | 0,
    (words[creditBase] as number) | 0,
    (words[creditBase + 1] as number) | 0,
    amountLow,
    amountHigh,
    code,
    timeoutMs,
    userData,
  );
}

/** The digest of a post or void of a pending transfer (`requestedHigh` `absent` when it asked for the whole amount). */
export function digestResolutionFields(
  kind: TransferKind,
  pendingId: string,
  requestedLow: number,
  requestedHigh: number,
  userData: UserData | null,
): void {
  begin(kind);
  mixText(pendingId);
  mix(requestedLow);
  mix(requestedHigh);
  mixUserData(userData);
  finish();
}

/** The high word for "no requested amount" in `digestResolutionFields`. */
export const noRequestedAmount = absent;

function mixUserData(userData: UserData | null): void {
  if (userData === null) {
    mix(0);
    return;
  }
  // Keys in sorted order: a repeat with its keys in another order is the same. Each key and value is hashed alone
  // (their lengths go in with them), so no pair of entries can pass for another.
  const keys = Object.keys(userData).sort();
  mix(keys.length + 1);
  for (const key of keys) {
    mixText(key);
    mixText(userData[key] as string);
  }
}

function mixText(text: string): void {
  murmurHash128(text, seed, textHash);
  // Signed (`| 0`, as `mix` takes them): an unsigned word above 2^31 passed on would be boxed into a heap number.
  mix((textHash[0] as number) | 0);
  mix((textHash[1] as number) | 0);
  mix((textHash[2] as number) | 0);
}

function begin(kind: TransferKind): void {
  first = seed;
  second = seed ^ 0x9e3779b9;
  length = 0;
  mix(kindWords[kind]);
}

/** One 32-bit word into both lanes, each a MurmurHash3 x86_32 body step with its own constants. */
function mix(word: number): void {
  let k = Math.imul(word | 0, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  first ^= k;
  first = (first << 13) | (first >>> 19);
  first = (Math.imul(first, 5) + 0xe6546b64) | 0;
  let j = Math.imul((word ^ 0x5bd1e995) | 0, 0x85ebca6b);
  j = (j << 17) | (j >>> 15);
  j = Math.imul(j, 0xc2b2ae35);
  second ^= j;
  second = (second << 11) | (second >>> 21);
  second = (Math.imul(second, 9) + 0x38495ab5) | 0;
  length += 1;
}

function finish(): void {
  const a = finalMix(first ^ length);
  const b = finalMix(second ^ length);
  fieldsDigest[0] = (a + b) | 0;
  fieldsDigest[1] = (b ^ ((a << 7) | (a >>> 25))) | 0;
}

function finalMix(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}
