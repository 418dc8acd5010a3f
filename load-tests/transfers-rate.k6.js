/**
 * k6 scenario: `POST /v1/transfers` to REQUEST payees at a constant arrival rate, whatever the latency: the soak
 * (`npm run soak`, half the measured maximum) and the overload test (`npm run load:overload`, twice it) offer load
 * the way clients do, not at a concurrency that slows down with the switch. Every request is tagged with its
 * interval (the whole HISAAB_LOAD_INTERVAL_SECONDS since HISAAB_LOAD_EPOCH_MS it was sent in), and a threshold that
 * always holds is declared per interval, so that k6's summary carries each interval's count and p99 (sub-metrics
 * appear in the summary only with a threshold): accepted transfers, shed ones, errors, and the accepted p99. Answers are split by kind: `accepted` (201 COMMITTED), `shed` (503
 * OVERLOADED with a Retry-After: the switch's admission control) and anything else, an error.
 *
 * Environment (every value bounded, so every run ends by itself):
 *   HISAAB_LOAD_SEED_FILE         the runner's seed (load-seed.ts)
 *   HISAAB_LOAD_RATE              requests started per second, 1 to 20,000
 *   HISAAB_LOAD_DURATION_SECONDS  1 to 43,200 (12 hours)
 *   HISAAB_LOAD_VUS               most virtual users k6 may use to keep the rate, 1 to 4,096 (default 512)
 *   HISAAB_LOAD_INTERVAL_SECONDS  1 to 600 (default 10)
 *   HISAAB_LOAD_EPOCH_MS          when interval 0 starts (ms since 1970); the runner samples the switch on the same grid
 *   HISAAB_LOAD_SUMMARY_FILE      where handleSummary writes k6's JSON summary
 */
import http from 'k6/http';
import { Counter, Rate, Trend } from 'k6/metrics';
import transferRequestModule from './transfer-request.js';
import { boundedInteger, loadSeed, summaryTrendStats } from './k6-common.js';

const { transferRequest, transferSucceeded } = transferRequestModule;

const seed = loadSeed();
const rate = boundedInteger('HISAAB_LOAD_RATE', 100, 1, 20_000);
const durationSeconds = boundedInteger('HISAAB_LOAD_DURATION_SECONDS', 20, 1, 43_200);
const vusMax = boundedInteger('HISAAB_LOAD_VUS', 512, 1, 4_096);
const intervalSeconds = boundedInteger('HISAAB_LOAD_INTERVAL_SECONDS', 10, 1, 600);
const epochMs = boundedInteger('HISAAB_LOAD_EPOCH_MS', Date.now(), 0, 8_640_000_000_000);
/** k6's start-up and the graceful stop may spill into one interval each side. */
const intervalCount = Math.ceil(durationSeconds / intervalSeconds) + 3;
/** Past the switch's payee deadline (2 s in the runner) and its request timeout. */
const requestTimeout = '35s';

/** A request that ended neither committed nor shed: a failure of the switch or of the run. */
const transferErrors = new Rate('transfer_errors');
const accepted = new Counter('accepted_transfers');
const shed = new Counter('shed_transfers');
/** Each request's duration tagged with its outcome (accepted, shed, error), known only once it has answered. */
const outcomeDuration = new Trend('outcome_duration', true);

// A shed request is an answer the run expects, not a failed request in k6's own http_req_failed.
http.setResponseCallback(http.expectedStatuses(201, 503));

function intervalThresholds() {
  const thresholds = {
    // The summary's figures per kind of answer; the thresholds always hold (figures, not a test).
    'outcome_duration{outcome:accepted}': ['p(99)>=0'],
    'outcome_duration{outcome:shed}': ['p(99)>=0'],
    'outcome_duration{outcome:error}': ['p(99)>=0'],
    transfer_errors: ['rate>=0'],
  };
  for (let index = 0; index < intervalCount; index += 1) {
    thresholds[`outcome_duration{outcome:accepted,interval:${index}}`] = ['p(99)>=0'];
    thresholds[`accepted_transfers{interval:${index}}`] = ['count>=0'];
    thresholds[`shed_transfers{interval:${index}}`] = ['count>=0'];
    thresholds[`transfer_errors{interval:${index}}`] = ['rate>=0'];
  }
  return thresholds;
}

export const options = {
  scenarios: {
    transfers: {
      executor: 'constant-arrival-rate',
      rate,
      timeUnit: '1s',
      duration: `${durationSeconds}s`,
      preAllocatedVUs: Math.min(vusMax, 64),
      maxVUs: vusMax,
      gracefulStop: '10s',
    },
  },
  thresholds: intervalThresholds(),
  summaryTrendStats,
  maxRedirects: 0,
};

/** 503 OVERLOADED with Retry-After: refused before any work, by design. */
function wasShed(response, body) {
  if (response.status !== 503 || response.headers['Retry-After'] === undefined) return false;
  try {
    const parsed = JSON.parse(body);
    return parsed !== null && typeof parsed === 'object' && parsed.error !== undefined && parsed.error.code === 'OVERLOADED';
  } catch (_error) {
    return false;
  }
}

export default function transfersAtRate() {
  const interval = String(Math.max(0, Math.floor((Date.now() - epochMs) / (intervalSeconds * 1000))));
  const pair = seed.pairs[Math.floor(Math.random() * seed.pairs.length)];
  const request = transferRequest(seed.baseUrl, pair, crypto.randomUUID());
  const response = http.post(request.url, request.body, {
    headers: request.headers,
    timeout: requestTimeout,
    tags: { name: 'POST /v1/transfers', interval },
  });
  const body = typeof response.body === 'string' ? response.body : '';
  const committed = transferSucceeded(response.status, body);
  const refused = !committed && wasShed(response, body);
  accepted.add(committed ? 1 : 0, { interval });
  shed.add(refused ? 1 : 0, { interval });
  transferErrors.add(!committed && !refused, { interval });
  outcomeDuration.add(response.timings.duration, { outcome: committed ? 'accepted' : refused ? 'shed' : 'error', interval });
}

export function handleSummary(data) {
  const summaryFile = __ENV.HISAAB_LOAD_SUMMARY_FILE;
  const outputs = { stdout: `transfers at ${rate}/s for ${durationSeconds} s: summary written\n` };
  if (summaryFile !== undefined && summaryFile !== '') outputs[summaryFile] = JSON.stringify(data);
  return outputs;
}
