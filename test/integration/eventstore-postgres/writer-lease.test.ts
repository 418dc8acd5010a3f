import { PostgresEventStore } from '../../../adapters/eventstore-postgres/postgres-event-store';
import { newMasterKey } from '../../../core/secrets/secret-box';
import { freePort, LocalPostgres } from '../../../scripts/postgres/local-postgres';
import { HttpClient } from '../../support/http-client';
import { participantBody, runSwitchExpectingExit, spawnSwitch, testOperatorKey, type SwitchChild } from '../../support/switch-process';
import { tempDir } from '../../support/temp-dir';
import { waitUntil } from '../../support/wait-until';

/**
 * Two switch processes against one PostgreSQL store (issue 19, item 2): one writer, one standby that answers
 * NOT_WRITER until the writer's session is gone, then takes over; a writer that comes back after the takeover is
 * fenced and appends nothing.
 */
let server: LocalPostgres;
const masterKey = newMasterKey().toString('base64');
const directories: { remove: () => void }[] = [];
const children: SwitchChild[] = [];

beforeAll(async () => {
  server = await LocalPostgres.create({ durable: false });
}, 60_000);

afterEach(async () => {
  for (const child of children.splice(0)) {
    child.child.kill('SIGCONT');
    await child.stop('SIGKILL');
  }
  for (const directory of directories.splice(0)) directory.remove();
});

afterAll(async () => {
  await server.remove();
});

let databaseCounter = 0;
async function freshDatabaseUrl(): Promise<{ url: string; database: string }> {
  databaseCounter += 1;
  const database = `lease_${databaseCounter}`;
  await server.sql(`CREATE DATABASE ${database}`);
  return { url: server.url(database), database };
}

/** A switch process on its own data dir and port, against the shared store; resolves once it listens (either role). */
async function startSwitchProcess(url: string): Promise<SwitchChild & { client: HttpClient }> {
  const directory = tempDir('hisaab-lease-');
  directories.push(directory);
  const child = await spawnSwitch(
    {
      HISAAB_EVENTSTORE: url,
      HISAAB_DATA_DIR: directory.path,
      HISAAB_PORT: String(await freePort()),
      HISAAB_OPERATOR_KEY: testOperatorKey,
      HISAAB_MASTER_KEY: masterKey,
      HISAAB_SHUTDOWN_TIMEOUT_MS: '2000',
    },
    60_000,
  );
  children.push(child);
  return { ...child, client: new HttpClient(child.url) };
}

async function role(client: HttpClient): Promise<unknown> {
  try {
    return ((await client.get('/healthz')).body as { role?: unknown }).role;
  } catch {
    return 'unreachable';
  }
}

function register(client: HttpClient, id: string, bankCode: string): ReturnType<HttpClient['post']> {
  return client.post('/v1/participants', { key: testOperatorKey, body: participantBody(id, bankCode) });
}

function logged(child: SwitchChild, message: string): boolean {
  return child.lines.some((line) => typeof line === 'object' && line !== null && (line as { msg?: unknown }).msg === message);
}

describe('one fenced writer per PostgreSQL store', () => {
  it('a second switch is a standby (NOT_WRITER, role standby) and takes over within 10 s of the writer being killed', async () => {
    const { url } = await freshDatabaseUrl();
    const writer = await startSwitchProcess(url);
    expect(await role(writer.client)).toBe('writer');
    expect((await register(writer.client, 'FIRSTPAY', 'FRST')).status).toBe(201);

    const standby = await startSwitchProcess(url);
    expect(await role(standby.client)).toBe('standby');
    const refused = await register(standby.client, 'SECONDPAY', 'SCND');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect((refused.body as { error: { code: string } }).error.code).toBe('NOT_WRITER');

    const killedAt = performance.now();
    await writer.stop('SIGKILL');
    await waitUntil(() => logged(standby, 'standby took over as the writer'), 'the standby takes the lease', 10_000);
    const tookOverMs = performance.now() - killedAt;
    expect(tookOverMs).toBeLessThan(10_000);
    // It replays the log, then serves: the participant the first writer registered is there.
    await waitUntil(async () => (await role(standby.client)) === 'writer', 'the new writer serves', 60_000);
    const replayed = await standby.client.get('/v1/participants/FIRSTPAY', { key: testOperatorKey });
    expect(replayed.status).toBe(200);
    expect((await register(standby.client, 'SECONDPAY', 'SCND')).status).toBe(201);
  });

  it('a paused writer whose sessions were ended comes back fenced: it refuses writes and the log holds nothing of it', async () => {
    const { url, database } = await freshDatabaseUrl();
    const writer = await startSwitchProcess(url);
    expect((await register(writer.client, 'FIRSTPAY', 'FRST')).status).toBe(201);
    const standby = await startSwitchProcess(url);
    expect(await role(standby.client)).toBe('standby');

    writer.child.kill('SIGSTOP');
    // An operator (or a network cut) ends the paused writer's sessions; the standby's reconnect on their own.
    await server.sql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${database}' AND pid <> pg_backend_pid()`);
    await waitUntil(() => logged(standby, 'standby took over as the writer'), 'the standby takes the lease', 10_000);
    await waitUntil(async () => (await role(standby.client)) === 'writer', 'the new writer serves', 60_000);
    expect((await register(standby.client, 'SECONDPAY', 'SCND')).status).toBe(201);

    writer.child.kill('SIGCONT');
    const stale = await register(writer.client, 'STALEPAY', 'STAL');
    expect(stale.status).toBe(503);
    expect((stale.body as { error: { code: string } }).error.code).toBe('NOT_WRITER');
    const health = await writer.client.get('/healthz');
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'fenced', role: 'standby' });
    expect(writer.lines.some((line) => JSON.stringify(line).includes('fenced: this process is no longer the writer'))).toBe(true);

    // Nothing of the fenced writer after the takeover: no STALEPAY anywhere in the log.
    const reader = new PostgresEventStore(url);
    const all = [];
    for (let after = -1n; ;) {
      const page = await reader.readAll(after, 1000);
      if (page.length === 0) break;
      all.push(...page);
      after = page[page.length - 1]!.position;
    }
    await reader.close();
    expect(all.some((recorded) => JSON.stringify(recorded.data).includes('SECONDPAY'))).toBe(true);
    expect(all.filter((recorded) => JSON.stringify(recorded.data).includes('STALEPAY'))).toEqual([]);
  });
});

describe('a PostgreSQL store that is not there at start', () => {
  it('refuses to start within 30 s with a message naming the host and not the password, and exits non-zero', async () => {
    const directory = tempDir('hisaab-unreachable-');
    directories.push(directory);
    const port = await freePort();
    const startedMs = performance.now();
    const result = await runSwitchExpectingExit(
      {
        HISAAB_EVENTSTORE: `postgres://app:s3cret-password@127.0.0.1:${port}/hisaab`,
        HISAAB_DATA_DIR: directory.path,
        HISAAB_PORT: String(await freePort()),
        HISAAB_OPERATOR_KEY: testOperatorKey,
        HISAAB_MASTER_KEY: masterKey,
      },
      40_000,
    );
    expect(performance.now() - startedMs).toBeLessThan(30_000);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`hisaab: refusing to start: the PostgreSQL event store at 127.0.0.1:${port} is unreachable`);
    expect(result.stderr + result.stdout).not.toContain('s3cret-password');
  });

  it('refuses to start without HISAAB_MASTER_KEY: a key made in one data dir would not open the secrets on another machine', async () => {
    const directory = tempDir('hisaab-no-master-key-');
    directories.push(directory);
    const result = await runSwitchExpectingExit({
      HISAAB_EVENTSTORE: server.url(),
      HISAAB_DATA_DIR: directory.path,
      HISAAB_PORT: String(await freePort()),
      HISAAB_OPERATOR_KEY: testOperatorKey,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('HISAAB_MASTER_KEY must be set when HISAAB_EVENTSTORE is PostgreSQL');
  });
});
