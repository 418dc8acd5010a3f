import type { ErrorCodeTable } from '../errors';

/** Codes of who may call and with which key: authentication, roles, and the keys themselves. */
export const authErrors = {
  UNAUTHENTICATED: { status: 401, meaning: 'The request carries no bearer key, or one the switch does not know or has revoked.' },
  CLIENT_CERTIFICATE_REQUIRED: {
    status: 403,
    meaning: "Mutual TLS is on and the participant's request came without a client certificate signed by the switch's client CA.",
  },
  CLIENT_CERTIFICATE_MISMATCH: {
    status: 403,
    meaning: 'The client certificate is signed by the client CA but is not bound to the participant whose key the request carries.',
  },
  FORBIDDEN: { status: 403, meaning: 'The key is valid, but its role or participant may not do this (or see this) here.' },
  KEY_NOT_FOUND: { status: 404, meaning: 'There is no active key with this id to revoke.' },
  KEY_LIMIT_REACHED: {
    status: 422,
    meaning: 'The participant or regulator already holds as many active keys as allowed; revoke one first.',
  },
  SIGNING_SECRET_LIMIT_REACHED: {
    status: 409,
    meaning:
      'The participant already has as many signing secrets signing at once as allowed; rotate with overlapSeconds 0, or wait until the older ones retire.',
  },
  SIGNING_KEY_NOT_FOUND: { status: 404, meaning: 'The participant has no active request-signing key with this kid.' },
  SIGNING_KEY_EXISTS: { status: 409, meaning: 'This public key is registered already, for another algorithm.' },
  SIGNING_KEY_LIMIT_REACHED: {
    status: 409,
    meaning: 'The participant already holds as many request-signing keys as allowed; revoke one first.',
  },
  SIGNING_KEY_REQUIRED: {
    status: 409,
    meaning: 'Signed requests cannot be required of a participant that has no request-signing key: register one first.',
  },
  JWS_MISSING: { status: 401, meaning: 'The participant must sign its writes, and this one carries no Hisaab-JWS header.' },
  JWS_MALFORMED: {
    status: 401,
    meaning:
      'The Hisaab-JWS header is not a detached compact JWS (<protected>..<signature>) whose protected header has alg, kid, htm, htu, iat and jti.',
  },
  JWS_KEY_UNKNOWN: {
    status: 401,
    meaning: 'The JWS names a kid that is not an active signing key of the calling participant, or another alg.',
  },
  JWS_MISMATCH: { status: 401, meaning: 'The JWS was signed for another method (htm) or another path and query (htu) than this request.' },
  JWS_STALE: { status: 401, meaning: 'The JWS iat is more than 300 seconds away from the switch clock: sign the request again.' },
  JWS_SIGNATURE_INVALID: {
    status: 401,
    meaning: 'The signature does not verify over the protected header and the raw request body with the named key.',
  },
  JWS_REPLAYED: { status: 401, meaning: 'A request with this jti was accepted already: every request carries a fresh jti.' },
} as const satisfies ErrorCodeTable;
