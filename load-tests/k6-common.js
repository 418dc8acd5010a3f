/**
 * What every k6 script of the rig shares (k6 only: an ES module k6 loads, Node does not): bounded settings from
 * the environment, the seed the runner writes, the thresholds of a measuring run and of the CI smoke, and the
 * JSON summary the runner reads (load-tests/k6-summary.ts).
 */
import transferRequestModule from './transfer-request.js';

const { assertLoopbackBaseUrl } = transferRequestModule;

const pairsMax = 64;

export function boundedInteger(name, fallback, min, max) {
  const text = __ENV[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!/^[0-9]+$/.test(text) || value < min || value > max)
    throw new Error(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text.slice(0, 20))}`);
  return value;
}

function requiredText(name) {
  const text = __ENV[name];
  if (text === undefined || text === '') throw new Error(`set HISAAB_LOAD_SEED_FILE, or ${name} with the other HISAAB_LOAD_* variables`);
  return text;
}

/** The target and the payer/payee pairs, read once in k6's init context. */
export function loadSeed() {
  const seedFile = __ENV.HISAAB_LOAD_SEED_FILE;
  const seed =
    seedFile !== undefined && seedFile !== ''
      ? JSON.parse(open(seedFile))
      : {
          baseUrl: requiredText('HISAAB_LOAD_BASE_URL'),
          pairs: [
            {
              participantKey: requiredText('HISAAB_LOAD_KEY'),
              payer: { type: 'WALLET', value: requiredText('HISAAB_LOAD_PAYER_WALLET') },
              payee: { type: 'MSISDN', value: requiredText('HISAAB_LOAD_PAYEE_MSISDN') },
            },
          ],
        };
  assertLoopbackBaseUrl(seed.baseUrl);
  if (!Array.isArray(seed.pairs) || seed.pairs.length < 1 || seed.pairs.length > pairsMax)
    throw new Error(`the seed holds 1 to ${pairsMax} payer/payee pairs`);
  for (const pair of seed.pairs) {
    if (typeof pair.participantKey !== 'string' || typeof pair.payer?.value !== 'string' || typeof pair.payee?.value !== 'string') {
      throw new Error('every seed pair has a participantKey, a payer and a payee');
    }
  }
  return seed;
}

/**
 * HISAAB_LOAD_THRESHOLDS: `measure` (the default) only catches a run that measured nonsense (errors < 1 %,
 * p95 < 2 s, or what the scenario says: a batch of 1,000 takes seconds); `smoke` is CI's guard on the payment path (errors < 0.1 %, p99 < 500 ms), loose enough for a
 * shared CI machine and tight enough that a broken path fails.
 */
export function thresholdsOf(errorMetric, measureP95MsMax = 2000) {
  const profile =
    __ENV.HISAAB_LOAD_THRESHOLDS === undefined || __ENV.HISAAB_LOAD_THRESHOLDS === '' ? 'measure' : __ENV.HISAAB_LOAD_THRESHOLDS;
  if (profile === 'smoke') return { [errorMetric]: ['rate<0.001'], http_req_duration: ['p(99)<500'] };
  if (profile === 'measure') return { [errorMetric]: ['rate<0.01'], http_req_duration: [`p(95)<${measureP95MsMax}`] };
  throw new Error(`HISAAB_LOAD_THRESHOLDS is "measure" or "smoke", not ${JSON.stringify(profile.slice(0, 20))}`);
}

export const summaryTrendStats = ['avg', 'min', 'p(50)', 'p(95)', 'p(99)', 'max'];

function figure(data, metric, value) {
  const found = data.metrics[metric];
  return found === undefined ? NaN : found.values[value];
}

/** One line for the terminal, and the whole summary as JSON where the runner reads it. */
export function summaryOutputs(label, data) {
  const line =
    `${label}: ${figure(data, 'http_reqs', 'count')} requests, ${figure(data, 'http_reqs', 'rate').toFixed(1)}/s, ` +
    `p50 ${figure(data, 'http_req_duration', 'p(50)').toFixed(2)} ms, p95 ${figure(data, 'http_req_duration', 'p(95)').toFixed(2)} ms, ` +
    `p99 ${figure(data, 'http_req_duration', 'p(99)').toFixed(2)} ms, errors ${(figure(data, 'transfer_errors', 'rate') * 100).toFixed(2)} %\n`;
  const outputs = { stdout: line };
  const summaryFile = __ENV.HISAAB_LOAD_SUMMARY_FILE;
  if (summaryFile !== undefined && summaryFile !== '') outputs[summaryFile] = JSON.stringify(data);
  return outputs;
}
