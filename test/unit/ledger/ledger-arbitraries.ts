import fc from 'fast-check';
import type { LedgerCommand, UserData } from '../../../core/ledger/commands';
import { transferCodes } from '../../../core/ledger/transfer-codes';

/** Random ledger commands over five accounts with every kind of limit, for the property tests. */
export const accountIds = ['A', 'B', 'C', 'D', 'E'] as const;
const accountIdArbitrary = fc.constantFrom(...accountIds);
const idArbitrary = fc.integer({ min: 0, max: 15 });
/** Mostly unlinked: long random chains would almost always fail and test little else. */
const linkedArbitrary = fc.integer({ min: 0, max: 4 }).map((draw) => draw === 0);
const amountArbitrary = fc.oneof({ weight: 15, arbitrary: fc.bigInt({ min: 1n, max: 300n }) }, { weight: 1, arbitrary: fc.constant(0n) });
const codeArbitrary = fc.constantFrom(...transferCodes);
/** Mostly none; the same entries in another key order are the same user data, and one is not ASCII. */
const userDataArbitrary = fc.option(fc.constantFrom<UserData>({ note: 'ünïcödé ✓' }, { a: '1', b: '2' }, { b: '2', a: '1' }), {
  nil: undefined,
  freq: 4,
});

export const commandArbitrary: fc.Arbitrary<LedgerCommand> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .record({
        id: idArbitrary,
        from: accountIdArbitrary,
        to: accountIdArbitrary,
        amount: amountArbitrary,
        code: codeArbitrary,
        linked: linkedArbitrary,
        userData: userDataArbitrary,
      })
      .map(({ id, from, to, amount, code, linked, userData }): LedgerCommand => ({
        type: 'transfer',
        id: `t${id}`,
        ledger: 'PKR',
        debitAccountId: from,
        creditAccountId: to,
        amountMinor: amount,
        code,
        linked,
        ...(userData === undefined ? {} : { userData }),
      })),
  },
  {
    weight: 4,
    arbitrary: fc
      .record({
        id: idArbitrary,
        from: accountIdArbitrary,
        to: accountIdArbitrary,
        amount: amountArbitrary,
        code: codeArbitrary,
        timeoutMs: fc.integer({ min: 1, max: 5000 }),
        linked: linkedArbitrary,
      })
      .map(({ id, from, to, amount, code, timeoutMs, linked }): LedgerCommand => ({
        type: 'pending_transfer',
        id: `p${id}`,
        ledger: 'PKR',
        debitAccountId: from,
        creditAccountId: to,
        amountMinor: amount,
        code,
        timeoutMs,
        linked,
      })),
  },
  {
    weight: 4,
    arbitrary: fc
      .record({
        id: idArbitrary,
        pending: idArbitrary,
        amount: fc.option(fc.bigInt({ min: 1n, max: 300n }), { nil: undefined }),
        linked: linkedArbitrary,
        userData: userDataArbitrary,
      })
      .map(({ id, pending, amount, linked, userData }): LedgerCommand => ({
        type: 'post_pending',
        id: `c${id}`,
        pendingId: `p${pending}`,
        linked,
        ...(amount === undefined ? {} : { amountMinor: amount }),
        ...(userData === undefined ? {} : { userData }),
      })),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({ id: idArbitrary, pending: idArbitrary })
      .map(({ id, pending }): LedgerCommand => ({ type: 'void_pending', id: `v${id}`, pendingId: `p${pending}` })),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({ account: accountIdArbitrary, limit: fc.option(fc.bigInt({ min: 0n, max: 500n }), { nil: null }) })
      .map(({ account, limit }): LedgerCommand => ({ type: 'change_debit_limit', accountId: account, debitLimitMinor: limit })),
  },
);

/** Opens the five accounts: two net debit caps, one of each flag, one without limits. */
export const openingCommands: LedgerCommand[] = [
  { type: 'create_account', id: 'A', ledger: 'PKR', code: 'POSITION', owner: 'BANK-A', debitLimitMinor: 400n },
  { type: 'create_account', id: 'B', ledger: 'PKR', code: 'POSITION', owner: 'WALLET-B', debitLimitMinor: 150n },
  { type: 'create_account', id: 'C', ledger: 'PKR', code: 'MERCHANT', owner: 'SHOP-C', debitsMustNotExceedCredits: true },
  { type: 'create_account', id: 'D', ledger: 'PKR', code: 'LIQUIDITY', owner: 'BANK-A', creditsMustNotExceedDebits: true },
  { type: 'create_account', id: 'E', ledger: 'PKR', code: 'HUB_SETTLEMENT', owner: 'hub' },
];
