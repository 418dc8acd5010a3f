import type { RegisteredSigningKey } from './request-signing-key';

/** Read side of request signing (the request-signing projection), synchronous like the key reader it sits beside. */
export interface RequestSigningReader {
  /** Whether the operator requires every write of this participant to be signed. */
  signedRequestsRequired(participantId: string): boolean;
  /** An active (not revoked) key of this participant, or null. */
  findActiveSigningKey(participantId: string, kid: string): RegisteredSigningKey | null;
  /** Active keys first, then the latest revoked ones, at most signingKeysListedMax. */
  listSigningKeys(participantId: string): RegisteredSigningKey[];
}
