'use strict';
/**
 * The one request the load test sends and what counts as its success. Shared, unchanged, by the k6 script
 * (transfers.k6.js) and by the jest test that keeps the rig from rotting (test/integration/load-tests/), so the
 * script and its test cannot drift apart. Plain CommonJS with no imports: k6 and Node both load it as it is.
 * Types for TypeScript callers are in transfer-request.d.ts.
 */

/** k6 is pointed only at this machine's loopback: a load test must never leave the machine by mistake. */
const loopbackBaseUrlPattern = /^http:\/\/127\.0\.0\.1:[1-9][0-9]{0,4}$/;

/** A transfer's amount in the load test: small, so that caps hold for any bounded run. */
const loadTransferAmount = '1.00';

function assertLoopbackBaseUrl(baseUrl) {
  if (typeof baseUrl !== 'string' || !loopbackBaseUrlPattern.test(baseUrl)) {
    throw new Error(`the load test runs only against http://127.0.0.1:<port>, not ${JSON.stringify(String(baseUrl).slice(0, 80))}`);
  }
  return baseUrl;
}

/**
 * POST /v1/transfers as issue 4 fixes it: `id` is the caller's fresh uuid (the idempotency key, so a reused id
 * would measure replays, not payments), the pair's participant key authenticates the payer.
 */
function transferRequest(baseUrl, pair, id) {
  assertLoopbackBaseUrl(baseUrl);
  return {
    url: `${baseUrl}/v1/transfers`,
    body: JSON.stringify({ id, payer: pair.payer, payee: pair.payee, amount: loadTransferAmount, currency: 'PKR', purpose: 'P2P' }),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${pair.participantKey}` },
  };
}

/** The state of a transfer answer's JSON body, or null when the body is not a transfer. */
function answeredState(bodyText) {
  try {
    const body = JSON.parse(bodyText);
    return body !== null && typeof body === 'object' && typeof body.state === 'string' ? body.state : null;
  } catch (_error) {
    return null;
  }
}

/** The checks k6 counts: a created transfer (201) that committed. An ABORTED payment is an error under load. */
const transferChecks = {
  'status is 201': (status, _bodyText) => status === 201,
  'state is COMMITTED': (_status, bodyText) => answeredState(bodyText) === 'COMMITTED',
};

function transferSucceeded(status, bodyText) {
  return Object.keys(transferChecks).every((name) => transferChecks[name](status, bodyText));
}

module.exports = {
  loopbackBaseUrlPattern,
  loadTransferAmount,
  assertLoopbackBaseUrl,
  transferRequest,
  answeredState,
  transferChecks,
  transferSucceeded,
};
