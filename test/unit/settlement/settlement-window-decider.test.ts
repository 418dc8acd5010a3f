import {
  decide,
  evolve,
  initialState,
  recentRequestsMax,
  unsettledWindowsMax,
  type SettlementWindowCommand,
} from '../../../core/settlement/settlement-window-decider';
import type { SettledPosition, SettlementWindowEvent } from '../../../core/settlement/settlement-window-events';
import { parseSettlementWindowId, settlementWindowId } from '../../../core/settlement/settlement-window-events';
import { idempotencyRetentionMs } from '../../../core/idempotency/idempotency-store';
import { deciderSpec } from '../../support/decider-spec';

const spec = deciderSpec({ decide, evolve, initialState });
const now = new Date('2026-11-28T10:00:00.000Z');
const at = now.toISOString();

const opened = (sequence: number): SettlementWindowEvent => ({
  type: 'SettlementWindowOpened',
  data: { windowId: settlementWindowId('PKR', sequence), currency: 'PKR', sequence, openedAt: at },
});
const closed = (sequence: number, requestReference: string | null = null): SettlementWindowEvent => ({
  type: 'SettlementWindowClosed',
  data: { windowId: settlementWindowId('PKR', sequence), currency: 'PKR', closedAt: at, closedBy: 'operator', requestReference },
});
const positions: SettledPosition[] = [
  { participant: 'INDUS', direction: 'PAYS', amountMinor: '150050' },
  { participant: 'MARGALLA', direction: 'RECEIVES', amountMinor: '150050' },
];
const settled = (sequence: number, requestReference: string | null = null): SettlementWindowEvent => ({
  type: 'SettlementWindowSettled',
  data: { windowId: settlementWindowId('PKR', sequence), currency: 'PKR', reference: 'RTGS-1', settledAt: at, positions, requestReference },
});

const openFirst: SettlementWindowCommand = { type: 'OpenFirstWindow', data: { currency: 'PKR' }, now };
const close = (requestReference: string | null = null): SettlementWindowCommand => ({
  type: 'CloseWindow',
  data: { currency: 'PKR', closedBy: 'operator', requestReference },
  now,
});
const settle = (sequence: number, requestReference: string | null = null): SettlementWindowCommand => ({
  type: 'SettleWindow',
  data: { windowId: settlementWindowId('PKR', sequence), reference: 'RTGS-1', positions, requestReference },
  now,
});

describe('settlement window decider', () => {
  it('opens window 1 the first time the switch starts', () =>
    spec
      .given([])
      .when(openFirst)
      .then([opened(1)]));

  it('opens nothing on later starts: a window is open already', () =>
    spec
      .given([opened(1)])
      .when(openFirst)
      .then([]));

  it('opens nothing on a later start even when the open window is not the first', () =>
    spec
      .given([opened(1), closed(1), opened(2)])
      .when(openFirst)
      .then([]));

  it('closes the open window and opens the next in one decision', () =>
    spec
      .given([opened(1)])
      .when(close())
      .then([closed(1), opened(2)]));

  it('closes an empty window like any other: emptiness is not a reason to keep it open', () =>
    spec
      .given([opened(1), closed(1), opened(2)])
      .when(close())
      .then([closed(2), opened(3)]));

  it('refuses to close before any window opened', () =>
    spec
      .given([])
      .when(close())
      .thenThrows((error) => error.code === 'NO_OPEN_WINDOW'));

  it('recognises a retried close by its request reference and closes nothing more', () =>
    spec
      .given([opened(1), closed(1, 'request-a'), opened(2)])
      .when(close('request-a'))
      .then([]));

  it('recognises a retried close even when other closes came after it (a schedule, another operator)', () =>
    spec
      .given([opened(1), closed(1, 'request-a'), opened(2), closed(2), opened(3), closed(3, 'request-b'), opened(4)])
      .when(close('request-a'))
      .then([]));

  it('remembers at most recentRequestsMax closed requests, the newest', () => {
    const history: SettlementWindowEvent[] = [opened(1)];
    for (let sequence = 1; sequence <= recentRequestsMax + 1; sequence += 1)
      history.push(closed(sequence, `request-${sequence}`), opened(sequence + 1));
    const state = history.reduce(evolve, initialState);
    expect(state.recentCloses).toHaveLength(recentRequestsMax);
    expect(state.recentCloses[0]?.requestReference).toBe('request-2');
    expect(decide(close(`request-${recentRequestsMax + 1}`), state)).toEqual([]);
  });

  it('closes again for a request that reuses an Idempotency-Key after its answer expired: that is a new request', () => {
    const dayLater: SettlementWindowCommand = { ...close('request-a'), now: new Date(now.getTime() + idempotencyRetentionMs) };
    spec
      .given([opened(1), closed(1, 'request-a'), opened(2)])
      .when(dayLater)
      .thenMatches((events) => events.map((event) => event.type).join() === 'SettlementWindowClosed,SettlementWindowOpened');
  });

  it('closes again for a different request', () =>
    spec
      .given([opened(1), closed(1, 'request-a'), opened(2)])
      .when(close('request-b'))
      .then([closed(2, 'request-b'), opened(3)]));

  it('settles a closed window with the positions it is given', () =>
    spec
      .given([opened(1), closed(1), opened(2)])
      .when(settle(1))
      .then([settled(1)]));

  it('refuses to settle the open window', () =>
    spec
      .given([opened(1), closed(1), opened(2)])
      .when(settle(2))
      .thenThrows((error) => error.code === 'WINDOW_NOT_CLOSED'));

  it('refuses to settle a window twice', () =>
    spec
      .given([opened(1), closed(1), opened(2), settled(1)])
      .when(settle(1))
      .thenThrows((error) => error.code === 'WINDOW_ALREADY_SETTLED'));

  it('treats the same settle request retried as done, not as a second settlement', () =>
    spec
      .given([opened(1), closed(1), opened(2), settled(1, 'request-s')])
      .when(settle(1, 'request-s'))
      .then([]));

  it('treats a settle request retried after other windows were settled as done, not as a conflict', () =>
    spec
      .given([opened(1), closed(1), opened(2), closed(2), opened(3), settled(1, 'request-s'), settled(2, 'request-t')])
      .when(settle(1, 'request-s'))
      .then([]));

  it('refuses a settle that reuses the Idempotency-Key of one whose answer expired: the window is settled already', () =>
    spec
      .given([opened(1), closed(1), opened(2), settled(1, 'request-s')])
      .when({ ...settle(1, 'request-s'), now: new Date(now.getTime() + idempotencyRetentionMs) })
      .thenThrows((error) => error.code === 'WINDOW_ALREADY_SETTLED'));

  it('refuses a window that does not exist yet', () =>
    spec
      .given([opened(1), closed(1), opened(2)])
      .when(settle(3))
      .thenThrows((error) => error.code === 'WINDOW_NOT_FOUND'));

  it('settles windows in any order', () =>
    spec
      .given([opened(1), closed(1), opened(2), closed(2), opened(3), settled(2)])
      .when(settle(1))
      .then([settled(1)]));

  it('refuses to close once too many windows wait for settlement', () => {
    const history: SettlementWindowEvent[] = [opened(1)];
    for (let sequence = 1; sequence <= unsettledWindowsMax; sequence += 1) history.push(closed(sequence), opened(sequence + 1));
    spec
      .given(history)
      .when(close())
      .thenThrows((error) => error.code === 'TOO_MANY_UNSETTLED_WINDOWS');
  });

  it('asserts that the positions it records are well formed', () =>
    spec
      .given([opened(1), closed(1), opened(2)])
      .when({
        ...settle(1),
        data: { ...settle(1).data, positions: [{ participant: 'INDUS', direction: 'PAYS', amountMinor: '-5' }] },
      } as SettlementWindowCommand)
      .thenThrows((error) => String(error.message).includes('positive whole number')));
});

describe('window ids', () => {
  it('are the currency and a six-digit number', () => expect(settlementWindowId('PKR', 42)).toBe('PKR-000042'));

  it('parse back, one spelling per window', () => {
    expect(parseSettlementWindowId('PKR-000042')).toEqual({ currency: 'PKR', sequence: 42 });
    expect(parseSettlementWindowId('PKR-0000042')).toBeNull();
    expect(parseSettlementWindowId('XYZ-000001')).toBeNull();
    expect(parseSettlementWindowId('PKR-000000')).toBeNull();
    expect(parseSettlementWindowId('pkr-000001')).toBeNull();
  });
});
