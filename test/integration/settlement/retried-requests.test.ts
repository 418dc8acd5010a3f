import { startSettlementFixture, type SettlementFixture } from './settlement-fixture';

/**
 * A close or settle whose answer was lost (the switch crashed, or answered 503 before the idempotency record was
 * stored) is retried with the same Idempotency-Key, and so the same request reference. Other closes and settlements
 * may have happened in between: the schedule keeps closing windows meanwhile.
 */
let fixture: SettlementFixture;

beforeAll(async () => {
  fixture = await startSettlementFixture([{ id: 'INDUS', bankCode: 'INDU', netDebitCapMinor: 100_000n, customers: 1 }]);
});

afterAll(async () => {
  await fixture.close();
});

const close = (requestReference: string | null, closedBy = 'operator') =>
  fixture.settlement.closeWindow({ currency: 'PKR', closedBy, requestReference }, fixture.context());

it('answers a retried close with the windows it closed and opened, closing nothing more, after a scheduled close came in between', async () => {
  const first = await close('operator-close-1');
  const scheduled = await close(null, 'schedule');
  const head = await fixture.store.headPosition();

  const retried = await close('operator-close-1');

  expect(retried).toEqual({ closedWindowId: first.closedWindowId, openedWindowId: first.openedWindowId, position: null });
  expect(await fixture.store.headPosition()).toBe(head);
  await fixture.caughtUp();
  const open = fixture.settlementReader.listWindows({ currency: 'PKR', state: 'OPEN', beforeCreatedPosition: null, limit: 10 });
  expect(open.map((window) => window.windowId)).toEqual([scheduled.openedWindowId]);
});

it('answers a retried settle as done after another window was settled in between', async () => {
  const { closedWindowId: firstWindowId } = await close(null);
  const { closedWindowId: secondWindowId } = await close(null);
  const request = { windowId: firstWindowId, reference: 'RTGS-A', requestReference: 'operator-settle-1' };
  await fixture.settlement.settleWindow(request, fixture.context());
  await fixture.settlement.settleWindow(
    { windowId: secondWindowId, reference: 'RTGS-B', requestReference: 'operator-settle-2' },
    fixture.context(),
  );
  const head = await fixture.store.headPosition();

  await expect(fixture.settlement.settleWindow(request, fixture.context())).resolves.toMatchObject({
    windowId: firstWindowId,
    position: null,
  });
  expect(await fixture.store.headPosition()).toBe(head);
  // Any other settle of it is still refused.
  await expect(
    fixture.settlement.settleWindow({ ...request, requestReference: 'operator-settle-3' }, fixture.context()),
  ).rejects.toMatchObject({
    code: 'WINDOW_ALREADY_SETTLED',
  });
});
