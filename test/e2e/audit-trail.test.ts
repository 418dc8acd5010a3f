import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { onboardMerchant } from '../support/gateway';
import { errorCode } from '../support/http-client';
import { issueRegulatorKey, onboardParticipant, startTestSwitch, type TestSwitch } from '../support/switch-process';

type Entry = { at: string; actor: string; action: string; target: string; from: string; count: number; sequence: number; hash: string };
type Page = { entries: Entry[]; nextCursor: string | null };

const repositoryRoot = join(__dirname, '..', '..');
const minuteMs = 60_000;

/** The switch's clock runs with the wall clock, and a test can move it on to end a coalescing minute. */
let clockOffsetMs = 0;
const now = (): Date => new Date(Date.now() + clockOffsetMs);

let sw: TestSwitch;
let regulatorKey: string;

beforeAll(async () => {
  sw = await startTestSwitch({ now });
  regulatorKey = await issueRegulatorKey(sw);
}, 60_000);

afterAll(async () => {
  await sw.close();
});

/** Every entry matching the query, page by page (small pages, so paging itself is exercised). */
async function allEntries(key: string, query = ''): Promise<Entry[]> {
  const entries: Entry[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 200; page += 1) {
    const separator = query === '' ? '' : '&';
    const path: string = `/v1/audit?limit=7${separator}${query}${cursor === null ? '' : `&cursor=${cursor}`}`;
    const answer = await sw.client.get(path, { key });
    expect(answer.status).toBe(200);
    const body = answer.body as Page;
    entries.push(...body.entries);
    cursor = body.nextCursor;
    if (cursor === null) return entries;
  }
  throw new Error('the audit trail did not end within 200 pages');
}

function runVerify(dataDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      join(repositoryRoot, 'node_modules', '.bin', 'tsx'),
      ['scripts/verify.ts', '--data-dir', dataDir],
      { cwd: repositoryRoot, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

it('records each kind of operator action with who, what, the target and where from, before any state it changes', async () => {
  const operator = { key: sw.operatorKey };
  const margalla = await onboardParticipant(sw, 'MARGALLA', 'MRGL');
  expect((await sw.client.patch('/v1/participants/MARGALLA', { ...operator, body: { netDebitCap: '2000000.00' } })).status).toBe(200);
  const funds = await sw.client.post('/v1/participants/MARGALLA/funds', {
    ...operator,
    body: { direction: 'IN', amount: '10.00', reference: 'RTGS-1' },
    headers: { 'idempotency-key': 'audit-funds-1' },
  });
  expect(funds.status).toBe(201);
  expect((await sw.client.delete(`/v1/participants/MARGALLA/keys/${margalla.keyId}`, operator)).status).toBe(204);
  const regulator = await sw.client.post('/v1/keys', { ...operator, body: { role: 'REGULATOR', name: 'Short-lived' } });
  expect(regulator.status).toBe(201);
  const regulatorKeyId = (regulator.body as { keyId: string }).keyId;
  expect((await sw.client.delete(`/v1/keys/${regulatorKeyId}`, operator)).status).toBe(204);
  await onboardMerchant(sw.client, sw.operatorKey, 'AUDITSHOP', 'MARGALLA');
  expect((await sw.client.post('/v1/merchants/AUDITSHOP/webhook-secret/rotate', operator)).status).toBe(200);
  const closed = await sw.client.post('/v1/settlement/windows/close', { ...operator, body: { currency: 'PKR' } });
  expect(closed.status).toBe(200);
  const windowId = (closed.body as { closed: { id: string } }).closed.id;
  expect((await sw.client.post(`/v1/settlement/windows/${windowId}/settle`, { ...operator, body: { reference: 'RTGS-W1' } })).status).toBe(
    200,
  );

  // A decision on a dispute that does not exist is refused, and audited all the same: the entry records the attempt.
  const decision = await sw.client.post('/v1/disputes/00000000-0000-4000-8000-000000000000/decision', {
    ...operator,
    body: { outcome: 'CLAIMANT', reason: 'the ledger shows no credit' },
  });
  expect(decision.status).toBeGreaterThanOrEqual(400);

  const entries = await allEntries(regulatorKey, 'actor=operator');
  const writes = entries.filter((entry) => !entry.action.startsWith('GET '));
  expect(writes.map((entry) => [entry.action, entry.target])).toEqual([
    ['POST /v1/keys', '/v1/keys'],
    ['POST /v1/participants', '/v1/participants'],
    ['POST /v1/participants/:id/keys', '/v1/participants/MARGALLA/keys'],
    ['PATCH /v1/participants/:id', '/v1/participants/MARGALLA'],
    ['POST /v1/participants/:id/funds', '/v1/participants/MARGALLA/funds'],
    ['DELETE /v1/participants/:id/keys/:keyId', `/v1/participants/MARGALLA/keys/${margalla.keyId}`],
    ['POST /v1/keys', '/v1/keys'],
    ['DELETE /v1/keys/:keyId', `/v1/keys/${regulatorKeyId}`],
    ['POST /v1/merchants', '/v1/merchants'],
    ['POST /v1/merchants/:id/webhook-secret/rotate', '/v1/merchants/AUDITSHOP/webhook-secret/rotate'],
    ['POST /v1/settlement/windows/close', '/v1/settlement/windows/close'],
    ['POST /v1/settlement/windows/:id/settle', `/v1/settlement/windows/${windowId}/settle`],
    ['POST /v1/disputes/:id/decision', '/v1/disputes/00000000-0000-4000-8000-000000000000/decision'],
  ]);
  for (const entry of writes) {
    expect(entry.actor).toBe('operator');
    expect(entry.from).toMatch(/127\.0\.0\.1$/);
    expect(entry.count).toBe(1);
    expect(Math.abs(Date.parse(entry.at) - now().getTime())).toBeLessThan(5 * minuteMs);
  }
  // The entry is written before the action, so it comes before the action's own events in the log.
  const log = await sw.running.store.readAll(-1n, 10_000);
  const firstAuditOfPatch = log.findIndex((event) => event.stream === 'audit' && event.data.action === 'PATCH /v1/participants/:id');
  const capChange = log.findIndex((event) => event.type === 'ParticipantNetDebitCapChanged');
  expect(firstAuditOfPatch).toBeGreaterThanOrEqual(0);
  expect(capChange).toBeGreaterThan(firstAuditOfPatch);
});

it('records refused authentications once per source per minute, and the rest of the minute as one count', async () => {
  const before = (await allEntries(sw.operatorKey)).length;
  const refusals = 30;
  for (let index = 0; index < refusals; index += 1) {
    const answer = await sw.client.get('/v1/participants', {
      key: index % 2 === 0 ? 'not-a-key' : `hk_0123456789abcdef.${'x'.repeat(43)}`,
    });
    expect(answer.status).toBe(401);
  }
  // A flood writes a bounded number of entries, not one per request (two if a minute ended during the loop).
  const during = (await allEntries(sw.operatorKey)).slice(before).filter((entry) => entry.action.startsWith('authentication.refused'));
  expect(during.length).toBeGreaterThanOrEqual(1);
  expect(during.length).toBeLessThanOrEqual(3);
  expect(during[0]).toMatchObject({ action: 'authentication.refused', target: '/v1/participants', count: 1 });
  expect(during[0]!.from).toMatch(/127\.0\.0\.1$/);
  // Once the minute is over, the next refusal hands out the count of the ones that were only counted.
  clockOffsetMs += 2 * minuteMs;
  expect((await sw.client.get('/v1/participants')).status).toBe(401);
  const after = (await allEntries(sw.operatorKey)).slice(before).filter((entry) => entry.action.startsWith('authentication.refused'));
  expect(after.reduce((sum, entry) => sum + entry.count, 0)).toBe(refusals + 1);
  expect(after.some((entry) => entry.action === 'authentication.refused (repeated)' && entry.count > 1)).toBe(true);
  expect(after[after.length - 1]).toMatchObject({ actor: '(no key)', action: 'authentication.refused', count: 1 });
});

it("records a regulator's reads, coalesced per report per minute, so a dashboard refresh does not flood the log", async () => {
  const regulatorId = `regulator:${regulatorKey.slice('hk_'.length, 'hk_'.length + 16)}`;
  const before = (await allEntries(sw.operatorKey)).length;
  const reads = 20;
  for (let index = 0; index < reads; index += 1) {
    expect((await sw.client.get('/v1/reports/summary?currency=PKR', { key: regulatorKey })).status).toBe(200);
  }
  clockOffsetMs += 2 * minuteMs;
  expect((await sw.client.get('/v1/reports/summary?currency=PKR', { key: regulatorKey })).status).toBe(200);
  const summaryReads = (await allEntries(sw.operatorKey))
    .slice(before)
    .filter((entry) => entry.actor === regulatorId && entry.action.startsWith('GET /v1/reports/summary'));
  expect(summaryReads.length).toBeLessThanOrEqual(4);
  expect(summaryReads.reduce((sum, entry) => sum + entry.count, 0)).toBe(reads + 1);
  expect(summaryReads[0]).toMatchObject({ target: '/v1/reports/summary', count: 1 });
});

it('pages with an opaque cursor, filters by time and actor, and refuses bad queries and other roles', async () => {
  const everything = (await sw.client.get('/v1/audit?limit=500', { key: sw.operatorKey })).body as Page;
  const paged = await allEntries(sw.operatorKey);
  // The page of 500 was read before allEntries' own reads were recorded: it is a prefix of the paged list.
  expect(paged.slice(0, everything.entries.length)).toEqual(everything.entries);
  expect(paged.map((entry) => entry.sequence)).toEqual(paged.map((_entry, index) => index));
  const middle = paged[Math.floor(paged.length / 2)]!;
  const since = await allEntries(sw.operatorKey, `from=${encodeURIComponent(middle.at)}`);
  expect(since.every((entry) => entry.at >= middle.at)).toBe(true);
  const until = await allEntries(sw.operatorKey, `to=${encodeURIComponent(middle.at)}`);
  expect(until.every((entry) => entry.at < middle.at)).toBe(true);
  expect(until.length + since.length).toBeGreaterThanOrEqual(paged.length);

  const bad = async (query: string, code: string) => {
    const answer = await sw.client.get(`/v1/audit?${query}`, { key: sw.operatorKey });
    expect({ query, status: answer.status, code: errorCode(answer) }).toEqual({ query, status: 400, code });
  };
  await bad('cursor=bm90LWEtY3Vyc29y', 'INVALID_CURSOR');
  await bad('limit=501', 'VALIDATION_FAILED');
  await bad('from=yesterday', 'VALIDATION_FAILED');
  await bad('from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z', 'VALIDATION_FAILED');
  await bad('colour=blue', 'VALIDATION_FAILED');

  const participant = await onboardParticipant(sw, 'RAVI', 'RAVI');
  const merchant = await onboardMerchant(sw.client, sw.operatorKey, 'AUDITSHOP2', 'RAVI');
  for (const key of [participant.key, merchant.apiKey]) {
    const answer = await sw.client.get('/v1/audit', { key });
    expect(answer.status).toBe(403);
    expect(errorCode(answer)).toBe('FORBIDDEN');
  }
  expect((await sw.client.get('/v1/audit')).status).toBe(401);
});

it('npm run verify passes on the chain, keeps it across a restart, and names the entry whose row was edited', async () => {
  await sw.stop();
  const clean = await runVerify(sw.dataDir);
  expect(clean.stdout).toMatch(/audit: \d+ entries, the hash chain is whole \(head [0-9a-f]{64}\)/);
  expect(clean.code).toBe(0);

  // A restarted switch continues the chain from its last entry.
  sw = await startTestSwitch({ dataDir: sw.dataDir, now });
  expect((await sw.client.patch('/v1/participants/RAVI', { key: sw.operatorKey, body: { active: false } })).status).toBe(200);
  await sw.stop();
  const continued = await runVerify(sw.dataDir);
  expect(continued.code).toBe(0);

  // Someone with the file edits who did an action: the row is still valid JSON, but the chain no longer holds.
  const database = new Database(join(sw.dataDir, 'hisaab.db'));
  let editedId: string;
  try {
    const row = database.prepare("SELECT id FROM events WHERE stream = 'audit' AND revision = 3").get() as { id: string };
    editedId = row.id;
    const changed = database
      .prepare("UPDATE events SET data = json_set(data, '$.actor', 'regulator:nobody') WHERE stream = 'audit' AND revision = 3")
      .run();
    expect(changed.changes).toBe(1);
  } finally {
    database.close();
  }
  const tampered = await runVerify(sw.dataDir);
  expect(tampered.code).toBe(1);
  expect(tampered.stderr).toContain(`the audit chain breaks at audit entry 3 (event ${editedId}) does not match its own hash`);
}, 120_000);
