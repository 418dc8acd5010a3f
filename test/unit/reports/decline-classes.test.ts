import { declineClasses, declineClassOf, declineClassOfAbortReason } from '../../../core/reports/decline-classes';
import { abortReasons } from '../../../core/transfers/transfer-events';

it('classifies every abort reason of transfer-events.ts, and nothing else, as a business or a technical decline', () => {
  for (const reason of abortReasons) {
    expect({ reason, inTable: Object.hasOwn(declineClassOfAbortReason, reason) }).toEqual({ reason, inTable: true });
    expect(declineClasses).toContain(declineClassOfAbortReason[reason]);
  }
  expect(Object.keys(declineClassOfAbortReason).sort()).toEqual([...abortReasons].sort());
});

it("gives the issue's examples their class", () => {
  expect(declineClassOf('NET_DEBIT_CAP_EXCEEDED')).toBe('BUSINESS');
  expect(declineClassOf('PAYEE_REJECTED')).toBe('BUSINESS');
  expect(declineClassOf('SESSION_NOT_PAYABLE')).toBe('BUSINESS');
  expect(declineClassOf('PAYEE_TIMEOUT')).toBe('TECHNICAL');
  expect(declineClassOf('PAYEE_UNAVAILABLE')).toBe('TECHNICAL');
  expect(declineClassOf('SWITCH_RESTARTED')).toBe('TECHNICAL');
  expect(() => declineClassOf('NOT_A_REASON')).toThrow(/is an abort reason/);
});
