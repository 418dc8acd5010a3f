import { parsePostgresUrl, redactPostgresUrl } from '../../adapters/eventstore-postgres/postgres-connection-string';
import { PostgresEventStore, type StoreLog } from '../../adapters/eventstore-postgres/postgres-event-store';
import { schemaVersion } from '../../adapters/eventstore-postgres/postgres-schema';
import { openEventStore, selectEventStore } from '../../adapters/eventstore-factory';
import type { NewEvent, RecordedEvent } from '../../core/eventstore/event';
import { START_POSITION } from '../../core/eventstore/event-store';
import { newId } from '../../core/ids';
import { freePort, LocalPostgres, localPostgresPassword } from '../../scripts/postgres/local-postgres';
import { eventStoreContract } from './event-store.contract';

/** One real server for this file: the contract tests share its `postgres` database (unique stream names). */
let server: LocalPostgres;

beforeAll(async () => {
  server = await LocalPostgres.create({ durable: false });
}, 60_000);

afterAll(async () => {
  await server.remove();
});

/** Opens a store on `database` and makes it the writer (the previous test's store let go of the lease on close). */
async function openWriter(database = 'postgres', log?: StoreLog): Promise<PostgresEventStore> {
  const store = new PostgresEventStore(server.url(database), { log });
  await store.migrate();
  expect(await store.becomeWriter(50)).toBe(true);
  return store;
}

eventStoreContract('PostgreSQL', {
  open: () => openWriter(),
  dispose: (store) => store.close(),
});

function event(type: string, data: Record<string, string | number> = {}): NewEvent {
  return { id: newId(), type, data, metadata: { at: new Date(0).toISOString() } };
}

/** Log lines the store wrote, as JSON, to look for passwords and for what it said. */
function capturedLog(): StoreLog & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (details, message) => void lines.push(JSON.stringify({ ...details, message })),
    warn: (details, message) => void lines.push(JSON.stringify({ ...details, message })),
  };
}

let databaseCounter = 0;
async function freshDatabase(): Promise<string> {
  databaseCounter += 1;
  const name = `hisaab_test_${databaseCounter}`;
  await server.sql(`CREATE DATABASE ${name}`);
  return name;
}

describe('PostgreSQL event store beyond the contract', () => {
  it('migrates once: running it again changes nothing, and a newer schema is refused with a clear message', async () => {
    const database = await freshDatabase();
    const store = new PostgresEventStore(server.url(database));
    expect(await store.migrate()).toEqual({ from: 0, to: schemaVersion });
    expect(await store.migrate()).toEqual({ from: schemaVersion, to: schemaVersion });
    await store.close();
    await server.sql('UPDATE hisaab_schema SET version = 99', database);
    const newer = new PostgresEventStore(server.url(database));
    await expect(newer.migrate()).rejects.toMatchObject({ code: 'SCHEMA_TOO_NEW' });
    await expect(newer.migrate()).rejects.toThrow(new RegExp(`version 99, newer than this switch knows \\(${schemaVersion}\\)`));
    await newer.close();
  });

  it('two stores migrating an empty database at once both succeed, and the schema is made once', async () => {
    const database = await freshDatabase();
    const stores = [new PostgresEventStore(server.url(database)), new PostgresEventStore(server.url(database))];
    const results = await Promise.all(stores.map((store) => store.migrate()));
    expect(results.map((result) => result.to)).toEqual([schemaVersion, schemaVersion]);
    expect(results.filter((result) => result.from === 0)).toHaveLength(1);
    await Promise.all(stores.map((store) => store.close()));
  });

  it('assigns positions in commit order: concurrent readers never see a gap, and the log has none', async () => {
    const database = await freshDatabase();
    const writer = await openWriter(database);
    const reader = new PostgresEventStore(server.url(database));
    let writing = true;
    const gaps: string[] = [];
    const watch = (async () => {
      let after = START_POSITION;
      while (writing) {
        const page = await reader.readAll(after, 1000);
        for (const recorded of page) {
          if (recorded.position !== after + 1n) gaps.push(`${after.toString()} -> ${recorded.position.toString()}`);
          after = recorded.position;
        }
      }
    })();
    // Many appends in flight at once, to several streams, some refused: a refused one must leave no hole.
    await Promise.all(
      Array.from({ length: 400 }, async (_, index) => {
        const stream = `order-${index % 7}`;
        await writer
          .append(stream, [event('Counted', { index }), event('Counted', { index })], index % 10 === 9 ? 5_000n : 'any')
          .catch((error: unknown) => expect(error).toMatchObject({ code: 'WRONG_EXPECTED_REVISION' }));
      }),
    );
    writing = false;
    await watch;
    expect(gaps).toEqual([]);
    const all: RecordedEvent[] = [];
    for (let after = START_POSITION; ;) {
      const page = await reader.readAll(after, 1000);
      if (page.length === 0) break;
      all.push(...page);
      after = page[page.length - 1]!.position;
    }
    expect(all).toHaveLength(360 * 2);
    expect(all.map((recorded) => recorded.position)).toEqual(all.map((_, index) => BigInt(index)));
    await Promise.all([writer.close(), reader.close()]);
  });

  it('a standby cannot append (NOT_WRITER), and takes the lease once the writer is gone', async () => {
    const database = await freshDatabase();
    const writer = await openWriter(database);
    const standby = new PostgresEventStore(server.url(database));
    await standby.migrate();
    expect(await standby.tryBecomeWriter()).toBe(false);
    expect(standby.role).toBe('standby');
    await expect(standby.append('s', [event('A')], 'any')).rejects.toMatchObject({ code: 'NOT_WRITER' });
    await writer.append('s', [event('FromFirst')], 'no_stream');
    await writer.close();
    expect(await standby.becomeWriter(50)).toBe(true);
    await standby.append('s', [event('FromSecond')], 0n);
    expect((await standby.readStream('s', 0n, 10)).map((recorded) => recorded.type)).toEqual(['FromFirst', 'FromSecond']);
    await standby.close();
  });

  it('fences a writer whose session was ended: it appends nothing after the takeover and says so in its log', async () => {
    const database = await freshDatabase();
    const oldLog = capturedLog();
    const old = await openWriter(database, oldLog);
    await old.append('fenced', [event('Before')], 'no_stream');
    const next = new PostgresEventStore(server.url(database));
    await next.migrate();
    // The writer's sessions end (an operator's pg_terminate_backend, a network cut): the lease is free.
    await server.sql(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${database}' AND pid <> pg_backend_pid() AND application_name = 'hisaab'`,
    );
    expect(await next.becomeWriter(50)).toBe(true);
    const takeoverHead = await next.headPosition();
    await next.append('fenced', [event('FromNewWriter')], 0n);
    // The old writer comes back: its reconnect finds the newer epoch, it refuses, and writes nothing.
    await expect(old.append('fenced', [event('FromOldWriter')], 'any')).rejects.toMatchObject({ code: 'NOT_WRITER' });
    await expect(old.append('fenced', [event('FromOldWriter')], 'any')).rejects.toMatchObject({ code: 'NOT_WRITER' });
    expect(old.role).toBe('fenced');
    expect(oldLog.lines.some((line) => line.includes('fenced'))).toBe(true);
    const after = await next.readAll(takeoverHead, 100);
    expect(after.map((recorded) => recorded.type)).toEqual(['FromNewWriter']);
    await Promise.all([old.close(), next.close()]);
  });

  it('fences a writer whose connection survived: the epoch check in the append transaction refuses it', async () => {
    const database = await freshDatabase();
    const old = await openWriter(database);
    // A second writer whose lease the first never lost (an operator forced the epoch, as a split brain would).
    await server.sql('UPDATE hisaab_log SET writer_epoch = writer_epoch + 1', database);
    await expect(old.append('split', [event('Stale')], 'any')).rejects.toMatchObject({ code: 'NOT_WRITER' });
    expect(await old.streamRevision('split')).toBeNull();
    await old.close();
  });

  it('finds the writable host of several, in the order written', async () => {
    const closed = await freePort();
    const url = server.url().replace(`127.0.0.1:${server.port}`, `127.0.0.1:${closed},127.0.0.1:${server.port}`);
    const store = new PostgresEventStore(url);
    await store.migrate();
    expect(store.hosts).toBe(`127.0.0.1:${closed},127.0.0.1:${server.port}`);
    expect(await store.headPosition()).toBeGreaterThanOrEqual(START_POSITION);
    await store.close();
  });
});

describe('PostgreSQL connection strings and passwords', () => {
  it('reads users, passwords, several hosts, IPv6 and the parameters libpq users know', () => {
    expect(
      parsePostgresUrl('postgres://app:p%40ss@db1:5432,db2:5433,[::1]/ledger?sslmode=require&target_session_attrs=read-write'),
    ).toMatchObject({
      hosts: [
        { host: 'db1', port: 5432 },
        { host: 'db2', port: 5433 },
        { host: '::1', port: 5432 },
      ],
      user: 'app',
      password: 'p@ss',
      database: 'ledger',
      sslMode: 'require',
    });
    expect(parsePostgresUrl('postgresql://db')).toMatchObject({ user: 'postgres', password: undefined, database: 'postgres' });
  });

  it('refuses what it cannot honour, naming the part at fault and never the password', () => {
    for (const url of [
      'postgres://app:s3cret@db:99999/x',
      'postgres://app:s3cret@/x',
      'postgres://app:s3cret@db/x?target_session_attrs=any',
      'postgres://app:s3cret@db/x?sslmode=prefer',
      'postgres://app:s3cret@db/x?options=-c%20synchronous_commit%3Doff',
    ]) {
      expect(() => parsePostgresUrl(url)).toThrow(expect.objectContaining({ code: 'INVALID_EVENTSTORE_URL' }) as Error);
      try {
        parsePostgresUrl(url);
      } catch (error) {
        expect((error as Error).message).not.toContain('s3cret');
      }
    }
    expect(redactPostgresUrl('postgres://app:s3cret@db1,db2/x')).toBe('postgres://app:***@db1,db2/x');
    expect(() => selectEventStore('postgres://app:s3cret@db:0/x', '/tmp')).toThrow(/port/);
  });

  it('keeps the password out of every error and log line: wrong password, unreachable host, fenced', async () => {
    const log = capturedLog();
    const wrong = new PostgresEventStore(server.url().replace(localPostgresPassword, 'wrong-s3cret'), { log });
    const wrongError = await wrong.migrate().then(
      () => null,
      (error: unknown) => error as Error,
    );
    expect(wrongError?.message).toMatch(/authentication failed/);
    expect(wrongError?.message).toContain(`127.0.0.1:${server.port}`);
    expect(wrongError?.message).not.toContain('wrong-s3cret');
    await wrong.close();
    const port = await freePort();
    const started = performance.now();
    const unreachable = await openEventStore(
      { kind: 'postgres', connectionString: `postgres://app:s3cret@127.0.0.1:${port}/x` },
      { log, startupWaitMs: 1_500 },
    ).then(
      () => null,
      (error: unknown) => error as Error,
    );
    expect(performance.now() - started).toBeLessThan(30_000);
    expect(unreachable?.message).toMatch(new RegExp(`PostgreSQL event store at 127\\.0\\.0\\.1:${port} is unreachable`));
    expect(unreachable?.message).not.toContain('s3cret');
    const store = await openWriter('postgres', log);
    expect(store.url).not.toContain(localPostgresPassword);
    await store.close();
    for (const line of log.lines) expect(line).not.toContain(localPostgresPassword);
    expect(log.lines.length).toBeGreaterThan(0);
  });
});
