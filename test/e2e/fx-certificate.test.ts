import { randomUUID } from 'node:crypto';
import { flattenedVerify, importJWK, type JWK } from 'jose';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { readModelPath } from '../../adapters/readmodel-sqlite/sqlite-read-model-store';
import { errorCode } from '../support/http-client';
import { inboundPaymentBody, setUpInboundPayments, type InboundParties } from '../support/inbound-payments';
import { startTestSwitch, type TestSwitch } from '../support/switch-process';
import { rebuildSwitchProjection } from '../support/rebuild-switch-projection';

/**
 * Issue 17, item 6: the export proceeds certificate of an in-bound payment, read back as its user would: the PDF's
 * text extracted by a real parser (pdf-parse over Mozilla's pdf.js) and compared with the payment, the switch's
 * Hisaab-JWS verified with jose against the JWKS fetched over HTTP, the JSON form holding the same facts.
 */
let sw: TestSwitch;
let parties: InboundParties;
const paymentId = randomUUID();
let payment: Record<string, unknown>;

beforeAll(async () => {
  sw = await startTestSwitch();
  parties = await setUpInboundPayments(sw.client, sw.operatorKey, 'http://127.0.0.1:9/webhooks');
  const paid = await sw.client.post('/v1/inbound/payments', { key: parties.pspKey, body: inboundPaymentBody(paymentId) });
  expect(paid.status).toBe(201);
  payment = paid.body as Record<string, unknown>;
}, 60_000);
afterAll(async () => {
  await sw.close();
});

async function fetchCertificate(
  key: string,
  query = '',
  id = paymentId,
): Promise<{ status: number; type: string; jws: string | null; bytes: Buffer }> {
  const response = await fetch(`${sw.url}/v1/inbound/payments/${id}/certificate${query}`, {
    headers: { authorization: `Bearer ${key}` },
  });
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    jws: response.headers.get('hisaab-jws'),
    bytes: Buffer.from(await response.arrayBuffer()),
  };
}

/** The text of a PDF as pdf-parse extracts it (test/support/pdf-text-child.mjs says why in a child). */
function pdfText(bytes: Buffer): Promise<{ total: number; text: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [join(__dirname, '..', 'support', 'pdf-text-child.mjs')],
      { cwd: join(__dirname, '..', '..'), timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error !== null) reject(new Error(`pdf-parse failed: ${stderr}`));
        else resolve(JSON.parse(stdout) as { total: number; text: string });
      },
    );
    child.stdin?.end(bytes);
  });
}

/** Verifies a detached JWS over `bytes` with the switch's public keys as anyone fetches them. */
async function verifyDetached(jws: string, bytes: Buffer): Promise<Record<string, unknown>> {
  const [protectedHeader, empty, signature] = jws.split('.');
  expect(empty).toBe('');
  const jwks = (await (await fetch(`${sw.url}/.well-known/jwks.json`)).json()) as { keys: (JWK & { kid: string })[] };
  const header = JSON.parse(Buffer.from(protectedHeader ?? '', 'base64url').toString('utf8')) as { kid: string; alg: string };
  const key = jwks.keys.find((entry) => entry.kid === header.kid);
  if (key === undefined) throw new Error(`the JWKS has no key ${header.kid}`);
  const verified = await flattenedVerify(
    { protected: protectedHeader ?? '', payload: bytes.toString('base64url'), signature: signature ?? '' },
    await importJWK(key, header.alg),
  );
  expect(Buffer.from(verified.payload).toString('base64url')).toBe(bytes.toString('base64url'));
  return verified.protectedHeader as Record<string, unknown>;
}

it('gives the merchant a one-page PDF whose text holds every fact of the payment, signed by the switch', async () => {
  const certificate = await fetchCertificate(parties.merchantKey);
  expect(certificate.status).toBe(200);
  expect(certificate.type).toBe('application/pdf');
  expect(certificate.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  const parsed = await pdfText(certificate.bytes);
  expect(parsed.total).toBe(1);
  const text = parsed.text.replace(/\s+/g, ' ');
  const converted = payment['converted'] as Record<string, string>;
  for (const fact of [
    'Export Proceeds Certificate',
    `Reference ${paymentId}`,
    `Date (UTC) ${String(payment['completedAt'])}`,
    'Exporter Karachi Soft (KARACHI_SOFT), Karachi',
    'Exporter tax number not on record',
    'Acquirer MARGALLA',
    'Payer Acme Ltd (business), GB',
    'Payer tax id GB123456789',
    'Amount received 100.00 USD',
    'Retained in foreign currency 35.00 USD',
    `Converted ${converted['fromAmount']} USD`,
    'Exchange rate 278.4500 PKR per USD',
    `Rupee amount ${converted['toAmount']} PKR`,
    'Authorised dealer ALLIED',
    'Purpose code 9184 Export of Computer Software',
    'Invoice INV-2026-001',
  ]) {
    expect(text).toContain(fact);
  }
  expect(converted).toMatchObject({ fromAmount: '65.00', toAmount: '18099.25' });
  expect(certificate.jws).not.toBeNull();
  const header = await verifyDetached(certificate.jws ?? '', certificate.bytes);
  expect(header).toMatchObject({ alg: 'EdDSA', htm: 'GET', htu: `/v1/inbound/payments/${paymentId}/certificate` });
});

it('is the same PDF every time for the same payment (its dates are the payment’s)', async () => {
  const first = await fetchCertificate(parties.merchantKey);
  const second = await fetchCertificate(sw.operatorKey);
  expect(second.status).toBe(200);
  expect(second.bytes.equals(first.bytes)).toBe(true);
});

it('gives the same facts as JSON with ?format=json, signed over the JSON bytes', async () => {
  const certificate = await fetchCertificate(parties.acquirerKey, '?format=json');
  expect(certificate.status).toBe(200);
  expect(certificate.type).toContain('application/json');
  const facts = JSON.parse(certificate.bytes.toString('utf8')) as Record<string, unknown>;
  expect(facts).toEqual({
    reference: paymentId,
    date: payment['completedAt'],
    exporter: { merchantId: 'KARACHI_SOFT', name: 'Karachi Soft', city: 'Karachi', taxNumber: null, acquirer: 'MARGALLA' },
    payer: { name: 'Acme Ltd', type: 'BUSINESS', country: 'GB', taxId: 'GB123456789' },
    foreign: { amount: '100.00', currency: 'USD' },
    retained: { amount: '35.00', currency: 'USD' },
    converted: { fromAmount: '65.00', fromCurrency: 'USD', toAmount: '18099.25', toCurrency: 'PKR', rate: '278.4500', provider: 'ALLIED' },
    purposeCode: expect.objectContaining({ code: '9184', title: 'Export of Computer Software' }) as unknown,
    invoiceNumber: 'INV-2026-001',
    transferIds: payment['transferIds'],
  });
  await verifyDetached(certificate.jws ?? '', certificate.bytes);
});

it('is for the merchant, its acquirer, the operator and regulators only: anyone else, and an unknown id, 404', async () => {
  const regulator = await sw.client.post('/v1/keys', { key: sw.operatorKey, body: { role: 'REGULATOR', name: 'SBP examiner' } });
  expect((await fetchCertificate((regulator.body as { key: string }).key)).status).toBe(200);
  for (const key of [parties.pspKey, parties.dealerKey]) {
    const refused = await sw.client.get(`/v1/inbound/payments/${paymentId}/certificate`, { key });
    expect(refused.status).toBe(404);
    expect(errorCode(refused)).toBe('INBOUND_PAYMENT_NOT_FOUND');
  }
  const unknown = await sw.client.get(`/v1/inbound/payments/${randomUUID()}/certificate`, { key: sw.operatorKey });
  expect(errorCode(unknown)).toBe('INBOUND_PAYMENT_NOT_FOUND');
  const badFormat = await sw.client.get(`/v1/inbound/payments/${paymentId}/certificate?format=docx`, { key: sw.operatorKey });
  expect(errorCode(badFormat)).toBe('VALIDATION_FAILED');
});

describe("the exporter's tax number (an NTN)", () => {
  const taxed = randomUUID();

  it('is set by the acquirer, shown on the merchant, and printed on the certificates of payments received after it', async () => {
    const set = await sw.client.patch('/v1/merchants/KARACHI_SOFT', { key: parties.acquirerKey, body: { taxNumber: '1234567-8' } });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ id: 'KARACHI_SOFT', taxNumber: '1234567-8' });
    const read = await sw.client.get('/v1/merchants/KARACHI_SOFT', { key: parties.merchantKey });
    expect(read.body).toMatchObject({ taxNumber: '1234567-8' });
    const paid = await sw.client.post('/v1/inbound/payments', { key: parties.pspKey, body: inboundPaymentBody(taxed) });
    expect(paid.status).toBe(201);

    const certificate = await fetchCertificate(parties.merchantKey, '', taxed);
    expect(certificate.status).toBe(200);
    const text = (await pdfText(certificate.bytes)).text.replace(/\s+/g, ' ');
    expect(text).toContain('Exporter tax number 1234567-8');
    expect(text).toContain(`Reference ${taxed}`);
    await verifyDetached(certificate.jws ?? '', certificate.bytes);
    const json = await fetchCertificate(parties.merchantKey, '?format=json', taxed);
    expect(JSON.parse(json.bytes.toString('utf8'))).toMatchObject({
      reference: taxed,
      exporter: { merchantId: 'KARACHI_SOFT', taxNumber: '1234567-8' },
    });
    // A certificate states the receipt as it was recorded: the payment received before the number was set still says so.
    const earlier = await fetchCertificate(parties.merchantKey, '?format=json');
    expect(JSON.parse(earlier.bytes.toString('utf8'))).toMatchObject({ exporter: { taxNumber: null } });
  });

  it('keeps the number a later correction replaced on the certificates already issued, and prints the new one on the next', async () => {
    const corrected = await sw.client.patch('/v1/merchants/KARACHI_SOFT', { key: sw.operatorKey, body: { taxNumber: '7654321-0' } });
    expect(corrected.body).toMatchObject({ taxNumber: '7654321-0' });
    const next = randomUUID();
    expect((await sw.client.post('/v1/inbound/payments', { key: parties.pspKey, body: inboundPaymentBody(next) })).status).toBe(201);
    const text = (await pdfText((await fetchCertificate(parties.merchantKey, '', next)).bytes)).text.replace(/\s+/g, ' ');
    expect(text).toContain('Exporter tax number 7654321-0');
    const kept = JSON.parse((await fetchCertificate(parties.merchantKey, '?format=json', taxed)).bytes.toString('utf8')) as {
      exporter: { taxNumber: string };
    };
    expect(kept.exporter.taxNumber).toBe('1234567-8');
  });

  it('refuses a malformed number with 400 naming the field and changes nothing; the merchant cannot set its own; null removes it', async () => {
    for (const bad of ['123456', '1234567-89', '3520212345', 'NTN1234567', 1234567, '35202-1234567-12', '352021234567']) {
      const refused = await sw.client.patch('/v1/merchants/KARACHI_SOFT', { key: parties.acquirerKey, body: { taxNumber: bad } });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({
        error: { code: 'VALIDATION_FAILED', details: [expect.objectContaining({ path: ['body', 'taxNumber'] })] },
      });
    }
    const registeredBadly = await sw.client.post('/v1/merchants', {
      key: parties.acquirerKey,
      headers: { 'idempotency-key': randomUUID() },
      body: {
        id: 'LAHORE_CODE',
        name: 'Lahore Code',
        mcc: '7372',
        city: 'Lahore',
        acquirer: 'MARGALLA',
        settlementAccount: { type: 'WALLET', value: 'WLAHORECODE' },
        webhookUrl: 'http://127.0.0.1:9/webhooks',
        taxNumber: '35202-12345671',
      },
    });
    expect(registeredBadly.status).toBe(400);
    expect(registeredBadly.body).toMatchObject({ error: { details: [expect.objectContaining({ path: ['body', 'taxNumber'] })] } });
    expect((await sw.client.get('/v1/merchants/LAHORE_CODE', { key: sw.operatorKey })).status).toBe(404);
    const byMerchant = await sw.client.patch('/v1/merchants/KARACHI_SOFT', { key: parties.merchantKey, body: { taxNumber: '7654320' } });
    expect(byMerchant.status).toBe(403);
    expect((await sw.client.get('/v1/merchants/KARACHI_SOFT', { key: sw.operatorKey })).body).toMatchObject({
      taxNumber: '7654321-0',
    });
    const removed = await sw.client.patch('/v1/merchants/KARACHI_SOFT', { key: parties.acquirerKey, body: { taxNumber: null } });
    expect(removed.body).toMatchObject({ taxNumber: null });
  });

  it('is taken at onboarding too', async () => {
    const registered = await sw.client.post('/v1/merchants', {
      key: parties.acquirerKey,
      headers: { 'idempotency-key': randomUUID() },
      body: {
        id: 'LAHORE_CODE',
        name: 'Lahore Code',
        mcc: '7372',
        city: 'Lahore',
        acquirer: 'MARGALLA',
        settlementAccount: { type: 'WALLET', value: 'WLAHORECODE' },
        webhookUrl: 'http://127.0.0.1:9/webhooks',
        taxNumber: '2345678',
      },
    });
    expect(registered.status).toBe(201);
    expect(registered.body).toMatchObject({ merchant: { id: 'LAHORE_CODE', taxNumber: '2345678' } });
  });

  it('rebuilds from the log into the same rows: each merchant with the number it has now', async () => {
    const rows = (): unknown[] => {
      const database = new Database(readModelPath(sw.dataDir), { readonly: true });
      try {
        return [
          database.prepare('SELECT * FROM merchants ORDER BY merchant_id').all(),
          database.prepare('SELECT * FROM merchant_tax_numbers ORDER BY merchant_id').all(),
        ];
      } finally {
        database.close();
      }
    };
    const before = rows();
    expect(before[1]).toEqual([{ merchant_id: 'LAHORE_CODE', tax_number: '2345678' }]);
    await rebuildSwitchProjection('merchants', sw.dataDir);
    expect(rows()).toEqual(before);
  });
});

it('says "no conversion" for a payment retained whole, naming no dealer or rate (PDF and JSON)', async () => {
  const retainAll = async (retentionShare: string): Promise<void> => {
    const patched = await sw.client.patch('/v1/merchants/KARACHI_SOFT', {
      key: parties.acquirerKey,
      body: { inbound: { enabled: true, retentionShare, purposeCodes: ['9184', '9182'] } },
    });
    expect(patched.status).toBe(200);
  };
  await retainAll('1');
  const retainedId = randomUUID();
  const paid = await sw.client.post('/v1/inbound/payments', { key: parties.pspKey, body: inboundPaymentBody(retainedId) });
  expect(paid.status).toBe(201);
  expect(paid.body).toMatchObject({ retained: { amount: '100.00', currency: 'USD' }, converted: { fromAmount: '0.00', toAmount: '0.00' } });
  await retainAll('0.35');

  const pdf = await fetchCertificate(parties.merchantKey, '', retainedId);
  expect(pdf.status).toBe(200);
  const text = (await pdfText(pdf.bytes)).text.replace(/\s+/g, ' ');
  for (const fact of [
    `Reference ${retainedId}`,
    'Amount received 100.00 USD',
    'Retained in foreign currency 100.00 USD',
    'Converted no conversion: the whole amount was retained in foreign currency',
    'Exchange rate no conversion',
    'Rupee amount no conversion',
    'Authorised dealer no conversion',
  ]) {
    expect(text).toContain(fact);
  }
  expect(text).not.toContain('ALLIED');
  expect(text).not.toContain('278.4500');
  expect(text).not.toContain('0.00 PKR');

  const json = await fetchCertificate(parties.merchantKey, '?format=json', retainedId);
  expect(json.status).toBe(200);
  expect(JSON.parse(json.bytes.toString('utf8'))).toMatchObject({
    reference: retainedId,
    foreign: { amount: '100.00', currency: 'USD' },
    retained: { amount: '100.00', currency: 'USD' },
    converted: null,
  });
  // The signature covers the JSON as sent, as for any certificate.
  expect(json.jws).not.toBeNull();
});
