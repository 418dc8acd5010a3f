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

/**
 * POST /v1/transfers/batch: one transfer per id, all from the pair's payer to its payee, as one request of the
 * payer. Every item is the body transferRequest sends.
 */
function batchRequest(baseUrl, pair, ids) {
  assertLoopbackBaseUrl(baseUrl);
  const transfers = ids.map((id) => ({
    id,
    payer: pair.payer,
    payee: pair.payee,
    amount: loadTransferAmount,
    currency: 'PKR',
    purpose: 'P2P',
  }));
  return {
    url: `${baseUrl}/v1/transfers/batch`,
    body: JSON.stringify({ transfers }),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${pair.participantKey}` },
  };
}

/** How many items of a batch answer committed (0 for anything but a 200 with a results array). */
function batchCommittedCount(status, bodyText) {
  if (status !== 200) return 0;
  try {
    const body = JSON.parse(bodyText);
    if (body === null || typeof body !== 'object' || !Array.isArray(body.results)) return 0;
    return body.results.filter((result) => result !== null && result.outcome === 'TRANSFER' && result.state === 'COMMITTED').length;
  } catch (_error) {
    return 0;
  }
}

/** GET /v1/transfers/{id} with the payer's key: the payer sees its own transfer under its own id. */
function transferLookup(baseUrl, participantKey, id) {
  assertLoopbackBaseUrl(baseUrl);
  return { url: `${baseUrl}/v1/transfers/${encodeURIComponent(id)}`, headers: { authorization: `Bearer ${participantKey}` } };
}

/** A lookup found the transfer: 200 and the very id asked for. */
function lookupSucceeded(status, bodyText, id) {
  if (status !== 200) return false;
  try {
    const body = JSON.parse(bodyText);
    return body !== null && typeof body === 'object' && body.id === id;
  } catch (_error) {
    return false;
  }
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
  batchRequest,
  batchCommittedCount,
  transferLookup,
  lookupSucceeded,
  answeredState,
  transferChecks,
  transferSucceeded,
};
