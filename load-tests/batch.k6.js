/**
 * k6 scenario: participants posting batches (`POST /v1/transfers/batch`) of HISAAB_LOAD_BATCH_SIZE transfers
 * (default 1,000), each with fresh uuids, from a bounded number of virtual users. `npm run bench:http` runs it
 * against the switch's ADVICE ring: a REQUEST payee would be asked over HTTP once per item, which measures the
 * wallet, not the batch. The figure is committed transfers per second (the `committed_transfers` counter), not
 * requests; an item that did not commit counts in `transfer_errors`.
 *
 * Environment: HISAAB_LOAD_SEED_FILE, HISAAB_LOAD_VUS (1 to 64, default 4), HISAAB_LOAD_DURATION_SECONDS (1 to
 * 300, default 20), HISAAB_LOAD_BATCH_SIZE (1 to 8,190), HISAAB_LOAD_SUMMARY_FILE, HISAAB_LOAD_THRESHOLDS.
 */
import http from 'k6/http';
import { check } from 'k6';
import { Counter, Rate } from 'k6/metrics';
import transferRequestModule from './transfer-request.js';
import { boundedInteger, loadSeed, summaryOutputs, summaryTrendStats, thresholdsOf } from './k6-common.js';

const { batchRequest, batchCommittedCount } = transferRequestModule;

/** The switch's own maximum (api/api-limits.ts: one ledger tick). */
const batchSizeMax = 8_190;
const requestTimeout = '60s';

const seed = loadSeed();
const vus = boundedInteger('HISAAB_LOAD_VUS', 4, 1, 64);
const durationSeconds = boundedInteger('HISAAB_LOAD_DURATION_SECONDS', 20, 1, 300);
const batchSize = boundedInteger('HISAAB_LOAD_BATCH_SIZE', 1_000, 1, batchSizeMax);

const committedTransfers = new Counter('committed_transfers');
/** Each virtual user says once why a batch did not commit whole: a figure with errors must say what they were. */
let failureReported = false;
const transferErrors = new Rate('transfer_errors');

export const options = {
  scenarios: {
    batches: { executor: 'constant-vus', vus, duration: `${durationSeconds}s`, gracefulStop: '30s' },
  },
  // A batch is a thousand payments: seconds per request are expected, half a minute is not.
  thresholds: thresholdsOf('transfer_errors', 30_000),
  summaryTrendStats,
  maxRedirects: 0,
};

export default function batches() {
  const pair = seed.pairs[(__VU + __ITER) % seed.pairs.length];
  const ids = [];
  for (let index = 0; index < batchSize; index += 1) ids.push(crypto.randomUUID());
  const request = batchRequest(seed.baseUrl, pair, ids);
  const response = http.post(request.url, request.body, {
    headers: request.headers,
    timeout: requestTimeout,
    tags: { name: 'POST /v1/transfers/batch' },
  });
  const committed = batchCommittedCount(response.status, typeof response.body === 'string' ? response.body : '');
  check(response, { 'status is 200': (answer) => answer.status === 200, 'every item committed': () => committed === batchSize });
  committedTransfers.add(committed);
  if (committed < batchSize && !failureReported) {
    failureReported = true;
    const body = typeof response.body === 'string' ? response.body : '';
    const firstError = body.indexOf('"outcome":"ERROR"');
    console.warn(
      `a batch committed ${committed} of ${batchSize}: status ${response.status} ${body.slice(Math.max(0, firstError), Math.max(0, firstError) + 300)}`,
    );
  }
  // Per item: the error rate is a share of transfers, as in the single-transfer scenario.
  for (let index = 0; index < batchSize; index += 1) transferErrors.add(index >= committed);
}

export function handleSummary(data) {
  return summaryOutputs('batches', data);
}
