import { assert, AssertionError } from '../assert';

/**
 * The balances of every account of a ledger, by dense account index, in one typed array off the object heap: the
 * decider and `evolve` add, compare and check them with no bigint and no object per transfer (issue 18 item 3).
 *
 * Each amount is an unsigned 64-bit integer of minor units held as two 32-bit words, low then high. Balances are
 * capped at 2^63 - 1 (ledger-limits.ts), so a high word is at most 0x7fffffff; a sum of three of them is exact in
 * a double's 53 bits when the words are added separately and the carry moved across, which is all the arithmetic
 * here does. A JS number never holds an amount whole: only 32-bit words and their carries.
 *
 * Per account, 12 words: debits pending, debits posted, credits pending, credits posted, the net debit cap (its
 * high word `noLimitHigh` when there is none) and the first two words of the account id's hash (what a transfer's
 * fields digest takes for the account, computed once when the account opens).
 */
export const debitsPendingLane = 0;
export const debitsPostedLane = 2;
export const creditsPendingLane = 4;
export const creditsPostedLane = 6;
export const debitLimitLane = 8;
export const idDigestLane = 10;
export const wordsPerAccount = 12;

/** The high word that marks "no net debit cap": no amount has it (their high words are at most 0x7fffffff). */
export const noLimitHigh = 0xffffffff;
/** The largest high word of an amount or balance within the maximum of 2^63 - 1. */
export const highWordMax = 0x7fffffff;
export const wordRange = 2 ** 32;

/** Amounts below 2^53 (every amount in practice) split into words without a bigint. */
const exactMax = BigInt(Number.MAX_SAFE_INTEGER);
const lowMask = 0xffffffffn;
/** Decimal texts of at most this many digits are below 2^53, so exact as doubles. */
const exactDigitsMax = 15;

/** Accounts the lanes start with room for; doubled as accounts open. */
const initialAccounts = 1024;

export type BalanceLane =
  typeof debitsPendingLane | typeof debitsPostedLane | typeof creditsPendingLane | typeof creditsPostedLane | typeof debitLimitLane;

export class AccountBalances {
  /** The words, `wordsPerAccount` per account index; replaced (doubled) as accounts open, so never cache it. */
  words: Uint32Array;
  /** Accounts held: the next account's index. */
  count = 0;
  /** The result of the last `total`/`split`: a 64-bit (or, for a sum, 66-bit) value as a high and a low word. */
  high = 0;
  low = 0;

  constructor() {
    this.words = new Uint32Array(initialAccounts * wordsPerAccount);
  }

  /** Gives the next account index, its balances zero, its cap as given, its id digest as given. */
  open(debitLimitMinor: bigint | null, idDigestFirst: number, idDigestSecond: number): number {
    if ((this.count + 1) * wordsPerAccount > this.words.length) this.grow();
    const index = this.count;
    this.count += 1;
    const base = index * wordsPerAccount;
    this.words.fill(0, base, base + wordsPerAccount);
    this.setLimit(index, debitLimitMinor);
    this.words[base + idDigestLane] = idDigestFirst;
    this.words[base + idDigestLane + 1] = idDigestSecond;
    return index;
  }

  /** Forgets the accounts from `count` on (a linked chain that opened them failed). */
  truncate(count: number): void {
    assert(count >= 0 && count <= this.count, 'account balances are truncated to accounts they hold');
    this.count = count;
  }

  /** A balance (or the cap) as a bigint: for lookups, snapshots and the canonical state, never the hot path. */
  read(index: number, lane: BalanceLane): bigint {
    const base = index * wordsPerAccount + lane;
    return (BigInt(this.words[base + 1] as number) << 32n) | BigInt(this.words[base] as number);
  }

  hasLimit(index: number): boolean {
    return this.words[index * wordsPerAccount + debitLimitLane + 1] !== noLimitHigh;
  }

  setLimit(index: number, debitLimitMinor: bigint | null): void {
    const base = index * wordsPerAccount + debitLimitLane;
    if (debitLimitMinor === null) {
      this.words[base] = 0;
      this.words[base + 1] = noLimitHigh;
      return;
    }
    this.split(debitLimitMinor);
    this.words[base] = this.low;
    this.words[base + 1] = this.high;
  }

  /** Sets a balance from a bigint (a snapshot being restored). */
  write(index: number, lane: Exclude<BalanceLane, typeof debitLimitLane>, amountMinor: bigint): void {
    this.split(amountMinor);
    const base = index * wordsPerAccount + lane;
    this.words[base] = this.low;
    this.words[base + 1] = this.high;
  }

  /** Splits an amount (0 to 2^64 - 1) into `high` and `low`; below 2^53 with no bigint arithmetic. */
  split(amountMinor: bigint): void {
    if (amountMinor <= exactMax) {
      const value = Number(amountMinor);
      this.low = value % wordRange;
      this.high = (value - this.low) / wordRange;
      return;
    }
    this.low = Number(amountMinor & lowMask);
    this.high = Number((amountMinor >> 32n) & lowMask);
  }

  /** Splits an amount given as decimal text (an event's) into `high` and `low`; below 16 digits with no bigint. */
  splitText(amountMinorText: string): void {
    if (amountMinorText.length > exactDigitsMax) {
      this.split(BigInt(amountMinorText));
      return;
    }
    const value = Number(amountMinorText);
    this.low = value % wordRange;
    this.high = (value - this.low) / wordRange;
  }

  /** `high`/`low` := the sum of two lanes of an account and an amount in words (a 66-bit value at most). */
  total(index: number, first: BalanceLane, second: BalanceLane, addLow: number, addHigh: number): void {
    const words = this.words;
    const base = index * wordsPerAccount;
    const low = (words[base + first] as number) + (words[base + second] as number) + addLow;
    const carry = Math.floor(low / wordRange);
    this.low = low - carry * wordRange;
    this.high = (words[base + first + 1] as number) + (words[base + second + 1] as number) + addHigh + carry;
  }

  /** Whether a balance plus an amount in words would pass 2^63 - 1. */
  passesMaximum(index: number, lane: BalanceLane, addLow: number, addHigh: number): boolean {
    const words = this.words;
    const base = index * wordsPerAccount + lane;
    const carry = (words[base] as number) + addLow >= wordRange ? 1 : 0;
    return (words[base + 1] as number) + addHigh + carry > highWordMax;
  }

  /** Adds an amount in words to a balance, which must stay within 2^63 - 1 (the decider refused any that would not). */
  add(index: number, lane: BalanceLane, addLow: number, addHigh: number): void {
    const words = this.words;
    const base = index * wordsPerAccount + lane;
    const low = (words[base] as number) + addLow;
    const carry = low >= wordRange ? 1 : 0;
    const high = (words[base + 1] as number) + addHigh + carry;
    if (high > highWordMax) throw new AssertionError(`balances stay within the maximum (account index ${index})`);
    words[base] = low - carry * wordRange;
    words[base + 1] = high;
  }

  /** Subtracts an amount in words from a balance, which must stay non-negative. */
  subtract(index: number, lane: BalanceLane, subtractLow: number, subtractHigh: number): void {
    const words = this.words;
    const base = index * wordsPerAccount + lane;
    const low = (words[base] as number) - subtractLow;
    const borrow = low < 0 ? 1 : 0;
    const high = (words[base + 1] as number) - subtractHigh - borrow;
    if (high < 0) throw new AssertionError(`balances stay non-negative (account index ${index})`);
    words[base] = low + borrow * wordRange;
    words[base + 1] = high;
  }

  /** The words of one account, to put back with `restore` (a linked chain applied tentatively). */
  save(index: number): Uint32Array {
    const base = index * wordsPerAccount;
    return this.words.slice(base, base + wordsPerAccount);
  }

  restore(index: number, saved: Uint32Array): void {
    this.words.set(saved, index * wordsPerAccount);
  }

  /**
   * Doubles the room. No maximum here: the decider refuses accounts past `accountsMax`, and a log or snapshot holding
   * more (the maximum lowered since) must still load.
   */
  private grow(): void {
    const accounts = 2 * (this.words.length / wordsPerAccount);
    const words = new Uint32Array(accounts * wordsPerAccount);
    words.set(this.words);
    this.words = words;
  }
}

/**
 * Whether the value in words (high, low) is greater than the one in (otherHigh, otherLow). A low word may be given
 * signed (`| 0`, which callers use so that V8 does not box it into a heap number): it is compared unsigned.
 */
export function isGreater(high: number, low: number, otherHigh: number, otherLow: number): boolean {
  return high > otherHigh || (high === otherHigh && low >>> 0 > otherLow >>> 0);
}
