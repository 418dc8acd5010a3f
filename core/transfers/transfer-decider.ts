import { assertNever } from '../assert';
import type { Decider } from '../eventstore/decider-stream';
import { DomainError } from '../errors';
import type { AbortReason, TransferEvent, TransferInitiated } from './transfer-events';
import { transferEventTypes } from './transfer-events';

export type TransferState =
  | { status: 'none' }
  | { status: 'initiated'; initiated: TransferInitiated['data'] }
  | { status: 'committed'; initiated: TransferInitiated['data']; completedAt: string; reversed: boolean }
  | { status: 'aborted'; initiated: TransferInitiated['data']; completedAt: string; reason: AbortReason; reversalQueued: boolean };

export type TransferCommand =
  | { type: 'InitiateTransfer'; data: TransferInitiated['data'] }
  | { type: 'CommitTransfer'; data: { transferId: string }; now: Date }
  | { type: 'AbortTransfer'; data: { transferId: string; reason: AbortReason; detail: string | null; reversalQueued: boolean }; now: Date }
  | { type: 'ReverseTransfer'; data: { transferId: string; reason: string }; now: Date };

export const initialState: TransferState = { status: 'none' };

export function evolve(state: TransferState, event: TransferEvent): TransferState {
  switch (event.type) {
    case 'TransferInitiated':
      return { status: 'initiated', initiated: event.data };
    case 'TransferCommitted':
      if (state.status !== 'initiated') return state;
      return { status: 'committed', initiated: state.initiated, completedAt: event.data.completedAt, reversed: false };
    case 'TransferAborted':
      if (state.status !== 'initiated') return state;
      return {
        status: 'aborted',
        initiated: state.initiated,
        completedAt: event.data.completedAt,
        reason: event.data.reason,
        reversalQueued: event.data.reversalQueued,
      };
    case 'TransferReversed':
      if (state.status !== 'committed') return state;
      return { ...state, reversed: true };
    default:
      return assertNever(event);
  }
}

/**
 * A transfer ends exactly once: COMMITTED or ABORTED. Completing it again the same way is a no-op (recovery
 * after a crash may repeat a step); completing it the other way is refused, because the ledger has already
 * moved (or released) the money one way.
 */
export function decide(command: TransferCommand, state: TransferState): TransferEvent[] {
  switch (command.type) {
    case 'InitiateTransfer':
      if (state.status !== 'none') throw new DomainError('TRANSFER_EXISTS', `transfer ${command.data.transferId} exists already`);
      return [{ type: 'TransferInitiated', data: command.data }];
    case 'CommitTransfer':
      if (state.status === 'committed') return [];
      if (state.status !== 'initiated') throw notInFlight(command.data.transferId, state);
      return [{ type: 'TransferCommitted', data: { transferId: command.data.transferId, completedAt: command.now.toISOString() } }];
    case 'AbortTransfer':
      if (state.status === 'aborted') return [];
      if (state.status !== 'initiated') throw notInFlight(command.data.transferId, state);
      return [{ type: 'TransferAborted', data: { ...command.data, completedAt: command.now.toISOString() } }];
    case 'ReverseTransfer':
      if (state.status === 'committed' && state.reversed) return [];
      if (state.status !== 'committed') {
        throw new DomainError(
          'TRANSFER_NOT_COMMITTED',
          `transfer ${command.data.transferId} is not committed, so there is nothing to reverse`,
        );
      }
      return [{ type: 'TransferReversed', data: { ...command.data, reversedAt: command.now.toISOString() } }];
    default:
      return assertNever(command);
  }
}

function notInFlight(transferId: string, state: TransferState): DomainError {
  return new DomainError('TRANSFER_NOT_IN_FLIGHT', `transfer ${transferId} is ${state.status}, not in flight`);
}

export const transferDecider: Decider<TransferCommand, TransferEvent, TransferState> = {
  initialState,
  evolve,
  decide,
  eventTypes: transferEventTypes,
};
