/**
 * k6 scenario: participants posting transfers (`POST /v1/transfers`, issue 4) as fast as a bounded number of
 * virtual users can, each request with a fresh uuid, each answer checked for 201 and state COMMITTED.
 * `npm run load:transfers` (run-transfers.ts) runs it against the switch and against a bare HTTP reference in
 * the same run. By hand, against a switch on this machine:
 *
 *   load-tests/.bin/k6 run --no-usage-report --address '' \
 *     -e HISAAB_LOAD_BASE_URL=http://127.0.0.1:8080 -e HISAAB_LOAD_KEY=<participant key> \
 *     -e HISAAB_LOAD_PAYER_WALLET=<payer wallet number> -e HISAAB_LOAD_PAYEE_MSISDN=<payee alias> \
 *     load-tests/transfers.k6.js
 *
 * Environment (every value bounded, so every run ends by itself):
 *   HISAAB_LOAD_SEED_FILE         absolute path of the JSON the runner writes: {"baseUrl","pairs":[{"participantKey",
 *                                 "payer","payee"}]}; or, for one pair, the four HISAAB_LOAD_* variables above
 *   HISAAB_LOAD_VUS               virtual users, 1 to 256 (default 32)
 *   HISAAB_LOAD_DURATION_SECONDS  1 to 300 (default 20)
 *   HISAAB_LOAD_SUMMARY_FILE      where handleSummary writes k6's JSON summary (the runner reads it)
 *   HISAAB_LOAD_THRESHOLDS        `measure` (default) or `smoke` (CI: errors < 0.1 %, p99 < 500 ms; k6-common.js)
 * The base URL must be http://127.0.0.1:<port>: the script refuses anything that would leave the machine.
 */
import http from 'k6/http';
import { check } from 'k6';
import { Rate } from 'k6/metrics';
import transferRequestModule from './transfer-request.js';
import { boundedInteger, loadSeed, summaryOutputs, summaryTrendStats, thresholdsOf } from './k6-common.js';

const { transferRequest, transferChecks, transferSucceeded } = transferRequestModule;

const vusMax = 256;
const durationSecondsMax = 300;
/** Past the switch's own payee deadline (2 s in the runner, 10 s by default) and its 30 s request timeout. */
const requestTimeout = '35s';

const seed = loadSeed();
const vus = boundedInteger('HISAAB_LOAD_VUS', 32, 1, vusMax);
const durationSeconds = boundedInteger('HISAAB_LOAD_DURATION_SECONDS', 20, 1, durationSecondsMax);

/** A request that did not end in a committed transfer, whatever the cause (status, body, timeout). */
const transferErrors = new Rate('transfer_errors');

export const options = {
  scenarios: {
    transfers: { executor: 'constant-vus', vus, duration: `${durationSeconds}s`, gracefulStop: '10s' },
  },
  thresholds: { ...thresholdsOf('transfer_errors'), checks: ['rate>0.99'] },
  summaryTrendStats,
  maxRedirects: 0,
};

export default function transfers() {
  // Consecutive iterations of one VU walk the pairs, so every payer pays and is paid about equally often and
  // positions stay far from their caps however long the run.
  const pair = seed.pairs[(__VU + __ITER) % seed.pairs.length];
  const request = transferRequest(seed.baseUrl, pair, crypto.randomUUID());
  const response = http.post(request.url, request.body, {
    headers: request.headers,
    timeout: requestTimeout,
    tags: { name: 'POST /v1/transfers' },
  });
  const body = typeof response.body === 'string' ? response.body : '';
  const checks = {};
  for (const name of Object.keys(transferChecks)) checks[name] = () => transferChecks[name](response.status, body);
  check(response, checks);
  transferErrors.add(!transferSucceeded(response.status, body));
}

export function handleSummary(data) {
  return summaryOutputs('transfers', data);
}
