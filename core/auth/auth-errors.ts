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
} as const satisfies ErrorCodeTable;
