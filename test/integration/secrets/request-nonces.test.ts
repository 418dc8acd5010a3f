import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteRequestNonces } from '../../../adapters/request-nonces/sqlite-request-nonces';
import { signatureClockSkewSecondsMax } from '../../../core/auth/request-signature';
import { tempDir } from '../../support/temp-dir';

/**
 * The jti registry of signed requests (issue 15) on a real SQLite file: a jti is refused the second time, also
 * from another handle on the same file (another worker process) and after the file is closed and opened again
 * (a restart); it is forgotten once its window has passed, which keeps the file to one window of requests; and
 * a registry made anew says since when it remembers, so a request signed before that is not taken on trust.
 */
const startSeconds = 1_772_359_200;
let directory: { path: string; remove: () => void };
let path: string;

beforeEach(() => {
  directory = tempDir('hisaab-nonces-');
  path = join(directory.path, 'request-nonces.db');
});
afterEach(() => directory.remove());

const expiry = (iatSeconds: number): number => iatSeconds + signatureClockSkewSecondsMax + 1;

it('refuses a jti seen before, for the same participant only, from another handle and after reopening', async () => {
  const first = new SqliteRequestNonces(path, startSeconds);
  const second = new SqliteRequestNonces(path, startSeconds + 5);
  expect(await first.remember('MARGALLA', 'jti-1', expiry(startSeconds), startSeconds)).toBe('fresh');
  expect(await first.remember('MARGALLA', 'jti-1', expiry(startSeconds), startSeconds)).toBe('replayed');
  expect(await second.remember('MARGALLA', 'jti-1', expiry(startSeconds), startSeconds + 1)).toBe('replayed');
  expect(await second.remember('RAVI', 'jti-1', expiry(startSeconds), startSeconds + 1)).toBe('fresh');
  first.close();
  second.close();
  const reopened = new SqliteRequestNonces(path, startSeconds + 60);
  expect(await reopened.remember('MARGALLA', 'jti-1', expiry(startSeconds), startSeconds + 60)).toBe('replayed');
  // The registry remembers since the file was made, not since this process started.
  expect(reopened.rememberedSinceSeconds).toBe(startSeconds);
  reopened.close();
});

it('forgets a jti once its window has passed, so it holds one window of requests and no more', async () => {
  const nonces = new SqliteRequestNonces(path, startSeconds);
  for (let index = 0; index < 200; index += 1) {
    expect(await nonces.remember('MARGALLA', `old-${index}`, expiry(startSeconds), startSeconds)).toBe('fresh');
  }
  expect(nonces.count()).toBe(200);
  const later = startSeconds + 2 * signatureClockSkewSecondsMax;
  // A reused jti past its window is fresh again: the freshness check alone now refuses the old request.
  expect(await nonces.remember('MARGALLA', 'old-0', expiry(later), later)).toBe('fresh');
  for (let index = 0; index < 64; index += 1) await nonces.remember('MARGALLA', `new-${index}`, expiry(later), later);
  expect(nonces.count()).toBe(65);
  nonces.close();
});

it('writes the nonces of requests in flight together, and still refuses the second of two equal ones', async () => {
  const nonces = new SqliteRequestNonces(path, startSeconds);
  const answers = await Promise.all([
    ...Array.from({ length: 100 }, (_, index) => nonces.remember('MARGALLA', `together-${index}`, expiry(startSeconds), startSeconds)),
    nonces.remember('MARGALLA', 'together-7', expiry(startSeconds), startSeconds),
  ]);
  expect(answers.filter((answer) => answer === 'fresh')).toHaveLength(100);
  expect(answers[100]).toBe('replayed');
  nonces.close();
});

it('a registry made anew remembers only from then on: its creation time is the earliest iat it vouches for', () => {
  const nonces = new SqliteRequestNonces(path, startSeconds);
  nonces.close();
  rmSync(path);
  const fresh = new SqliteRequestNonces(path, startSeconds + 100);
  expect(fresh.rememberedSinceSeconds).toBe(startSeconds + 100);
  fresh.close();
});
