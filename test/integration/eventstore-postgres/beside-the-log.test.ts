import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { PostgresEventStore } from '../../../adapters/eventstore-postgres/postgres-event-store';
import { PostgresSession } from '../../../adapters/eventstore-postgres/postgres-session';
import { PostgresIdempotencyStore } from '../../../adapters/idempotency-postgres/postgres-idempotency-store';
import { PostgresRequestNonces } from '../../../adapters/request-nonces/postgres-request-nonces';
import { PostgresSubjectKeyStore } from '../../../adapters/subject-keys-postgres/postgres-subject-key-store';
import { dataSubjectStreamName } from '../../../core/personal-data/data-subject-erasure';
import { newMasterKey, SecretBox } from '../../../core/secrets/secret-box';
import { LocalPostgres } from '../../../scripts/postgres/local-postgres';
import { tempDir } from '../../support/temp-dir';

/**
 * What the switch keeps beside the PostgreSQL log (issue 19, item 4), against a real server: what one process
 * wrote, another (a standby that took over, a switch on a new machine) finds.
 */
let server: LocalPostgres;
let url: string;
const closers: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  server = await LocalPostgres.create({ durable: false });
  url = server.url();
  const store = new PostgresEventStore(url);
  await store.migrate();
  await store.close();
}, 60_000);

afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await server.remove();
});

function session(): PostgresSession {
  const opened = new PostgresSession(url);
  closers.push(() => opened.close());
  return opened;
}

const metadata = { correlationId: 'test', actor: 'test', at: new Date(0).toISOString() };

it('a signed request replayed to another process within its window is refused; after the window its jti may come again', async () => {
  const first = await PostgresRequestNonces.open(session(), 1_000);
  expect(await first.remember('MARGALLA', 'jti-1', 1_300, 1_000)).toBe('fresh');
  expect(await first.remember('MARGALLA', 'jti-1', 1_300, 1_001)).toBe('replayed');
  // The same jti twice in one group commit: one is fresh, the other a replay.
  const twice = await Promise.all([first.remember('RAVI', 'jti-2', 1_300, 1_000), first.remember('RAVI', 'jti-2', 1_300, 1_000)]);
  expect(twice.sort()).toEqual(['fresh', 'replayed']);

  const takenOver = await PostgresRequestNonces.open(session(), 5_000);
  // The window of trust began when the table was first used, not when this process started.
  expect(takenOver.rememberedSinceSeconds).toBe(1_000);
  expect(await takenOver.remember('MARGALLA', 'jti-1', 1_350, 1_050)).toBe('replayed');
  expect(await takenOver.remember('MARGALLA', 'jti-1', 1_700, 1_400)).toBe('fresh');
});

it('an answer kept by one process is found by another, sealed at rest, and pruned after its day', async () => {
  const masterKey = newMasterKey();
  const sealing = { box: new SecretBox([masterKey]), keyHashKey: Buffer.alloc(32, 7) };
  const writer = new PostgresIdempotencyStore(session(), sealing);
  const record = {
    scope: 'operator',
    idempotencyKey: 'alias-MSISDN-923001234567',
    fingerprint: 'f1',
    statusCode: 201,
    body: '{"holder":"Zarmeena Qadeer"}',
    createdAt: '2026-01-01T00:00:00.000Z',
  };
  await writer.save(record);
  await writer.save({ ...record, body: '{"second":true}' });
  const reader = new PostgresIdempotencyStore(session(), sealing);
  expect(await reader.find('operator', record.idempotencyKey)).toEqual(record);
  expect(await reader.find('participant:RAVI', record.idempotencyKey)).toBeNull();
  const stored = await server.sql('SELECT idempotency_key, body FROM hisaab_idempotency_records');
  expect(stored).not.toContain('Zarmeena');
  expect(stored).not.toContain('923001234567');
  expect(await reader.prune(new Date('2026-01-02T00:00:00.000Z'))).toBe(1);
  expect(await reader.find('operator', record.idempotencyKey)).toBeNull();
});

it('a subject key reaches the table with the first append after it, and the append of its erasure deletes it', async () => {
  const store = new PostgresEventStore(url);
  closers.push(() => store.close());
  expect(await store.tryBecomeWriter()).toBe(true);
  const directory = tempDir('hisaab-subject-keys-');
  closers.push(() => directory.remove());
  const keys = await PostgresSubjectKeyStore.open(store, session(), join(directory.path, 'subject-keys.db'));
  closers.push(() => keys.close());
  const key = { keyId: 'k1', wrappedKey: 'hs1.wrapped' };
  expect(keys.createIfAbsent('subject-a', key, metadata.at)).toEqual(key);
  expect((await server.sql('SELECT count(*) FROM hisaab_subject_keys')).trim()).toBe('0');

  await store.append('sealed-values', [{ id: randomUUID(), type: 'ValueSealed', data: {}, metadata }], 'any');
  expect((await server.sql("SELECT key_id FROM hisaab_subject_keys WHERE subject_reference = 'subject-a'")).trim()).toBe('k1');

  // A switch on a new machine rebuilds its copy from the table.
  const elsewhere = tempDir('hisaab-subject-keys-');
  closers.push(() => elsewhere.remove());
  const rebuilt = await PostgresSubjectKeyStore.open(store, session(), join(elsewhere.path, 'subject-keys.db'));
  expect(rebuilt.find('subject-a')).toEqual(key);
  rebuilt.close();

  const erased = {
    subjectType: 'MSISDN',
    subjectReference: 'subject-a',
    keysDestroyed: 1,
    aliasRemoved: false,
    erasedAt: metadata.at,
  };
  await store.append(dataSubjectStreamName('subject-a'), [{ id: randomUUID(), type: 'DataSubjectErased', data: erased, metadata }], 'any');
  expect((await server.sql("SELECT count(*) FROM hisaab_subject_keys WHERE subject_reference = 'subject-a'")).trim()).toBe('0');
  expect(keys.destroy('subject-a')).toBe(1);
  const afterErasure = await PostgresSubjectKeyStore.open(store, session(), join(elsewhere.path, 'subject-keys.db'));
  expect(afterErasure.find('subject-a')).toBeNull();
  afterErasure.close();
});
