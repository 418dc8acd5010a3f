import type { NewEvent } from '../../../core/eventstore/event';
import { companionEvents } from '../../../core/ledger/companion-events';
import type { CompanionAppend } from '../../../core/ledger/ledger-engine-contract';

function event(type: string): NewEvent {
  return { id: `id-${type}`, type, data: { transferId: 't1' }, metadata: { at: '2026-03-01T09:00:00.000Z' } };
}

const companion: CompanionAppend = {
  stream: 'transfer-t1',
  expectedRevision: 'no_stream',
  placement: 'before_ledger',
  acceptedWhen: ['ok', 'exists'],
  accepted: [event('TransferInitiated')],
  refused: [event('TransferInitiated'), event('TransferAborted')],
  refusal: {
    eventType: 'TransferAborted',
    resultField: 'detail',
    reasonField: 'reason',
    reasons: { exceeds_net_debit_cap: 'NET_DEBIT_CAP_EXCEEDED' },
    otherReason: 'LEDGER_REFUSED',
  },
};

describe('companionEvents', () => {
  it('reads the result of the command at its index, and adds its follow-up only when that other command is accepted too', () => {
    const advice: CompanionAppend = {
      ...companion,
      resultIndex: 2,
      acceptedFollowUp: { resultIndex: 3, acceptedWhen: ['ok', 'exists'], events: [event('TransferCommitted')] },
    };
    const types = (results: Parameters<typeof companionEvents>[1]) => companionEvents(advice, results).map((written) => written.type);
    expect(types(['exceeds_net_debit_cap', 'ok', 'ok', 'ok'])).toEqual(['TransferInitiated', 'TransferCommitted']);
    expect(types(['ok', 'ok', 'ok', 'pending_expired'])).toEqual(['TransferInitiated']);
    expect(types(['ok', 'ok', 'exceeds_net_debit_cap', 'ok'])).toEqual(['TransferInitiated', 'TransferAborted']);
  });

  it('writes the accepted events when the first result is accepted', () => {
    expect(companionEvents(companion, ['exists', 'exceeds_net_debit_cap']).map((written) => written.type)).toEqual(['TransferInitiated']);
  });

  it('fills the refusal from the result code into the refused events of its type only', () => {
    const written = companionEvents(companion, ['exceeds_net_debit_cap']);
    expect(written.map((each) => each.data)).toEqual([
      { transferId: 't1' },
      { transferId: 't1', detail: 'exceeds_net_debit_cap', reason: 'NET_DEBIT_CAP_EXCEEDED' },
    ]);
    expect(companionEvents(companion, ['account_not_found'])[1]?.data).toEqual({
      transferId: 't1',
      detail: 'account_not_found',
      reason: 'LEDGER_REFUSED',
    });
  });

  it('is data in and data out: a companion survives a structured clone (an IPC message) and gives the same events', () => {
    const cloned = structuredClone(companion);
    expect(companionEvents(cloned, ['exceeds_net_debit_cap'])).toEqual(companionEvents(companion, ['exceeds_net_debit_cap']));
  });
});
