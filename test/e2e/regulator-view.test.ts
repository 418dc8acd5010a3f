import { randomUUID } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import { onboardMerchant } from '../support/gateway';
import { errorCode } from '../support/http-client';
import {
  expectLogUnchanged,
  issueRegulatorKey,
  onboardPayerAndAdvicePayee,
  startTestSwitch,
  type TestSwitch,
} from '../support/switch-process';

/**
 * What the State Bank's examiner sees through a regulator key, found by an outside test of the switch on 2026-12-04:
 * each test here failed before the change that it names.
 */

type AuditEntry = { actor: string; action: string; target: string; from: string; count: number };

let sw: TestSwitch;
let regulatorKey: string;
let payerKey: string;

beforeAll(async () => {
  sw = await startTestSwitch();
  regulatorKey = await issueRegulatorKey(sw);
  // MARGALLA pays; RAVI, an ADVICE payee, is credited at once, so a payment needs no simulated wallet.
  ({ payerKey } = await onboardPayerAndAdvicePayee(sw));
}, 60_000);

afterAll(async () => {
  await sw.close();
});

/** The regulator's actor name in the audit trail: `regulator:<key id>`, the key id being the key's first 16 characters. */
function regulatorActor(key: string): string {
  return `regulator:${key.slice('hk_'.length, 'hk_'.length + 16)}`;
}

async function auditEntries(actor: string): Promise<AuditEntry[]> {
  const answer = await sw.client.get(`/v1/audit?limit=500&actor=${encodeURIComponent(actor)}`, { key: sw.operatorKey });
  expect(answer.status).toBe(200);
  return (answer.body as { entries: AuditEntry[] }).entries;
}

it("records a regulator's forbidden writes in the audit trail, and they change nothing", async () => {
  const key = { key: regulatorKey };
  const attempts = await expectLogUnchanged(sw, async () => [
    await sw.client.post('/v1/settlement/windows/close', { ...key, body: { currency: 'PKR' } }),
    await sw.client.post('/v1/settlement/windows/PKR-000001/settle', { ...key, body: { reference: 'RTGS-1' } }),
    await sw.client.patch('/v1/participants/MARGALLA', { ...key, body: { netDebitCap: '1.00' } }),
    await sw.client.post('/v1/participants/MARGALLA/funds', {
      ...key,
      body: { direction: 'IN', amount: '1.00', reference: 'RTGS-2' },
      headers: { 'idempotency-key': 'regulator-funds-1' },
    }),
  ]);
  for (const attempt of attempts) {
    expect(attempt.status).toBe(403);
    expect(errorCode(attempt)).toBe('FORBIDDEN');
  }

  const entries = await auditEntries(regulatorActor(regulatorKey));
  const forbidden = entries.filter((entry) => entry.action.endsWith('(forbidden)'));
  expect(forbidden.map((entry) => [entry.action, entry.target])).toEqual([
    ['POST /v1/settlement/windows/close (forbidden)', '/v1/settlement/windows/close'],
    ['POST /v1/settlement/windows/:id/settle (forbidden)', '/v1/settlement/windows/PKR-000001/settle'],
    ['PATCH /v1/participants/:id (forbidden)', '/v1/participants/MARGALLA'],
    ['POST /v1/participants/:id/funds (forbidden)', '/v1/participants/MARGALLA/funds'],
  ]);
  for (const entry of forbidden) {
    expect(entry.from).toMatch(/127\.0\.0\.1$/);
    expect(entry.count).toBe(1);
  }
});

it('refuses a summary range that is too wide or backwards as the other reports do: a code and the field at fault', async () => {
  const tooWide = await sw.client.get('/v1/reports/summary?from=2026-11-01T00:00:00Z&to=2026-12-02T00:30:00Z', { key: regulatorKey });
  expect(tooWide.status).toBe(400);
  expect(tooWide.body).toEqual({
    error: {
      code: 'REPORT_RANGE_TOO_WIDE',
      message: 'the range holds 745 hours; a summary covers at most 744 (31 days): ask for a shorter range',
      details: [{ path: ['query', 'to'], message: 'at most 744 hours after from (rounded to whole hours)' }],
    },
  });
  // Exactly 31 days is a summary.
  const widest = await sw.client.get('/v1/reports/summary?from=2026-11-01T00:00:00Z&to=2026-12-02T00:00:00Z', { key: regulatorKey });
  expect(widest.status).toBe(200);

  const backwards = await sw.client.get('/v1/reports/summary?from=2026-12-05T00:00:00Z&to=2026-12-04T00:00:00Z', { key: regulatorKey });
  expect(backwards.status).toBe(400);
  expect(backwards.body).toEqual({
    error: {
      code: 'VALIDATION_FAILED',
      message: 'query.to: must be after from',
      details: [{ path: ['query', 'to'], message: 'must be after from' }],
    },
  });
});

it('suggests day buckets for a timeseries too wide only to a request that asked for hours', async () => {
  const hours = await sw.client.get('/v1/reports/timeseries?from=2026-01-01T00:00:00Z&to=2026-12-01T00:00:00Z&bucket=hour', {
    key: regulatorKey,
  });
  expect(hours.status).toBe(400);
  expect(errorCode(hours)).toBe('REPORT_RANGE_TOO_WIDE');
  expect((hours.body as { error: { message: string } }).error.message).toBe(
    'the range holds 8016 hour buckets; a timeseries has at most 744: ask for a shorter range or bucket=day',
  );
  const days = await sw.client.get('/v1/reports/timeseries?from=2020-01-01T00:00:00Z&to=2026-12-01T00:00:00Z&bucket=day', {
    key: regulatorKey,
  });
  expect(days.status).toBe(400);
  expect(errorCode(days)).toBe('REPORT_RANGE_TOO_WIDE');
  expect((days.body as { error: { message: string } }).error.message).toBe(
    'the range holds 2527 day buckets; a timeseries has at most 744: ask for a shorter range',
  );
});

it('answers a settlement report as CSV to Accept: text/csv, as the other reports do, unless format says otherwise', async () => {
  const closed = await sw.client.post('/v1/settlement/windows/close', { key: sw.operatorKey, body: { currency: 'PKR' } });
  expect(closed.status).toBe(200);
  const windowId = (closed.body as { closed: { id: string } }).closed.id;
  const path = `/v1/settlement/windows/${windowId}/report`;

  const byHeader = await sw.client.get(path, { key: regulatorKey, headers: { accept: 'text/csv' } });
  expect(byHeader.status).toBe(200);
  expect(byHeader.headers.get('content-type')).toBe('text/csv; charset=utf-8');
  const byQuery = await sw.client.get(`${path}?format=csv`, { key: regulatorKey });
  expect(byHeader.text).toBe(byQuery.text);
  expect(byHeader.text.split('\r\n')[0]).toBe('participant,sentCount,sentValue,receivedCount,receivedValue,fees,net');

  const jsonAsked = await sw.client.get(`${path}?format=json`, { key: regulatorKey, headers: { accept: 'text/csv' } });
  expect(jsonAsked.headers.get('content-type')).toContain('application/json');
  const plain = await sw.client.get(path, { key: regulatorKey });
  expect(plain.headers.get('content-type')).toContain('application/json');
});

it('refuses a cursor it did not give out with one code on every list, naming query.cursor', async () => {
  const lists = ['/v1/settlement/windows', '/v1/participants', '/v1/transfers', '/v1/disputes', '/v1/audit'];
  for (const list of lists) {
    const answer = await sw.client.get(`${list}?cursor=bm90LWEtY3Vyc29y`, { key: regulatorKey });
    expect({ list, status: answer.status, body: answer.body }).toEqual({
      list,
      status: 400,
      body: {
        error: {
          code: 'INVALID_CURSOR',
          message: 'query.cursor: not a cursor this list returned; follow nextCursor as given',
          details: [{ path: ['query', 'cursor'], message: 'not a cursor this list returned' }],
        },
      },
    });
  }
});

it('refuses a backwards range with the same sentence on the transfers list, the audit trail and the reports', async () => {
  const range = 'from=2026-12-05T00:00:00Z&to=2026-12-04T00:00:00Z';
  for (const path of [
    `/v1/transfers?${range}`,
    `/v1/audit?${range}`,
    `/v1/reports/participants?${range}`,
    `/v1/reports/summary?${range}`,
  ]) {
    const answer = await sw.client.get(path, { key: regulatorKey });
    expect({ path, status: answer.status, body: answer.body }).toEqual({
      path,
      status: 400,
      body: {
        error: {
          code: 'VALIDATION_FAILED',
          message: 'query.to: must be after from',
          details: [{ path: ['query', 'to'], message: 'must be after from' }],
        },
      },
    });
  }
});

it("documents a report line's net as what settling moves, fees included", async () => {
  const document = await sw.client.get('/openapi.json');
  const schemas = (document.body as { components: { schemas: Record<string, unknown> } }).components.schemas;
  const report = schemas['SettlementReport'] as {
    properties: { participants: { items: { properties: { net: { description: string } } } } };
  };
  expect(report.properties.participants.items.properties.net.description).toContain('receivedValue - sentValue - fees');
});

it("gives the operator and the regulator the switch's own camt.053 statement, its fee income, as the report's HISAAB row", async () => {
  await onboardMerchant(sw.client, sw.operatorKey, 'FEESHOP', 'RAVI');
  const fees = { fees: { mdrPercent: '2.00', interchangePercent: '1.50', switchFee: '0.75' } };
  expect((await sw.client.patch('/v1/merchants/FEESHOP', { key: sw.operatorKey, body: fees })).status).toBe(200);
  const paid = await sw.client.post('/v1/transfers', {
    key: payerKey,
    body: {
      id: randomUUID(),
      payer: { type: 'MSISDN', value: '923001111111', name: 'Ayesha Khan' },
      payee: { type: 'MERCHANT', value: 'FEESHOP' },
      amount: '333.33',
      currency: 'PKR',
      purpose: 'P2M',
    },
  });
  expect((paid.body as { state: string }).state).toBe('COMMITTED');
  const closed = await sw.client.post('/v1/settlement/windows/close', { key: sw.operatorKey, body: { currency: 'PKR' } });
  const windowId = (closed.body as { closed: { id: string } }).closed.id;
  const report = await sw.client.get(`/v1/settlement/windows/${windowId}/report`, { key: regulatorKey });
  const lines = (report.body as { participants: { participant: string; net: string }[] }).participants;
  expect(lines.find((line) => line.participant === 'HISAAB')?.net).toBe('0.75');

  for (const key of [regulatorKey, sw.operatorKey]) {
    const statement = await sw.client.get(`/v1/settlement/windows/${windowId}/statements/HISAAB`, { key });
    expect(statement.status).toBe(200);
    type Balance = { Tp: { CdOrPrtry: { Cd: string } }; Amt: { '#text': string; '@_Ccy': string }; CdtDbtInd: string };
    const parsed = new XMLParser({ ignoreAttributes: false, parseTagValue: false }).parse(statement.text) as {
      Document: { BkToCstmrStmt: { Stmt: { Acct: { Ownr: { Nm: string } }; Bal: Balance[] } } };
    };
    const body = parsed.Document.BkToCstmrStmt.Stmt;
    expect(body.Acct.Ownr.Nm).toBe('Hisaab switch');
    const closing = body.Bal.find((balance) => balance.Tp.CdOrPrtry.Cd === 'CLBD');
    expect(closing).toMatchObject({ Amt: { '#text': '0.75', '@_Ccy': 'PKR' }, CdtDbtInd: 'CRDT' });
  }
  // A participant reads its own statements only, and the switch's is not its own.
  expect((await sw.client.get(`/v1/settlement/windows/${windowId}/statements/HISAAB`, { key: payerKey })).status).toBe(403);
});

it('keeps the mobile numbers and CNICs of paths that a key may not use out of the audit trail, which nothing can erase', async () => {
  const msisdn = '923004445556';
  const cnic = '4210198765437';
  const asRegulator = await sw.client.get(`/v1/parties/MSISDN/${msisdn}`, { key: regulatorKey });
  expect(asRegulator.status).toBe(403);
  const removal = await sw.client.delete(`/v1/aliases/CNIC/${cnic}`, { key: regulatorKey });
  expect(removal.status).toBe(403);
  const withoutKey = await sw.client.get(`/v1/parties/MSISDN/${msisdn}`);
  expect(withoutKey.status).toBe(401);

  const answer = await sw.client.get('/v1/audit?limit=500', { key: sw.operatorKey });
  const entries = (answer.body as { entries: AuditEntry[] }).entries;
  const targets = entries.filter((entry) => entry.target.startsWith('/v1/parties/') || entry.target.startsWith('/v1/aliases/'));
  expect(targets.map((entry) => [entry.action, entry.target])).toEqual([
    ['GET /v1/parties/:type/:value (forbidden)', '/v1/parties/MSISDN/********5556'],
    ['DELETE /v1/aliases/:type/:value (forbidden)', '/v1/aliases/CNIC/*********5437'],
    ['authentication.refused', '/v1/parties/MSISDN/********5556'],
  ]);
  expect(JSON.stringify(entries)).not.toContain(msisdn);
  expect(JSON.stringify(entries)).not.toContain(cnic);
});

it('says Vary: Accept on every answer that the Accept header chose, and lets format= and q=0 decide as written', async () => {
  const closed = await sw.client.post('/v1/settlement/windows/close', { key: sw.operatorKey, body: { currency: 'PKR' } });
  const windowId = (closed.body as { closed: { id: string } }).closed.id;
  const range = 'from=2026-12-01T00:00:00Z&to=2026-12-02T00:00:00Z';
  const negotiated = [
    '/v1/settlement/windows',
    `/v1/settlement/windows/${windowId}/report`,
    `/v1/reports/participants?${range}`,
    `/v1/reports/timeseries?${range}&bucket=hour`,
    `/v1/reports/disputes?${range}`,
    `/v1/reports/inward-remittances?${range}`,
  ];
  const cases: [string, string][] = [
    ['text/csv', 'text/csv'],
    ['text/csv;q=0, application/json', 'application/json'],
    ['text/csv;q=0', 'application/json'],
    ['*/*', 'application/json'],
    ['application/json;q=0.5, text/csv', 'text/csv'],
  ];
  for (const path of negotiated) {
    for (const [accept, type] of cases) {
      const answer = await sw.client.get(path, { key: regulatorKey, headers: { accept } });
      expect({ path, accept, status: answer.status, type: answer.headers.get('content-type'), vary: answer.headers.get('vary') }).toEqual({
        path,
        accept,
        status: 200,
        type: `${type}; charset=utf-8`,
        vary: 'Accept',
      });
    }
  }
  // format= names one representation whatever the Accept header says: the answer does not vary by it.
  const report = `/v1/settlement/windows/${windowId}/report`;
  const asCsv = await sw.client.get(`${report}?format=csv`, { key: regulatorKey, headers: { accept: 'application/json' } });
  expect([asCsv.headers.get('content-type'), asCsv.headers.get('vary')]).toEqual(['text/csv; charset=utf-8', null]);
  const asJson = await sw.client.get(`${report}?format=json`, { key: regulatorKey, headers: { accept: 'text/csv' } });
  expect([asJson.headers.get('content-type'), asJson.headers.get('vary')]).toEqual(['application/json; charset=utf-8', null]);
});

it('documents in the OpenAPI document the codes that changed for existing clients of the lists', async () => {
  const document = await sw.client.get('/openapi.json');
  type Operation = { responses: Record<string, { description: string }> };
  const paths = (document.body as { paths: Record<string, { get: Operation }> }).paths;
  for (const list of ['/v1/settlement/windows', '/v1/participants', '/v1/transfers']) {
    expect({ list, description: paths[list]?.get.responses['400']?.description }).toEqual({
      list,
      description: expect.stringContaining('INVALID_CURSOR') as unknown,
    });
  }
  expect(paths['/v1/transfers']?.get.responses['400']?.description).toContain('query.to');
});
