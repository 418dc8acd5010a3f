import { randomUUID } from 'node:crypto';
import type { LedgerCommand } from '../../../core/ledger/commands';
import {
  hubSettlementAccountId,
  settledPositions,
  settlementPostingCommand,
  settlementTransferId,
} from '../../../core/settlement/settlement-postings';
import { startSettlementFixture, type SettlementFixture } from './settlement-fixture';

const wallets = [
  { id: 'INDUS', bankCode: 'INDU', netDebitCapMinor: 10_000_000n, customers: 2 },
  { id: 'RAVI', bankCode: 'RAVI', netDebitCapMinor: 10_000_000n, customers: 2 },
];

/** Pays some money both ways, closes the window, and returns its id once the read model has its close. */
async function paymentsThenClose(fixture: SettlementFixture, count: number): Promise<string> {
  const indus = fixture.customers.filter((customer) => customer.participant === 'INDUS');
  const ravi = fixture.customers.filter((customer) => customer.participant === 'RAVI');
  for (let index = 0; index < count; index += 1) {
    const [payer, payee] = index % 3 === 0 ? [ravi[index % 2]!, indus[index % 2]!] : [indus[index % 2]!, ravi[index % 2]!];
    const view = await fixture.pay(payer, payee, `${100 + index}.25`, randomUUID());
    expect(view.state).toBe('COMMITTED');
  }
  const closed = await fixture.settlement.closeWindow({ currency: 'PKR', closedBy: 'operator', requestReference: null }, fixture.context());
  await fixture.caughtUp();
  return closed.closedWindowId;
}

/** What the first half of a settle does before a crash: the window's postings booked, WindowSettled not yet written. */
async function postingsOnly(fixture: SettlementFixture, windowId: string): Promise<void> {
  const positions = settledPositions(fixture.settlementReader.windowLines(windowId));
  expect(positions.length).toBe(2);
  const commands: LedgerCommand[] = [
    { type: 'create_account', id: hubSettlementAccountId, ledger: 'PKR', code: 'HUB_SETTLEMENT', owner: 'hub' },
    ...positions.map((position) => settlementPostingCommand('PKR', windowId, position)),
  ];
  const { results } = await fixture.ledger.submit(commands);
  expect(results).toEqual(['ok', 'ok', 'ok']);
  await fixture.caughtUp();
}

async function positionsOf(fixture: SettlementFixture): Promise<bigint[]> {
  return [(await fixture.position('INDUS')).positionMinor, (await fixture.position('RAVI')).positionMinor];
}

describe('settling after a crash between the ledger postings and WindowSettled', () => {
  it('finishes on retry: the window is SETTLED and no posting is booked twice', async () => {
    const fixture = await startSettlementFixture(wallets);
    try {
      const windowId = await paymentsThenClose(fixture, 6);
      const owed = await positionsOf(fixture);
      expect(owed.every((position) => position !== 0n)).toBe(true);
      await postingsOnly(fixture, windowId);
      expect(await positionsOf(fixture)).toEqual([0n, 0n]);
      expect(fixture.settlementReader.findWindow(windowId)?.state).toBe('CLOSED');

      const result = await fixture.settlement.settleWindow({ windowId, reference: 'RTGS-42', requestReference: null }, fixture.context());
      await fixture.caughtUp();
      expect(result.positions).toHaveLength(2);
      expect(await positionsOf(fixture)).toEqual([0n, 0n]);
      expect(fixture.settlementReader.findWindow(windowId)).toMatchObject({ state: 'SETTLED', reference: 'RTGS-42' });
      expect(fixture.settlementReader.postingsOf(windowId).map((posting) => posting.participant)).toEqual(['INDUS', 'RAVI']);
    } finally {
      await fixture.close();
    }
  });

  it('finishes on a retry long after, when the ledger no longer remembers the posting ids', async () => {
    // The ledger forgets resolved transfer ids after 20 of its events: a retry days later is past that.
    const fixture = await startSettlementFixture(wallets, { transfersRememberedEvents: 20 });
    try {
      const windowId = await paymentsThenClose(fixture, 5);
      await postingsOnly(fixture, windowId);
      // Traffic of the next window pushes the postings out of the ledger's idempotency memory.
      const nextWindowId = await paymentsThenClose(fixture, 12);
      expect(await fixture.ledger.lookupTransfer(settlementTransferId(windowId, 'INDUS'))).toBeUndefined();
      const owedForNextWindow = await positionsOf(fixture);

      await fixture.settlement.settleWindow({ windowId, reference: 'RTGS-late', requestReference: null }, fixture.context());
      await fixture.caughtUp();
      // Only the next window's obligations remain: the first window's were taken off once, not twice.
      expect(await positionsOf(fixture)).toEqual(owedForNextWindow);
      expect(fixture.settlementReader.findWindow(windowId)?.state).toBe('SETTLED');

      await fixture.settlement.settleWindow({ windowId: nextWindowId, reference: 'RTGS-next', requestReference: null }, fixture.context());
      expect(await positionsOf(fixture)).toEqual([0n, 0n]);
    } finally {
      await fixture.close();
    }
  });

  it('refuses an open window, an unknown one and a second settlement before touching the ledger', async () => {
    const fixture = await startSettlementFixture(wallets);
    try {
      const windowId = await paymentsThenClose(fixture, 3);
      const open = fixture.settlementReader.listWindows({ currency: 'PKR', state: 'OPEN', beforeCreatedPosition: null, limit: 1 })[0]!;
      const settle = (id: string) =>
        fixture.settlement.settleWindow({ windowId: id, reference: 'RTGS-1', requestReference: null }, fixture.context());
      const head = await fixture.store.headPosition();
      await expect(settle(open.windowId)).rejects.toMatchObject({ code: 'WINDOW_NOT_CLOSED' });
      await expect(settle('PKR-000099')).rejects.toMatchObject({ code: 'WINDOW_NOT_FOUND' });
      await expect(settle('XYZ-000001')).rejects.toMatchObject({ code: 'WINDOW_NOT_FOUND' });
      expect(await fixture.store.headPosition()).toBe(head);

      const request = { windowId, reference: 'RTGS-1', requestReference: 'operator-request-1' };
      expect((await fixture.settlement.settleWindow(request, fixture.context())).positions).toHaveLength(2);
      const settledHead = await fixture.store.headPosition();
      // The same request retried (its answer was lost) is answered as done; any other settle is refused.
      expect(await fixture.settlement.settleWindow(request, fixture.context())).toMatchObject({ windowId, position: null });
      await expect(settle(windowId)).rejects.toMatchObject({ code: 'WINDOW_ALREADY_SETTLED' });
      expect(await fixture.store.headPosition()).toBe(settledHead);
    } finally {
      await fixture.close();
    }
  });

  it('settles concurrent requests for one window once: one wins, the other is refused, nothing is posted twice', async () => {
    const fixture = await startSettlementFixture(wallets);
    try {
      const windowId = await paymentsThenClose(fixture, 5);
      const settle = (reference: string) =>
        fixture.settlement.settleWindow({ windowId, reference, requestReference: null }, fixture.context());
      const outcomes = await Promise.allSettled([settle('RTGS-A'), settle('RTGS-B'), settle('RTGS-C')]);
      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
      for (const outcome of outcomes)
        if (outcome.status === 'rejected') expect(outcome.reason).toMatchObject({ code: 'WINDOW_ALREADY_SETTLED' });
      expect(await positionsOf(fixture)).toEqual([0n, 0n]);
    } finally {
      await fixture.close();
    }
  });
});
