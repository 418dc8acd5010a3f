import type { CreditMode, CurrencyCap, ParticipantEndpoints, ParticipantType } from './participant-profile';

/** A participant as the read model holds it (the participants projection). */
export type ParticipantRecord = {
  id: string;
  name: string;
  type: ParticipantType;
  bankCode: string;
  currency: string;
  netDebitCapMinor: bigint;
  creditMode: CreditMode;
  endpoints: ParticipantEndpoints;
  active: boolean;
  /**
   * What the switch signs the participant's callbacks with, newest first: the current secret and those in their
   * overlap (drop those whose `retiresAt` has passed). Stored as the events hold them: sealed (core/secrets).
   */
  signingSecrets: readonly StoredSigningSecret[];
  /** The operator's rate for this participant (requests per second per key and route class); null: the default. */
  rateLimitPerSecond: number | null;
  /** Issue 17: the currencies beyond `currency` the participant holds, each with its cap now (empty for most). */
  additionalCurrencies: readonly CurrencyCap[];
  /** Issue 17: a bank that posts exchange rates (an authorised dealer). */
  fxProvider: boolean;
  createdAt: string;
  updatedAt: string;
};

/** `storedSecret`: sealed (hs1.…), or a plain `whsec_…` from a key issued before signing secrets rotated on their own. */
export type StoredSigningSecret = { secretId: string; storedSecret: string; retiresAt: string | null };

/** Page sizes for listing participants. */
export const participantPageLimitDefault = 100;
export const participantPageLimitMax = 500;

/**
 * Read side of participants, answered from a projection (adapters/readmodel-sqlite/projections/participants-*.ts).
 * Synchronous: the read models are local SQLite, and the transfer path looks participants up for every payment.
 */
export interface ParticipantReader {
  findParticipant(participantId: string): ParticipantRecord | null;
  findParticipantByBankCode(bankCode: string): ParticipantRecord | null;
  /** The bank registered with this ISO 8583 institution id (DE32), if any. */
  findParticipantByInstitutionId(institutionId: string): ParticipantRecord | null;
  /** Participants ordered by id, strictly after `afterId` (null: from the first), at most `limit`. */
  listParticipants(afterId: string | null, limit: number): ParticipantRecord[];
}

/** Whether the participant holds a position in this currency: its first one or one of the others (issue 17). */
export function holdsCurrency(participant: ParticipantRecord, currency: string): boolean {
  return participant.currency === currency || participant.additionalCurrencies.some((entry) => entry.currency === currency);
}
