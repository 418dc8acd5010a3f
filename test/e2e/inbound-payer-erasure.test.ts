import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorCode } from '../support/http-client';
import { inboundPaymentBody, setUpInboundPayments, type InboundParties } from '../support/inbound-payments';
import { startTestSwitch, type TestSwitch } from '../support/switch-process';
import { tempDir } from '../support/temp-dir';
import { plaintextsInDataDir } from '../support/data-dir-plaintexts';
import { rebuildSwitchProjection } from '../support/rebuild-switch-projection';

/**
 * Issue 15, item 4, for in-bound payments (issue 17): the payer abroad is a data subject of its own, PAYER
 * `<PSP id>:<tax id>` (or `<PSP id>:<payment id>` without one). Over real HTTP: the payer's name, tax id and the
 * payment's description show in every view and are in no file of the data dir; erased through
 * POST /v1/data-subjects/erase they read `[erased]` in every view, the webhook and the certificate, also after the read
 * models are rebuilt, while ids and amounts stay.
 */
const dataDir = tempDir('hisaab-payer-erasure-');
let sw: TestSwitch;
let parties: InboundParties;
let receiver: Server;
/** The bodies of the webhooks the merchant's endpoint received, as received. */
const received: string[] = [];
const withTaxId = randomUUID();
const withoutTaxId = randomUUID();
const secrets = ['Zebulon Quartermaine', 'ZQ987654321', 'Consulting for Zebulon', 'Ysolde Farthingale', 'Ysolde design work'];

beforeAll(async () => {
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push(Buffer.concat(chunks).toString('utf8'));
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const { port } = receiver.address() as AddressInfo;
  sw = await startTestSwitch({ dataDir: dataDir.path });
  parties = await setUpInboundPayments(sw.client, sw.operatorKey, `http://127.0.0.1:${port}/webhooks`);
  const first = await sw.client.post('/v1/inbound/payments', {
    key: parties.pspKey,
    body: {
      ...inboundPaymentBody(withTaxId),
      payer: { type: 'PERSON', name: 'Zebulon Quartermaine', country: 'GB', taxId: 'ZQ987654321' },
      description: 'Consulting for Zebulon',
    },
  });
  expect(first.status).toBe(201);
  const second = await sw.client.post('/v1/inbound/payments', {
    key: parties.pspKey,
    body: {
      ...inboundPaymentBody(withoutTaxId),
      payer: { type: 'PERSON', name: 'Ysolde Farthingale', country: 'DE' },
      description: 'Ysolde design work',
    },
  });
  expect(second.status).toBe(201);
}, 60_000);
afterAll(async () => {
  await sw.close();
  await new Promise((resolve) => receiver.close(resolve));
  dataDir.remove();
});

/** Everything a user can read of the two payments: each one, the lists, the webhooks, the certificate, the report. */
async function views(): Promise<string> {
  const texts: string[] = [];
  for (const id of [withTaxId, withoutTaxId]) {
    for (const key of [sw.operatorKey, parties.pspKey, parties.merchantKey]) {
      const one = await sw.client.get(`/v1/inbound/payments/${id}`, { key });
      expect(one.status).toBe(200);
      texts.push(one.text);
    }
    const certificate = await sw.client.get(`/v1/inbound/payments/${id}/certificate?format=json`, { key: sw.operatorKey });
    expect(certificate.status).toBe(200);
    texts.push(certificate.text);
  }
  const listed = await sw.client.get('/v1/inbound/payments?merchantId=KARACHI_SOFT', { key: sw.operatorKey });
  expect(listed.status).toBe(200);
  const events = await sw.client.get('/v1/merchants/KARACHI_SOFT/events', { key: parties.merchantKey });
  expect(events.status).toBe(200);
  // The report counts and sums by purpose code, currency or day: it names no payer, and its totals stay.
  const from = new Date(Date.now() - 86_400_000).toISOString();
  const to = new Date(Date.now() + 86_400_000).toISOString();
  const report = await sw.client.get(`/v1/reports/inward-remittances?from=${from}&to=${to}`, { key: sw.operatorKey });
  expect(report.status).toBe(200);
  expect(report.text).toContain('200.00');
  return [...texts, listed.text, events.text, report.text].join('\n');
}

/** The payer names of the first `count` in-bound payment webhooks received, waiting (bounded) for them. */
async function receivedPayerNames(count: number): Promise<string[]> {
  const deadline = Date.now() + 30_000;
  const inbound = (): { data: { object: { payer: { name: string }; description: string } } }[] =>
    received
      .map((body) => JSON.parse(body) as { type: string; data: { object: { payer: { name: string }; description: string } } })
      .filter((event) => event.type === 'inbound_payment.completed');
  while (inbound().length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  return inbound()
    .slice(0, count)
    .map((event) => event.data.object.payer.name);
}

async function erase(value: string): Promise<{ status: number; body: unknown }> {
  const erased = await sw.client.post('/v1/data-subjects/erase', { key: sw.operatorKey, body: { type: 'PAYER', value } });
  return { status: erased.status, body: erased.body };
}

it('shows the payer in every view while no file of the data dir holds it in plain text', async () => {
  const shown = await views();
  for (const plaintext of secrets) expect(shown).toContain(plaintext);
  // The webhooks carry the summary to the merchant in full.
  const names = await receivedPayerNames(2);
  expect(names.sort()).toEqual(['Ysolde Farthingale', 'Zebulon Quartermaine']);
  expect(plaintextsInDataDir(sw.dataDir, secrets)).toEqual([]);
}, 60_000);

it('refuses a malformed PAYER subject with INVALID_DATA_SUBJECT, and erases nothing', async () => {
  for (const value of ['ZQ987654321', 'remitly:ZQ987654321', 'REMITLY:']) {
    const refused = await sw.client.post('/v1/data-subjects/erase', { key: sw.operatorKey, body: { type: 'PAYER', value } });
    expect({ value, status: refused.status, code: errorCode(refused) }).toEqual({ value, status: 400, code: 'INVALID_DATA_SUBJECT' });
  }
  expect(await views()).toContain('Zebulon Quartermaine');
}, 60_000);

it('erases a payer by PSP and tax id, and one without a tax id by PSP and payment id, everywhere and after a rebuild', async () => {
  expect(await erase('REMITLY:ZQ987654321')).toEqual({ status: 200, body: { erased: true, keysDestroyed: 1, aliasRemoved: false } });
  expect(await erase(`REMITLY:${withoutTaxId}`)).toEqual({ status: 200, body: { erased: true, keysDestroyed: 1, aliasRemoved: false } });
  // Again: nothing left to destroy, the same answer otherwise.
  expect(await erase('REMITLY:ZQ987654321')).toEqual({ status: 200, body: { erased: true, keysDestroyed: 0, aliasRemoved: false } });
  const check = async (): Promise<void> => {
    const shown = await views();
    for (const plaintext of secrets) expect(shown).not.toContain(plaintext);
    const one = await sw.client.get(`/v1/inbound/payments/${withTaxId}`, { key: sw.operatorKey });
    expect(one.body).toMatchObject({
      id: withTaxId,
      amount: '100.00',
      currency: 'USD',
      payer: { type: 'PERSON', name: '[erased]', country: 'GB', taxId: '[erased]' },
      description: '[erased]',
    });
    const certificate = await sw.client.get(`/v1/inbound/payments/${withoutTaxId}/certificate?format=json`, { key: sw.operatorKey });
    expect(certificate.body).toMatchObject({ payer: { name: '[erased]', country: 'DE', taxId: null } });
  };
  await check();
  // The PSP retrying an erased payment is told it differs from what is recorded: nothing of the payer comes back.
  const retried = await sw.client.post('/v1/inbound/payments', {
    key: parties.pspKey,
    body: {
      ...inboundPaymentBody(withTaxId),
      payer: { type: 'PERSON', name: 'Zebulon Quartermaine', country: 'GB', taxId: 'ZQ987654321' },
      description: 'Consulting for Zebulon',
    },
  });
  expect(errorCode(retried)).toBe('INBOUND_PAYMENT_CONFLICT');
  expect(retried.text).not.toContain('Zebulon');
  await sw.stop();
  for (const projection of ['inbound-payments', 'webhook-events']) {
    await rebuildSwitchProjection(projection, sw.dataDir);
  }
  sw = await startTestSwitch({ dataDir: sw.dataDir });
  await check();
  expect(plaintextsInDataDir(sw.dataDir, secrets)).toEqual([]);
  // A resend of a webhook sends what is left: the payer's fields erased, the amount as it was.
  const events = await sw.client.get('/v1/merchants/KARACHI_SOFT/events?type=inbound_payment.completed', { key: parties.merchantKey });
  const [latest] = (events.body as { events: { id: string }[] }).events;
  const sentBefore = received.length;
  expect((await sw.client.post(`/v1/events/${latest?.id}/resend`, { key: parties.merchantKey })).status).toBe(202);
  const deadline = Date.now() + 30_000;
  while (received.length === sentBefore && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  const resent = JSON.parse(received[sentBefore] ?? '{}') as { data: { object: Record<string, unknown> } };
  expect(resent.data.object).toMatchObject({ payer: { name: '[erased]' }, description: '[erased]', amount: '100.00' });
}, 120_000);
