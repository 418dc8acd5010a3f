import { createRemoteJWKSet, flattenedVerify } from 'jose';
import type { IncomingMessage } from 'node:http';

/** What a receiver found of the switch's Hisaab-JWS on one message. */
export type SwitchJwsCheck = 'VALID' | 'MISSING' | 'INVALID';

export type SwitchJwsChecker = (message: {
  header: string | string[] | undefined;
  method: string;
  pathWithQuery: string;
  rawBody: Buffer;
  now: Date;
}) => Promise<SwitchJwsCheck>;

const toleranceSeconds = 300;

/**
 * How a participant or a merchant checks the switch's own signature (issue 15): the keys from the switch's
 * /.well-known/jwks.json (fetched again when a message names a kid it has not seen, so a rotation needs nothing
 * done by hand), the signature over the raw body, and the method, path and time it was signed for.
 */
export function switchJwsChecker(jwksUrl: string): SwitchJwsChecker {
  const keys = createRemoteJWKSet(new URL(jwksUrl), { cooldownDuration: 0, timeoutDuration: 5_000 });
  return async ({ header, method, pathWithQuery, rawBody, now }) => {
    if (typeof header !== 'string' || header === '') return 'MISSING';
    const [protectedHeader, payload, signature] = header.split('.');
    if (protectedHeader === undefined || payload !== '' || signature === undefined) return 'INVALID';
    try {
      const verified = await flattenedVerify({ protected: protectedHeader, payload: rawBody.toString('base64url'), signature }, keys, {
        algorithms: ['EdDSA'],
      });
      const claims = verified.protectedHeader as { htm?: unknown; htu?: unknown; iat?: unknown };
      const nowSeconds = Math.floor(now.getTime() / 1000);
      const fresh = typeof claims.iat === 'number' && Math.abs(nowSeconds - claims.iat) <= toleranceSeconds;
      return claims.htm === method && claims.htu === pathWithQuery && fresh ? 'VALID' : 'INVALID';
    } catch {
      return 'INVALID';
    }
  };
}

/** The check of one received HTTP request, exactly as it arrived. */
export function switchJwsCheckOf(checker: SwitchJwsChecker, request: IncomingMessage, rawBody: Buffer, now: Date): Promise<SwitchJwsCheck> {
  return checker({ header: request.headers['hisaab-jws'], method: request.method ?? '', pathWithQuery: request.url ?? '', rawBody, now });
}
