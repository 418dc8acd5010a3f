import { activeRegulatorKeysMax, decide, evolve, initialState, type RegulatorKeyEvent } from '../../../core/auth/regulator-keys';
import { idempotencyRetentionMs } from '../../../core/idempotency/idempotency-store';
import { deciderSpec } from '../../support/decider-spec';

const spec = deciderSpec({ decide, evolve, initialState });
const now = new Date('2025-03-01T10:00:00.000Z');
const at = now.toISOString();
const issued = (keyId: string, requestReference: string | null = null): RegulatorKeyEvent => ({
  type: 'RegulatorKeyIssued',
  data: { keyId, keyHash: `h-${keyId}`, name: 'SBP', requestReference, at },
});
const issue = (keyId: string, requestReference: string | null = null) => ({
  type: 'IssueRegulatorKey' as const,
  data: { keyId, keyHash: `h-${keyId}`, name: 'SBP', requestReference },
  now,
});

describe('regulator keys', () => {
  it('issues a key', () =>
    spec
      .given([])
      .when(issue('k1'))
      .then([issued('k1')]));

  it('replaces the key of a retried request', () =>
    spec
      .given([issued('k1', 'r')])
      .when(issue('k2', 'r'))
      .then([{ type: 'RegulatorKeyRevoked', data: { keyId: 'k1', at } }, issued('k2', 'r')]));

  it('leaves a key alone when its request key is used again after idempotency records expire: that is a new request', () => {
    const later = new Date(now.getTime() + idempotencyRetentionMs + 60_000);
    spec
      .given([issued('k1', 'r')])
      .when({ ...issue('k2', 'r'), now: later })
      .then([
        { type: 'RegulatorKeyIssued', data: { keyId: 'k2', keyHash: 'h-k2', name: 'SBP', requestReference: 'r', at: later.toISOString() } },
      ]);
  });

  it(`holds at most ${activeRegulatorKeysMax} active keys`, () =>
    spec
      .given(Array.from({ length: activeRegulatorKeysMax }, (_, index) => issued(`k${index}`)))
      .when(issue('extra'))
      .thenThrows('KEY_LIMIT_REACHED'));

  it('revokes only an active key', () => {
    spec
      .given([issued('k1')])
      .when({ type: 'RevokeRegulatorKey', data: { keyId: 'k1' }, now })
      .then([{ type: 'RegulatorKeyRevoked', data: { keyId: 'k1', at } }]);
    spec
      .given([])
      .when({ type: 'RevokeRegulatorKey', data: { keyId: 'k1' }, now })
      .thenThrows('KEY_NOT_FOUND');
  });
});
