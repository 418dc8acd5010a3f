/**
 * k6 scenario: `GET /v1/transfers/{id}` at a constant arrival rate (HISAAB_LOAD_RATE per second, default 5,000),
 * whatever the latency: the read target is a rate with a p99, not a concurrency. The runner first commits
 * transfers and lists them in HISAAB_LOAD_LOOKUP_FILE ({"baseUrl","transfers":[{"id","participantKey"}]}), so that
 * no write is in the figures; each iteration reads one of them with its payer's key and checks 200 and the id. Iterations k6 could not start in time (all virtual users
 * busy) are `dropped_iterations`: the rate was not reached.
 *
 * Environment: HISAAB_LOAD_LOOKUP_FILE, HISAAB_LOAD_RATE (1 to 20,000), HISAAB_LOAD_DURATION_SECONDS (1 to 300,
 * default 20), HISAAB_LOAD_VUS (most virtual users, 1 to 1,024, default 256), HISAAB_LOAD_SUMMARY_FILE,
 * HISAAB_LOAD_THRESHOLDS.
 */
import http from 'k6/http';
import { check } from 'k6';
import { Rate } from 'k6/metrics';
import transferRequestModule from './transfer-request.js';
import { boundedInteger, summaryOutputs, summaryTrendStats, thresholdsOf } from './k6-common.js';

const { assertLoopbackBaseUrl, transferLookup, lookupSucceeded } = transferRequestModule;

const transfersMax = 1_000;

/** The transfers to read and the target, read once in k6's init context. */
function loadLookups() {
  const path = __ENV.HISAAB_LOAD_LOOKUP_FILE;
  if (path === undefined || path === '') throw new Error('set HISAAB_LOAD_LOOKUP_FILE to the transfers to read');
  const lookups = JSON.parse(open(path));
  assertLoopbackBaseUrl(lookups.baseUrl);
  if (!Array.isArray(lookups.transfers) || lookups.transfers.length < 1 || lookups.transfers.length > transfersMax)
    throw new Error(`the lookup file lists 1 to ${transfersMax} transfers`);
  for (const transfer of lookups.transfers) {
    if (typeof transfer.id !== 'string' || typeof transfer.participantKey !== 'string')
      throw new Error('every transfer to read has an id and its payer participantKey');
  }
  return lookups;
}

const lookupsToMake = loadLookups();
const rate = boundedInteger('HISAAB_LOAD_RATE', 5_000, 1, 20_000);
const durationSeconds = boundedInteger('HISAAB_LOAD_DURATION_SECONDS', 20, 1, 300);
const vusMax = boundedInteger('HISAAB_LOAD_VUS', 256, 1, 1_024);

/** A lookup that did not find the transfer (status, body, timeout). */
const transferErrors = new Rate('transfer_errors');

export const options = {
  scenarios: {
    lookups: {
      executor: 'constant-arrival-rate',
      rate,
      timeUnit: '1s',
      duration: `${durationSeconds}s`,
      preAllocatedVUs: Math.min(vusMax, 64),
      maxVUs: vusMax,
      gracefulStop: '10s',
    },
  },
  thresholds: thresholdsOf('transfer_errors'),
  summaryTrendStats,
  maxRedirects: 0,
};

export default function lookups() {
  const transfers = lookupsToMake.transfers;
  const transfer = transfers[Math.floor(Math.random() * transfers.length)];
  const lookup = transferLookup(lookupsToMake.baseUrl, transfer.participantKey, transfer.id);
  const response = http.get(lookup.url, { headers: lookup.headers, timeout: '10s', tags: { name: 'GET /v1/transfers/{id}' } });
  const found = lookupSucceeded(response.status, typeof response.body === 'string' ? response.body : '', transfer.id);
  check(response, { 'the transfer is found': () => found });
  transferErrors.add(!found);
}

export function handleSummary(data) {
  return summaryOutputs('lookups', data);
}
