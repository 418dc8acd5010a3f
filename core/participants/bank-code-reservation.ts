import { assertNever } from '../assert';
import { DomainError } from '../errors';
import type { Decider } from '../eventstore/decider-stream';

/**
 * A bank code belongs to one participant. Its stream `bankcode-<code>` is appended with expected revisions,
 * so two registrations racing for one code cannot both win.
 *
 * Registration reserves the code first and appends the participant second. If the process dies between the
 * two, the code stays reserved for that participant id: retrying the same registration finds its own
 * reservation and completes. The reservation is released to another participant only once its holder is
 * known never to use it: the holder registered with a different code (a participant's code never changes).
 */
export type BankCodeReserved = {
  type: 'BankCodeReserved';
  data: { bankCode: string; participantId: string; previousParticipantId: string | null; at: string };
};
export type BankCodeEvent = BankCodeReserved;

export type BankCodeCommand = {
  type: 'ReserveBankCode';
  data: {
    bankCode: string;
    participantId: string;
    /**
     * A participant id known to have registered with another code, which frees any reservation it holds here.
     * Named, not a flag, so that a decision retried after a concurrent takeover never frees the new holder.
     */
    releasedHolderId: string | null;
  };
  now: Date;
};

export type BankCodeState = { status: 'free' } | { status: 'reserved'; participantId: string };

export const initialState: BankCodeState = { status: 'free' };

export function evolve(_state: BankCodeState, event: BankCodeEvent): BankCodeState {
  switch (event.type) {
    case 'BankCodeReserved':
      return { status: 'reserved', participantId: event.data.participantId };
    default:
      return assertNever(event.type);
  }
}

export function decide(command: BankCodeCommand, state: BankCodeState): BankCodeEvent[] {
  const { bankCode, participantId, releasedHolderId } = command.data;
  const at = command.now.toISOString();
  if (state.status === 'free') return [{ type: 'BankCodeReserved', data: { bankCode, participantId, previousParticipantId: null, at } }];
  if (state.participantId === participantId) return [];
  if (state.participantId !== releasedHolderId)
    throw new DomainError('BANK_CODE_TAKEN', `bank code ${bankCode} belongs to participant ${state.participantId}`);
  return [{ type: 'BankCodeReserved', data: { bankCode, participantId, previousParticipantId: state.participantId, at } }];
}

export const bankCodeDecider: Decider<BankCodeCommand, BankCodeEvent, BankCodeState> = {
  initialState,
  evolve,
  decide,
  eventTypes: ['BankCodeReserved'],
};
