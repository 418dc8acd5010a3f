import { randomUUID } from 'node:crypto';
import { errorCode, type HttpAnswer } from '../support/http-client';
import { expectLogUnchanged, onboardParticipant, participantBody, startTestSwitch, type TestSwitch } from '../support/switch-process';

/**
 * Every free-text field of every request body refuses control characters (C0, DEL, C1), the Unicode line and
 * paragraph separators and the Unicode bidirectional controls, which would otherwise reach logs, statements (camt.053 XML) and other parties' screens.
 */
let sw: TestSwitch;
let payerKey: string;
let payeeKey: string;

const forbidden: readonly [string, string][] = [
  ['NUL', '\u0000'],
  ['BEL', '\u0007'],
  ['newline', '\n'],
  ['tab', '\t'],
  ['DEL', '\u007f'],
  ['C1 NEL', '\u0085'],
  ['C1 CSI', '\u009b'],
  // Unicode's own line breaks: a log viewer or a statement reader starts a new line at each, as at a newline.
  ['line separator', '\u2028'],
  ['paragraph separator', '\u2029'],
  ['right-to-left override', '\u202e'],
  ['left-to-right embedding', '\u202a'],
  ['first-strong isolate', '\u2068'],
  ['pop directional isolate', '\u2069'],
  ['right-to-left mark', '\u200f'],
  ['left-to-right mark', '\u200e'],
  ['Arabic letter mark', '\u061c'],
];

beforeAll(async () => {
  sw = await startTestSwitch();
  payerKey = (await onboardParticipant(sw, 'MARGALLA', 'MRGL')).key;
  payeeKey = (await onboardParticipant(sw, 'RAVI', 'RAVI')).key;
  const alias = await sw.client.post('/v1/aliases', {
    key: payeeKey,
    body: { type: 'MSISDN', value: '923000000002', account: { type: 'WALLET', value: 'WRAVI0001' }, name: 'Customer RAVI' },
  });
  if (alias.status !== 201) throw new Error(`registering the payee alias: ${alias.status} ${alias.text}`);
});
afterAll(async () => {
  await sw.close();
});

function withValue(body: Record<string, unknown>, path: readonly string[], value: string): Record<string, unknown> {
  const copy = structuredClone(body);
  let target: Record<string, unknown> = copy;
  for (const part of path.slice(0, -1)) target = target[part] as Record<string, unknown>;
  target[path[path.length - 1] as string] = value;
  return copy;
}

function valueAt(body: Record<string, unknown>, path: readonly string[]): string {
  let target: unknown = body;
  for (const part of path) target = (target as Record<string, unknown>)[part];
  if (typeof target !== 'string') throw new Error(`no text at ${path.join('.')}`);
  return target;
}

function expectRefusedAt(answer: HttpAnswer, path: readonly (string | number)[]): void {
  expect({ status: answer.status, code: errorCode(answer) }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
  const details = (answer.body as { error: { details: { path: (string | number)[] }[] } }).error.details;
  expect(details.map((detail) => detail.path.join('.'))).toContain(path.join('.'));
}

function transferBody(): Record<string, unknown> {
  return {
    id: randomUUID(),
    payer: { type: 'WALLET', value: 'WMARGALLA0001', name: 'Customer MARGALLA' },
    payee: { type: 'MSISDN', value: '923000000002' },
    amount: '100.00',
    currency: 'PKR',
    purpose: 'P2P',
    note: 'rent',
  };
}

type Case = {
  name: string;
  method: 'post';
  route: string;
  key: () => string;
  body: () => Record<string, unknown>;
  field: readonly string[];
};

const cases: readonly Case[] = [
  {
    name: 'participant name',
    method: 'post',
    route: '/v1/participants',
    key: () => sw.operatorKey,
    body: () => participantBody('NEWONE', 'NEWO'),
    field: ['name'],
  },
  ...(['creditUrl', 'reversalUrl', 'rtpUrl'] as const).map((url) => ({
    name: `participant endpoints.${url}`,
    method: 'post' as const,
    route: '/v1/participants',
    key: () => sw.operatorKey,
    body: () =>
      participantBody('NEWONE', 'NEWO', {
        endpoints: { creditUrl: 'http://127.0.0.1:9/c', reversalUrl: 'http://127.0.0.1:9/r', rtpUrl: 'http://127.0.0.1:9/p' },
      }),
    field: ['endpoints', url],
  })),
  {
    name: 'regulator key name',
    method: 'post',
    route: '/v1/keys',
    key: () => sw.operatorKey,
    body: () => ({ role: 'REGULATOR', name: 'SBP examiner' }),
    field: ['name'],
  },
  ...([['value'], ['account', 'value'], ['name']] as const).map((field) => ({
    name: `alias ${field.join('.')}`,
    method: 'post' as const,
    route: '/v1/aliases',
    key: () => payerKey,
    body: () => ({ type: 'MSISDN', value: '923000000777', account: { type: 'WALLET', value: 'WMARGALLA0777' }, name: 'Customer Seven' }),
    field,
  })),
  {
    name: 'funds reference',
    method: 'post',
    route: '/v1/participants/MARGALLA/funds',
    key: () => sw.operatorKey,
    body: () => ({ direction: 'IN', amount: '10.00', reference: 'RTGS-1' }),
    field: ['reference'],
  },
  {
    name: 'settlement reference',
    method: 'post',
    route: '/v1/settlement/windows/PKR-000001/settle',
    key: () => sw.operatorKey,
    body: () => ({ reference: 'RTGS-20261203-1' }),
    field: ['reference'],
  },
  ...([['payer', 'value'], ['payer', 'name'], ['payee', 'value'], ['amount'], ['note']] as const).map((field) => ({
    name: `transfer ${field.join('.')}`,
    method: 'post' as const,
    route: '/v1/transfers',
    key: () => payerKey,
    body: transferBody,
    field,
  })),
];

describe('free-text fields refuse control and bidi characters', () => {
  it.each(cases.map((testCase) => [testCase.name, testCase] as const))('%s', async (_name, testCase) => {
    for (const [label, character] of forbidden) {
      // Inside, at the start and at the end: trimming must not hide a character at either end.
      const good = valueAt(testCase.body(), testCase.field);
      for (const value of [`${good.slice(0, 1)}${character}${good.slice(1)}`, `${character}${good}`, `${good}${character}`]) {
        const body = withValue(testCase.body(), testCase.field, value);
        const headers = testCase.route.endsWith('/funds') ? { 'idempotency-key': randomUUID() } : undefined;
        const answer = await expectLogUnchanged(sw, () => sw.client.post(testCase.route, { key: testCase.key(), body, headers }));
        try {
          expectRefusedAt(answer, ['body', ...testCase.field]);
        } catch (error) {
          throw new Error(`${label} in ${JSON.stringify(value)}: ${answer.status} ${answer.text}\n${String(error)}`);
        }
      }
    }
  });

  it('refuses them in a batch item, answering that item with the field path and recording nothing', async () => {
    const bad = withValue(transferBody(), ['note'], 'rent\u202e');
    const answer = await expectLogUnchanged(sw, () => sw.client.post('/v1/transfers/batch', { key: payerKey, body: { transfers: [bad] } }));
    expect(answer.status).toBe(200);
    const [result] = (answer.body as { results: { id: string; error?: { code: string; message: string } }[] }).results;
    expect(result?.error?.code).toBe('VALIDATION_FAILED');
    expect(result?.error?.message).toContain('body.transfers.0.note');
  });

  it('still accepts ordinary text in any script, with inner spaces and punctuation', async () => {
    const answer = await sw.client.post('/v1/aliases', {
      key: payerKey,
      body: {
        type: 'MSISDN',
        value: '923000000888',
        account: { type: 'WALLET', value: 'WMARGALLA0888' },
        name: "عائشہ خان — O'Neil & Co.",
      },
    });
    expect(answer.status).toBe(201);
  });
});
