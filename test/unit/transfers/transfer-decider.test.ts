import { decide, evolve, initialState, type TransferCommand } from '../../../core/transfers/transfer-decider';
import type { TransferEvent, TransferInitiated } from '../../../core/transfers/transfer-events';
import { deciderSpec } from '../../support/decider-spec';

const spec = deciderSpec({ decide, evolve, initialState });
const now = new Date('2026-11-28T10:00:00.000Z');
const at = now.toISOString();

const initiation: TransferInitiated['data'] = {
  transferId: '0b4c6f1e-6a39-4e4e-9a37-52f3d5c0a001',
  payerParticipant: 'MARGALLA',
  payeeParticipant: 'RAVI',
  payer: { type: 'MSISDN', value: '923001111111', name: 'Ayesha Khan' },
  payee: { type: 'MSISDN', value: '923002222222' },
  payeeAccount: { type: 'WALLET', value: '03002222222' },
  amountMinor: '150050',
  currency: 'PKR',
  purpose: 'P2P',
  note: null,
  creditMode: 'REQUEST',
  requestDigest: 'digest',
  channel: 'api',
  createdAt: at,
};

const initiated: TransferEvent = { type: 'TransferInitiated', data: initiation };
const committed: TransferEvent = { type: 'TransferCommitted', data: { transferId: initiation.transferId, completedAt: at } };
const aborted: TransferEvent = {
  type: 'TransferAborted',
  data: { transferId: initiation.transferId, reason: 'PAYEE_TIMEOUT', detail: 'no answer', reversalQueued: true, completedAt: at },
};
const reversed: TransferEvent = {
  type: 'TransferReversed',
  data: { transferId: initiation.transferId, reason: 'PAYER_REVERSED', reversedAt: at },
};

const initiate: TransferCommand = { type: 'InitiateTransfer', data: initiation };
const commit: TransferCommand = { type: 'CommitTransfer', data: { transferId: initiation.transferId }, now };
const abort: TransferCommand = {
  type: 'AbortTransfer',
  data: { transferId: initiation.transferId, reason: 'PAYEE_TIMEOUT', detail: 'no answer', reversalQueued: true },
  now,
};
const reverse: TransferCommand = { type: 'ReverseTransfer', data: { transferId: initiation.transferId, reason: 'PAYER_REVERSED' }, now };

describe('transfer decider', () => {
  it('initiates a new transfer', () => spec.given([]).when(initiate).then([initiated]));

  it('refuses to initiate an id twice', () =>
    spec
      .given([initiated])
      .when(initiate)
      .thenThrows((error) => error.code === 'TRANSFER_EXISTS'));

  it('commits a transfer in flight', () => spec.given([initiated]).when(commit).then([committed]));

  it('aborts a transfer in flight with its reason', () => spec.given([initiated]).when(abort).then([aborted]));

  it('treats a repeated commit as a retry with no new fact', () => spec.given([initiated, committed]).when(commit).then([]));

  it('treats a repeated abort as a retry with no new fact', () => spec.given([initiated, aborted]).when(abort).then([]));

  it('never aborts a committed transfer: the money has moved', () =>
    spec
      .given([initiated, committed])
      .when(abort)
      .thenThrows((error) => error.code === 'TRANSFER_NOT_IN_FLIGHT'));

  it('never commits an aborted transfer: the reservation is released', () =>
    spec
      .given([initiated, aborted])
      .when(commit)
      .thenThrows((error) => error.code === 'TRANSFER_NOT_IN_FLIGHT'));

  it('refuses to complete a transfer that was never initiated', () =>
    spec
      .given([])
      .when(commit)
      .thenThrows((error) => error.code === 'TRANSFER_NOT_IN_FLIGHT'));

  it('reverses a committed transfer once', () => spec.given([initiated, committed]).when(reverse).then([reversed]));

  it('treats a second reversal as a retry', () => spec.given([initiated, committed, reversed]).when(reverse).then([]));

  it('refuses to reverse a transfer that did not commit', () =>
    spec
      .given([initiated, aborted])
      .when(reverse)
      .thenThrows((error) => error.code === 'TRANSFER_NOT_COMMITTED'));
});
