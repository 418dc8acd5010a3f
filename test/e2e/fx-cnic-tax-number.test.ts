import { randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { readModelPath } from '../../adapters/readmodel-sqlite/sqlite-read-model-store';
import { inboundPaymentBody, setUpInboundPayments, type InboundParties } from '../support/inbound-payments';
import { startTestSwitch, type TestSwitch } from '../support/switch-process';
import { tempDir } from '../support/temp-dir';
import { plaintextsInDataDir } from '../support/data-dir-plaintexts';
import { rebuildSwitchProjection } from '../support/rebuild-switch-projection';

/**
 * Issue 17 with issue 15.4: an individual exporter (a freelancer) gives their CNIC as tax number. Over real HTTP on
 * a data dir of its own: the CNIC is taken in both written forms, shown on the merchant and printed on the export
 * proceeds certificate of a freelance (9186) receipt, and is in no file of the data dir in plain text; a correction
 * keeps the old number on the certificate already issued; erased through POST /v1/data-subjects/erase, the CNIC
 * reads `[erased]` on the merchant and every certificate it was printed on, also after the merchants read model is
 * rebuilt, while the payment's amounts stay; a payment received after the erasure records no tax number.
 */
const dataDir = tempDir('hisaab-cnic-tax-number-');
let sw: TestSwitch;
let parties: InboundParties;
let freelancerKey: string;
const firstCnic = '42101-9876543-7';
const secondCnic = '4210155555553';
/** Every written form of both numbers: none may be in a file of the data dir. */
const plaintexts = [firstCnic, '4210198765437', secondCnic, '42101-5555555-3'];
const firstPayment = randomUUID();
const secondPayment = randomUUID();

beforeAll(async () => {
  sw = await startTestSwitch({ dataDir: dataDir.path });
  parties = await setUpInboundPayments(sw.client, sw.operatorKey, 'http://127.0.0.1:9/webhooks');
  const onboarded = await sw.client.post('/v1/merchants', {
    key: parties.acquirerKey,
    headers: { 'idempotency-key': randomUUID() },
    body: {
      id: 'ALI_FREELANCE',
      name: 'Ali Raza (freelance developer)',
      mcc: '7372',
      city: 'Karachi',
      acquirer: 'MARGALLA',
      settlementAccount: { type: 'WALLET', value: 'WALIFREELANCE' },
      webhookUrl: 'http://127.0.0.1:9/webhooks',
      taxNumber: firstCnic,
    },
  });
  expect(onboarded.status).toBe(201);
  expect(onboarded.body).toMatchObject({ merchant: { id: 'ALI_FREELANCE', taxNumber: firstCnic } });
  freelancerKey = (onboarded.body as { apiKey: string }).apiKey;
  const enabled = await sw.client.patch('/v1/merchants/ALI_FREELANCE', {
    key: parties.acquirerKey,
    body: { inbound: { enabled: true, retentionShare: '0.5', purposeCodes: ['9186'] } },
  });
  expect(enabled.status).toBe(200);
  expect((await pay(firstPayment)).status).toBe(201);
}, 60_000);
afterAll(async () => {
  await sw.close();
  dataDir.remove();
});

/** A 100.00 USD payment to the freelancer for freelance computer services (9186), from a person abroad. */
function pay(id: string): Promise<{ status: number; body: unknown }> {
  return sw.client.post('/v1/inbound/payments', {
    key: parties.pspKey,
    body: {
      ...inboundPaymentBody(id),
      merchantId: 'ALI_FREELANCE',
      purposeCode: '9186',
      payer: { type: 'PERSON', name: 'Jane Client', country: 'US' },
    },
  });
}

async function certificateJson(id: string): Promise<{ exporter: { taxNumber: string | null }; foreign: { amount: string } }> {
  const answer = await sw.client.get(`/v1/inbound/payments/${id}/certificate?format=json`, { key: freelancerKey });
  expect(answer.status).toBe(200);
  return answer.body as { exporter: { taxNumber: string | null }; foreign: { amount: string } };
}

/** The certificate's PDF as its reader sees it: the text pdf-parse extracts (test/support/pdf-text-child.mjs). */
async function certificateText(id: string): Promise<string> {
  const response = await fetch(`${sw.url}/v1/inbound/payments/${id}/certificate`, {
    headers: { authorization: `Bearer ${freelancerKey}` },
  });
  expect(response.status).toBe(200);
  const bytes = Buffer.from(await response.arrayBuffer());
  const parsed = await new Promise<{ text: string }>((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [join(__dirname, '..', 'support', 'pdf-text-child.mjs')],
      { cwd: join(__dirname, '..', '..'), timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error !== null) reject(new Error(`pdf-parse failed: ${stderr}`));
        else resolve(JSON.parse(stdout) as { text: string });
      },
    );
    child.stdin?.end(bytes);
  });
  return parsed.text.replace(/\s+/g, ' ');
}

async function merchantTaxNumber(): Promise<unknown> {
  const read = await sw.client.get('/v1/merchants/ALI_FREELANCE', { key: freelancerKey });
  expect(read.status).toBe(200);
  return (read.body as { taxNumber: unknown }).taxNumber;
}

function taxNumberRows(): unknown[] {
  const database = new Database(readModelPath(dataDir.path), { readonly: true });
  try {
    return database.prepare("SELECT * FROM merchant_tax_numbers WHERE merchant_id = 'ALI_FREELANCE'").all();
  } finally {
    database.close();
  }
}

it('takes a CNIC as an individual exporter’s tax number and prints it on the freelance receipt’s certificate, sealed in every file', async () => {
  expect(await merchantTaxNumber()).toBe(firstCnic);
  const text = await certificateText(firstPayment);
  expect(text).toContain(`Exporter tax number ${firstCnic}`);
  expect(text).toContain('Purpose code 9186 Freelance of Computer and Information Services');
  expect(await certificateJson(firstPayment)).toMatchObject({ exporter: { taxNumber: firstCnic }, foreign: { amount: '100.00' } });
  // The read model holds it as the log does, sealed under the CNIC's subject.
  expect(taxNumberRows()).toEqual([{ merchant_id: 'ALI_FREELANCE', tax_number: expect.stringMatching(/^pd1\./) as unknown }]);
  expect(plaintextsInDataDir(dataDir.path, plaintexts)).toEqual([]);
}, 60_000);

it('takes a correction in the 13-digit form: the next certificate prints it, the one already issued keeps the first', async () => {
  const corrected = await sw.client.patch('/v1/merchants/ALI_FREELANCE', { key: parties.acquirerKey, body: { taxNumber: secondCnic } });
  expect(corrected.status).toBe(200);
  expect(corrected.body).toMatchObject({ taxNumber: secondCnic });
  expect((await pay(secondPayment)).status).toBe(201);
  expect(await certificateText(secondPayment)).toContain(`Exporter tax number ${secondCnic}`);
  expect((await certificateJson(firstPayment)).exporter.taxNumber).toBe(firstCnic);
  expect(plaintextsInDataDir(dataDir.path, plaintexts)).toEqual([]);
}, 60_000);

it('refuses a malformed CNIC with 400 naming the field, and changes nothing', async () => {
  for (const bad of ['42101-98765437', '4210-19876543-7', '421019876543', '42101987654370', '42101 9876543 7', '42101-9876543-']) {
    const refused = await sw.client.patch('/v1/merchants/ALI_FREELANCE', { key: parties.acquirerKey, body: { taxNumber: bad } });
    expect({ bad, status: refused.status, body: refused.body }).toMatchObject({
      bad,
      status: 400,
      body: { error: { code: 'VALIDATION_FAILED', details: [expect.objectContaining({ path: ['body', 'taxNumber'] })] } },
    });
  }
  expect(await merchantTaxNumber()).toBe(secondCnic);
});

it('erased by the CNIC, reads [erased] on the merchant and each certificate it was on, also after a rebuild; amounts stay', async () => {
  const erase = (value: string) => sw.client.post('/v1/data-subjects/erase', { key: sw.operatorKey, body: { type: 'CNIC', value } });
  const erased = await erase('42101-5555555-3');
  expect(erased.status).toBe(200);
  expect(erased.body).toEqual({ erased: true, keysDestroyed: 1, aliasRemoved: false });
  expect(await merchantTaxNumber()).toBe('[erased]');
  expect(await certificateJson(secondPayment)).toMatchObject({ exporter: { taxNumber: '[erased]' }, foreign: { amount: '100.00' } });
  expect(await certificateText(secondPayment)).toContain('Exporter tax number [erased]');
  // The first number is another subject's: its certificate still shows it until that CNIC is erased too.
  expect((await certificateJson(firstPayment)).exporter.taxNumber).toBe(firstCnic);
  expect((await erase(firstCnic)).body).toEqual({ erased: true, keysDestroyed: 1, aliasRemoved: false });
  expect((await certificateJson(firstPayment)).exporter.taxNumber).toBe('[erased]');

  // A payment received after the erasure records no tax number, not the text that stands in for it.
  const afterwards = randomUUID();
  expect((await pay(afterwards)).status).toBe(201);
  expect((await certificateJson(afterwards)).exporter.taxNumber).toBeNull();
  expect(await certificateText(afterwards)).toContain('Exporter tax number not on record');

  await sw.stop();
  await rebuildSwitchProjection('merchants', dataDir.path);
  sw = await startTestSwitch({ dataDir: dataDir.path });
  expect(await merchantTaxNumber()).toBe('[erased]');
  expect((await certificateJson(secondPayment)).exporter.taxNumber).toBe('[erased]');
  expect(plaintextsInDataDir(dataDir.path, plaintexts)).toEqual([]);
}, 120_000);
