import { notFinalByBound } from '../../../scripts/chaos/crash-checks';
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

