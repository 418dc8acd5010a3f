import { couldBeRetryOf } from '../idempotency/retry-window';

/**
 * A signing secret in a rotation (a participant's callback secret, a merchant's webhook secret), sealed under the
 * master key. `retiresAt` null: the current secret; otherwise it signs until then.
 */
export type RotatingSecret = {
  secretId: string;
  sealedSecret: string;
  requestReference: string | null;
  issuedAt: string;
  retiresAt: string | null;
};

export type SecretRetirement = { secretId: string; retiresAt: string };

/** What a rotation event records: the new secret, when, for which request, and the secrets it retires. */
export type SecretRotation = {
  secretId: string;
  sealedSecret: string;
  requestReference: string | null;
  at: string;
  retirements: readonly SecretRetirement[];
};

/** The secrets that sign at `now`, newest first. */
export function liveSecrets<Secret extends RotatingSecret>(secrets: readonly Secret[], now: Date): Secret[] {
  const nowIso = now.toISOString();
  return secrets.filter((secret) => secret.retiresAt === null || secret.retiresAt > nowIso);
}

/**
 * The retirements a rotation at `now` makes: the current secret keeps signing until `overlapEndsAt`. A retry of a
 * rotation whose answer was lost (its request reference, within the retry window) stops that lost secret at once,
 * since nobody holds it, and the secrets that were retiring keep the end the first attempt gave them. Also returns
 * the secrets still signing after them, for the caller's bound on how many sign at once.
 */
export function rotationRetirements(
  secrets: readonly RotatingSecret[],
  requestReference: string | null,
  now: Date,
  overlapEndsAt: string,
): { retirements: SecretRetirement[]; stillSigning: RotatingSecret[] } {
  const at = now.toISOString();
  const live = liveSecrets(secrets, now);
  const retirements: SecretRetirement[] = [];
  for (const secret of live) {
    if (couldBeRetryOf(secret, requestReference, now)) retirements.push({ secretId: secret.secretId, retiresAt: at });
    else if (secret.retiresAt === null) retirements.push({ secretId: secret.secretId, retiresAt: overlapEndsAt });
  }
  const stillSigning = live.filter(
    (secret) => !retirements.some((retirement) => retirement.secretId === secret.secretId && retirement.retiresAt <= at),
  );
  return { retirements, stillSigning };
}

/** The secrets after a rotation is applied: the new one first, then the older ones that still sign after it. */
export function rotatedSecrets(secrets: readonly RotatingSecret[], rotation: SecretRotation): RotatingSecret[] {
  const retiresAtById = new Map(rotation.retirements.map((retirement) => [retirement.secretId, retirement.retiresAt]));
  const older = secrets
    .map((secret) => ({ ...secret, retiresAt: retiresAtById.get(secret.secretId) ?? secret.retiresAt }))
    .filter((secret) => secret.retiresAt !== null && secret.retiresAt > rotation.at);
  const newest: RotatingSecret = {
    secretId: rotation.secretId,
    sealedSecret: rotation.sealedSecret,
    requestReference: rotation.requestReference,
    issuedAt: rotation.at,
    retiresAt: null,
  };
  return [newest, ...older];
}
