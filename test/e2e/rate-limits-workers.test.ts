/**
 * Rate limits with front-end workers (HISAAB_WORKERS=2): each worker keeps its own buckets and applies its share of
 * every rate, so the switch as a whole allows what the setting says whichever worker a connection lands on, and
 * the writer behind them does not limit again what they forward. Real processes, real sockets.
 */
import { errorCode, HttpClient, type HttpAnswer } from '../support/http-client';
import { spawnSwitch, type SwitchChild } from '../support/switch-process';
import { tempDir } from '../support/temp-dir';

jest.setTimeout(120_000);

const operatorKey = 'operator-rate-limit-workers-key-0123';
const workers = 2;
const perSecond = 10;
const requests = 60;

let child: SwitchChild;
const directory = tempDir('hisaab-rate-workers-');

beforeAll(async () => {
  child = await spawnSwitch(
    {
      HISAAB_DATA_DIR: directory.path,
      HISAAB_OPERATOR_KEY: operatorKey,
      HISAAB_PORT: '0',
      HISAAB_WORKERS: String(workers),
      HISAAB_RATE_LIMIT_PER_KEY: String(perSecond),
      HISAAB_RATE_LIMIT_UNAUTHENTICATED_PER_ADDRESS: String(perSecond),
    },
    90_000,
  );
});

afterAll(async () => {
  await child?.stop('SIGTERM');
  directory.remove();
});

/** Each request on a connection of its own, so the cluster hands them to both workers. */
function fresh(path: string, key?: string): Promise<HttpAnswer> {
  return new HttpClient(child.url).get(path, {
    headers: { connection: 'close', ...(key === undefined ? {} : { authorization: `Bearer ${key}` }) },
  });
}

it('divides each rate among the workers: the switch as a whole allows about the configured burst, not one per worker', async () => {
  const share = perSecond / workers;
  for (const [path, key, policy, allowedStatus] of [
    // Forwarded to the writer: limited in the worker, before forwarding.
    ['/v1/participants', 'hk_guess_notarealkey0000', 'address', 401],
    // Served in the worker itself.
    ['/v1/transfers', operatorKey, 'key-read', 200],
  ] as const) {
    const answers = await Promise.all(Array.from({ length: requests }, () => fresh(path, key)));
    const allowed = answers.filter((answer) => answer.status === allowedStatus);
    const refused = answers.filter((answer) => answer.status === 429);
    expect(allowed.length + refused.length).toBe(requests);
    // Two workers, each with a bucket of twice its share; a little more drips in while the requests arrive.
    expect(allowed.length).toBeGreaterThanOrEqual(2 * share);
    expect(allowed.length).toBeLessThanOrEqual(workers * 2 * share + 2 * perSecond);
    for (const answer of refused) {
      expect(errorCode(answer)).toBe('RATE_LIMITED');
      expect(answer.headers.get('ratelimit-policy')).toBe(`"${policy}";q=${2 * share};w=2`);
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
  }
});
