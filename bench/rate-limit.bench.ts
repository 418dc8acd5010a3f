/**
 * `npm run bench:ratelimit`: what the rate limiter adds to a request (issue 15, item 3).
 *
 * - the limiter's own work per request: the participant's override looked up in the read model (SQLite, one
 *   primary-key get) and a take from its token bucket, over 20,000 keys in a table capped at 10,000, so that the
 *   table keeps filling and being pruned (as under a flood of new keys or addresses);
 * - in the same run, the reference: authenticating the request's key (key id parsed, the key looked up in the keys
 *   read model, its SHA-256 compared), the work every keyed request did before limits existed and that the
 *   limiter now does once for the route's guard. The last line is one JSON object; `ratio` is the limiter's rate
 *   over the reference's: above 1, the limiter costs less than the authentication each request already paid.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { keysProjection } from '../adapters/readmodel-sqlite/projections/keys-projection';
import { SqliteKeyReader } from '../adapters/readmodel-sqlite/projections/keys-read-model';
import { rateLimitsProjection } from '../adapters/readmodel-sqlite/projections/rate-limits-projection';
import { SqliteRateLimitOverrideReader } from '../adapters/readmodel-sqlite/projections/rate-limits-read-model';
import { TokenBuckets } from '../api/rate-limit/token-buckets';
import { issueApiKey } from '../core/auth/api-key';
import { createAuthenticator } from '../core/auth/authenticate';
import { benchDirectory } from './support/bench-directory';
import { measure, median, reportLine, type Measurement } from './support/measure';

const requests = 200_000;
const runs = 3;
const keys = 20_000;
const bucketsMax = 10_000;

async function main(): Promise<void> {
  const directory = benchDirectory('ratelimit');
  const database = new Database(join(directory.path, 'read-models.db'));
  database.defaultSafeIntegers(true);
  keysProjection.setup(database);
  rateLimitsProjection.setup(database);
  const at = new Date().toISOString();
  const recorded = { id: 'e', revision: 0n, position: 0n, metadata: { at } };
  const issued = issueApiKey();
  keysProjection.apply(
    {
      ...recorded,
      stream: 'participant-BENCH',
      type: 'ParticipantKeyIssued',
      data: { participantId: 'BENCH', keyId: issued.keyId, keyHash: issued.keyHash, requestReference: null, at },
    },
    database,
  );
  rateLimitsProjection.apply(
    {
      ...recorded,
      stream: 'participant-BENCH',
      type: 'ParticipantRateLimitChanged',
      data: { participantId: 'BENCH', rateLimitPerSecond: 500, previousRateLimitPerSecond: null, at },
    },
    database,
  );
  const authenticator = createAuthenticator('bench-operator-key-0123456789', new SqliteKeyReader(database));
  const overrides = new SqliteRateLimitOverrideReader(database);
  const authorization = `Bearer ${issued.key}`;
  const bucketKeys = Array.from({ length: keys }, (_, index) => `key:${index}|money`);
  const limiterRuns: Measurement[] = [];
  const referenceRuns: Measurement[] = [];
  for (let run = 0; run < runs; run += 1) {
    const buckets = new TokenBuckets(bucketsMax);
    let allowed = 0;
    limiterRuns.push(
      await measure(requests, () => {
        for (let request = 0; request < requests; request += 1) {
          const perSecond = overrides.participantRateLimitPerSecond('BENCH') ?? 2_000;
          if (buckets.take(bucketKeys[request % keys] ?? '', perSecond, request / 100).allowed) allowed += 1;
        }
      }),
    );
    if (allowed === 0 || buckets.size > bucketsMax) throw new Error('the limiter did not do the work measured');
    let authenticated = 0;
    referenceRuns.push(
      await measure(requests, () => {
        for (let request = 0; request < requests; request += 1) if (authenticator.authenticate(authorization) !== null) authenticated += 1;
      }),
    );
    if (authenticated !== requests) throw new Error('the reference did not authenticate every request');
  }
  database.close();
  directory.remove();
  const limiter = median(limiterRuns);
  const reference = median(referenceRuns);
  console.log(reportLine('limiter (override+bucket)', limiter));
  console.log(reportLine('reference (authenticate)', reference));
  console.log(
    JSON.stringify({
      limiterPerSecond: Math.round(limiter.perSecond),
      referencePerSecond: Math.round(reference.perSecond),
      ratio: Number((limiter.perSecond / reference.perSecond).toFixed(2)),
    }),
  );
}

void main();
