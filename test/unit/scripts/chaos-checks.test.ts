import { notFinalByBound, refundAsAcknowledged, windowAsAcknowledged } from '../../../scripts/chaos/crash-checks';
import type { SwitchTransfer } from '../../../scripts/chaos/switch-records';

function transfer(id: string, state: SwitchTransfer['state']): SwitchTransfer {
  return {
    id,
    switchTransferId: `MARGALLA:${id}`,
    state,
    payerParticipant: 'MARGALLA',
    payeeParticipant: 'RAVI',
    payee: { type: 'MSISDN', value: '923002222221' },
    amountMinor: 100n,
    purpose: 'P2P',
    reversed: false,
  };
}

/**
 * The crash loop's "every transfer final within the payee deadline plus recovery": judged by the read taken when
 * that bound passed. The checks then wait up to 30 s more for deliveries, and a transfer that finished during that
 * wait was still late: the earlier check judged only the later read, so it let such a transfer through.
 */
describe('chaos: final within the payee deadline plus recovery', () => {
  it('holds a transfer in flight at the bound to be late, even when the later read finds it final', () => {
    expect(notFinalByBound([transfer('t-1', 'IN_FLIGHT')], [transfer('t-1', 'COMMITTED'), transfer('t-2', 'ABORTED')])).toEqual([
      'MARGALLA/t-1 was still IN_FLIGHT when the payee deadline plus recovery had passed',
    ]);
  });

  it('names one still in flight at the end, and each transfer once', () => {
    expect(notFinalByBound([transfer('t-1', 'IN_FLIGHT')], [transfer('t-1', 'IN_FLIGHT'), transfer('t-3', 'IN_FLIGHT')])).toEqual([
      'MARGALLA/t-1 still IN_FLIGHT',
      'MARGALLA/t-3 still IN_FLIGHT',
    ]);
  });

  it('finds nothing when every transfer was final by the bound', () => {
    expect(notFinalByBound([], [transfer('t-1', 'COMMITTED'), transfer('t-2', 'ABORTED')])).toEqual([]);
  });
});

/**
 * Refunds and windows are held to what the answers said, not only found: the earlier checks passed a refund
 * answered SUCCEEDED that the switch later held FAILED, and a window whose settle was answered but that was not
 * SETTLED after the restart.
 */
describe('chaos: refunds and settlement windows as acknowledged', () => {
  it('holds a refund to its final answer', () => {
    const refund = { id: 're_1', sessionId: 'cs_1', status: 'SUCCEEDED' };
    expect(refundAsAcknowledged(refund, { status: 'SUCCEEDED' })).toBeNull();
    expect(refundAsAcknowledged(refund, { status: 'FAILED' })).toBe('refund re_1 was acknowledged SUCCEEDED and is now FAILED');
    expect(refundAsAcknowledged(refund, null)).toBe('refund re_1 was acknowledged and is missing');
    // A refund answered PENDING may still end either way.
    expect(refundAsAcknowledged({ ...refund, status: 'PENDING' }, { status: 'FAILED' })).toBeNull();
  });

  it('holds a closed window closed, a settled one settled, and its nets to sum to zero', () => {
    expect(windowAsAcknowledged('w1', true, { state: 'SETTLED', netSumZero: true })).toBeNull();
    expect(windowAsAcknowledged('w1', false, { state: 'CLOSED', netSumZero: true })).toBeNull();
    expect(windowAsAcknowledged('w1', false, { state: 'SETTLED', netSumZero: true })).toBeNull();
    expect(windowAsAcknowledged('w1', true, { state: 'CLOSED', netSumZero: true })).toBe(
      'settlement window w1 was settled and is now CLOSED',
    );
    expect(windowAsAcknowledged('w1', false, { state: 'OPEN', netSumZero: true })).toBe('settlement window w1 was closed and is now OPEN');
    expect(windowAsAcknowledged('w1', false, { state: 'CLOSED', netSumZero: false })).toBe(
      'settlement window w1: its nets do not sum to zero',
    );
    expect(windowAsAcknowledged('w1', false, null)).toBe('settlement window w1 was closed and has no report');
  });
});
