import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { exportJWK, FlattenedSign, generateKeyPair } from 'jose';
import { ibanWithCheckDigits } from '../../core/directory/iban';
import { onboardMerchant, sessionBody } from '../support/gateway';
import { firstSigningSecret, OperatorClient } from '../../simulators/operator-client';
import { WalletSimulator } from '../../simulators/wallet/wallet-simulator';
import { errorCode, HttpClient } from '../support/http-client';
import { spawnSwitch, testOperatorKey, type SwitchChild } from '../support/switch-process';
import { tempDir } from '../support/temp-dir';
import { waitUntil } from '../support/wait-until';
import { plaintextsInDataDir } from '../support/data-dir-plaintexts';

/**
 * Issue 15.4 and 15.6, end to end against the real switch process on a temp data dir, over HTTP: a customer's
 * mobile number, name, IBAN and wallet number are in no file of the data dir in plain text at any time (databases,
 * write-ahead logs, shared memory, snapshots); every view shows them before the erasure; after it none does, a
 * rebuild of the read models included, while amounts, positions and the ledger's invariants (npm run verify) hold.
 */
const run = promisify(execFile);
const repositoryRoot = join(__dirname, '..', '..');

// Distinctive values: none of them can appear in a file by chance.
const payee = { msisdn: '923457310862', name: 'Zarmeena Qadeer-Tiwana', walletNumber: 'RAVIW7310862' };
const payer = { msisdn: '923459148073', name: 'Parveen Shakir-Lodhi' };
const payerIban = ibanWithCheckDigits('PK', 'MRGL', '0000007318264519');
const ibanHolderName = 'Gulnaz Ferozepuri';
// Two more aliases that point at accounts: erasing the account removes them (a CNIC at the payee's wallet, an
// MSISDN at an IBAN).
const walletAlias = { cnic: '3520279146385', name: 'Zarmeena Q. Tiwana' };
const ibanAlias = { msisdn: '923457719934', iban: ibanWithCheckDigits('PK', 'RAVI', '0000004419275836'), name: 'Shaista Malik-Awan' };
// Free text the payer writes: a transfer's note and a dispute's description are sealed under the payer.
const note = 'rent share for Khadija Rangoonwala';
const disputeDescription = 'Mehrunnisa Dahlvi was charged twice';
const plaintexts = [
  note,
  disputeDescription,
  walletAlias.cnic,
  walletAlias.name,
  ibanAlias.msisdn,
  ibanAlias.name,
  ibanAlias.iban,
  ibanAlias.iban.slice(4),
  payee.msisdn,
  payee.msisdn.slice(2),
  payee.name,
  payee.walletNumber,
  payer.msisdn,
  payer.msisdn.slice(2),
  payer.name,
  payerIban,
  payerIban.slice(4),
  ibanHolderName,
];

let dataDir: { path: string; remove: () => void };
let sw: SwitchChild;
let client: HttpClient;
const wallets: WalletSimulator[] = [];
let margallaKey: string;
let raviKey: string;

function environment(): Record<string, string> {
  return { HISAAB_PORT: '0', HISAAB_DATA_DIR: dataDir.path, HISAAB_OPERATOR_KEY: testOperatorKey, HISAAB_LOG_LEVEL: 'info' };
}

async function startWallet(participantId: string, accounts: ConstructorParameters<typeof WalletSimulator>[0]['accounts']) {
  const wallet = new WalletSimulator({ participantId, accounts });
  await wallet.start();
  wallets.push(wallet);
  return wallet;
}

async function onboard(operator: OperatorClient, id: string, wallet: WalletSimulator, creditMode: 'REQUEST' | 'ADVICE'): Promise<string> {
  await operator.onboard({
    creditMode,
    id,
    name: `${id} Wallet`,
    type: 'WALLET',
    bankCode: id.slice(0, 4),
    netDebitCap: '1000000.00',
    endpoints: wallet.endpoints,
  });
  const key = await operator.issueKey(id);
  wallet.setSigningSecret(firstSigningSecret(id, key));
  return key.key;
}

async function pay(payerParty: Record<string, string>, amount: string, extra: Record<string, string> = {}): Promise<string> {
  const id = randomUUID();
  const answer = await client.post('/v1/transfers', {
    key: margallaKey,
    body: { id, payer: payerParty, payee: { type: 'MSISDN', value: payee.msisdn }, amount, currency: 'PKR', purpose: 'P2P', ...extra },
  });
  expect({ status: answer.status, state: (answer.body as { state?: string }).state }).toEqual({ status: 201, state: 'COMMITTED' });
  return id;
}

async function operatorGet(path: string): Promise<unknown> {
  const answer = await client.get(path, { key: testOperatorKey });
  expect({ path, status: answer.status }).toEqual({ path, status: 200 });
  return answer.body;
}

type TransferShown = {
  amount: string;
  payer: { value: string; name?: string };
  payee: { value: string };
  state: string;
  note: string | null;
};

async function transferShown(id: string): Promise<TransferShown> {
  return (await operatorGet(`/v1/transfers/${id}`)) as TransferShown;
}

async function positions(): Promise<Record<string, string>> {
  const shown: Record<string, string> = {};
  for (const id of ['MARGALLA', 'RAVI']) shown[id] = ((await operatorGet(`/v1/participants/${id}`)) as { position: string }).position;
  return shown;
}

async function erase(type: string, value: string): Promise<{ status: number; body: unknown }> {
  const answer = await client.post('/v1/data-subjects/erase', { key: testOperatorKey, body: { type, value } });
  return { status: answer.status, body: answer.body };
}

async function script(...argv: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', ...argv], { cwd: repositoryRoot, timeout: 60_000 });
  return stdout;
}

/**
 * Scans the data dir every 25 ms from start to end, so that a plaintext written and later overwritten (a WAL frame
 * before a checkpoint, a row before an update) is caught too, not only what the files hold between steps.
 */
const foundWhileRunning = new Set<string>();
let scanner: NodeJS.Timeout | undefined;

let byMsisdn: string;
let byIban: string;
let bySignedRequest: string;
let positionsBefore: Record<string, string>;

beforeAll(async () => {
  dataDir = tempDir('hisaab-erasure-');
  scanner = setInterval(() => {
    try {
      for (const found of plaintextsInDataDir(dataDir.path, plaintexts)) foundWhileRunning.add(found);
    } catch {
      // A file removed between listing and reading (SQLite's -journal): the next scan sees what replaced it.
    }
  }, 25);
  sw = await spawnSwitch(environment(), 30_000);
  client = new HttpClient(sw.url);
  const operator = new OperatorClient(sw.url, testOperatorKey);
  const margalla = await startWallet('MARGALLA', [
    { walletNumber: 'MRGLW0001', msisdn: payer.msisdn, name: payer.name, balanceMinor: 10_000_000n },
  ]);
  const ravi = await startWallet('RAVI', [{ walletNumber: payee.walletNumber, msisdn: payee.msisdn, name: payee.name, balanceMinor: 0n }]);
  margallaKey = await onboard(operator, 'MARGALLA', margalla, 'REQUEST');
  // RAVI takes credit advices: the payee's account and the payer's name then sit in the outbox's deliveries too.
  raviKey = await onboard(operator, 'RAVI', ravi, 'ADVICE');
  await operator.registerAlias(raviKey, {
    type: 'MSISDN',
    value: payee.msisdn,
    account: { type: 'WALLET', value: payee.walletNumber },
    name: payee.name,
  });
  await operator.registerAlias(raviKey, {
    type: 'CNIC',
    value: walletAlias.cnic,
    account: { type: 'WALLET', value: payee.walletNumber },
    name: walletAlias.name,
  });
  await operator.registerAlias(raviKey, {
    type: 'MSISDN',
    value: ibanAlias.msisdn,
    account: { type: 'IBAN', value: ibanAlias.iban },
    name: ibanAlias.name,
  });
  expect(plaintextsInDataDir(dataDir.path, plaintexts)).toEqual([]);
  byMsisdn = await pay({ type: 'MSISDN', value: payer.msisdn, name: payer.name }, '250.00', { note });
  byIban = await pay({ type: 'IBAN', value: payerIban, name: ibanHolderName }, '125.50');
  // The same payment again, claimed as a DUPLICATE: the dispute keeps the payer's number, and its chargeback credits
  // it back through MARGALLA's outbox (the rule finds the first payment among sealed rows).
  const duplicate = await pay({ type: 'MSISDN', value: payer.msisdn, name: payer.name }, '250.00');
  const dispute = await client.post('/v1/disputes', {
    key: margallaKey,
    headers: { 'idempotency-key': randomUUID() },
    body: { transferId: duplicate, category: 'DUPLICATE', amount: '250.00', description: disputeDescription },
  });
  expect({ status: dispute.status, body: dispute.body }).toMatchObject({ status: 201, body: { state: 'RESOLVED', outcome: 'CLAIMANT' } });
  const chargeback = (dispute.body as { chargebackTransferId: string }).chargebackTransferId;
  await waitUntil(
    () => margalla.received('CREDIT_ADVICE').some((message) => message.transferId === chargeback),
    'the chargeback credits the payer',
    15_000,
  );
  await waitUntil(() => ravi.received('CREDIT_ADVICE').length === 3, 'RAVI is advised of the three payments', 15_000);
  await checkoutRequestToPayAndRefund(margalla, ravi);
  bySignedRequest = await signedPayment();
  expect(plaintextsInDataDir(dataDir.path, plaintexts)).toEqual([]);
  positionsBefore = await positions();
}, 90_000);

/**
 * A merchant's checkout paid by a request to pay to the payee's mobile number (typed into the pay page, approved by
 * RAVI's wallet with a P2M transfer from the payee's wallet number and name), then refunded in part to that wallet
 * through RAVI's advices: the session, the request to pay, the payment and the refund all name the customer.
 */
async function checkoutRequestToPayAndRefund(margalla: WalletSimulator, ravi: WalletSimulator): Promise<void> {
  ravi.connectToSwitch(sw.url, raviKey);
  const shop = await onboardMerchant(client, testOperatorKey, 'SHOP1', 'MARGALLA');
  margalla.accounts.add({ walletNumber: 'WSHOP1', name: 'SHOP1 Store', balanceMinor: 0n });
  const session = await client.post('/v1/checkout/sessions', {
    key: shop.apiKey,
    body: sessionBody({ amount: '200.00' }),
    headers: { 'idempotency-key': randomUUID() },
  });
  expect(session.status).toBe(201);
  const sessionId = (session.body as { id: string }).id;
  const submitted = await fetch(`${sw.url}/pay/${sessionId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ msisdn: `0${payee.msisdn.slice(2)}` }).toString(),
    redirect: 'manual',
  });
  expect(submitted.status).toBe(303);
  let paid: { status: string; transferId: string | null } = { status: 'OPEN', transferId: null };
  await waitUntil(
    async () => {
      paid = (await client.get(`/v1/checkout/sessions/${sessionId}`, { key: shop.apiKey })).body as typeof paid;
      return paid.status === 'COMPLETED';
    },
    'the request to pay is approved and the session paid',
    15_000,
  );
  const advicesBefore = ravi.received('CREDIT_ADVICE').length;
  const refund = await client.post('/v1/refunds', {
    key: shop.apiKey,
    body: { sessionId, amount: '80.00', reason: 'one item returned' },
    headers: { 'idempotency-key': randomUUID() },
  });
  expect({ status: refund.status, refundStatus: (refund.body as { status: string }).status }).toEqual({
    status: 201,
    refundStatus: 'SUCCEEDED',
  });
  await waitUntil(() => ravi.received('CREDIT_ADVICE').length > advicesBefore, 'RAVI is advised of the refund', 15_000);
}

/** MARGALLA signs its writes from now on; one payment from the MSISDN payer is kept as a signed request. */
async function signedPayment(): Promise<string> {
  const pair = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const registered = await client.post('/v1/participants/MARGALLA/signing-keys', {
    key: margallaKey,
    body: { alg: 'EdDSA', publicKey: await exportJWK(pair.publicKey) },
  });
  expect(registered.status).toBe(201);
  const kid = (registered.body as { kid: string }).kid;
  await client.patch('/v1/participants/MARGALLA', { key: testOperatorKey, body: { requireSignedRequests: true } });
  const id = randomUUID();
  const body = JSON.stringify({
    id,
    payer: { type: 'MSISDN', value: payer.msisdn, name: payer.name },
    payee: { type: 'MSISDN', value: payee.msisdn },
    amount: '40.00',
    currency: 'PKR',
    purpose: 'P2P',
    note,
  });
  const jws = await new FlattenedSign(Buffer.from(body, 'utf8'))
    .setProtectedHeader({ alg: 'EdDSA', kid, htm: 'POST', htu: '/v1/transfers', iat: Math.floor(Date.now() / 1000), jti: randomUUID() })
    .sign(pair.privateKey);
  const answer = await client.post('/v1/transfers', {
    key: margallaKey,
    rawBody: body,
    headers: { 'hisaab-jws': `${jws.protected}..${jws.signature}` },
  });
  expect(answer.status).toBe(201);
  await client.patch('/v1/participants/MARGALLA', { key: testOperatorKey, body: { requireSignedRequests: false } });
  return id;
}

type EvidenceShown = { signedRequests: { jws: { payload: string }; bodyErased: boolean }[] };

afterAll(async () => {
  clearInterval(scanner);
  await sw?.stop();
  for (const wallet of wallets) await wallet.close();
  dataDir?.remove();
});

describe('personal data is sealed per data subject and can be erased', () => {
  it('shows every value in the views before the erasure, with none of them in any file of the data dir', async () => {
    expect(await transferShown(byMsisdn)).toMatchObject({
      amount: '250.00',
      payer: { value: payer.msisdn, name: payer.name },
      payee: { value: payee.msisdn },
      note,
    });
    expect(await transferShown(byIban)).toMatchObject({ amount: '125.50', payer: { value: payerIban, name: ibanHolderName } });
    const party = await client.get(`/v1/parties/MSISDN/${payee.msisdn}`, { key: margallaKey });
    expect({ status: party.status, body: party.body }).toMatchObject({ status: 200, body: { participant: 'RAVI' } });
    const listed = JSON.stringify(await operatorGet('/v1/transfers'));
    for (const plaintext of [payee.msisdn, payer.msisdn, payer.name, payerIban, ibanHolderName]) expect(listed).toContain(plaintext);
    const evidence = (await operatorGet(`/v1/transfers/${bySignedRequest}/evidence`)) as EvidenceShown;
    expect(Buffer.from(evidence.signedRequests[0]?.jws.payload ?? '', 'base64url').toString('utf8')).toContain(payer.name);
    expect(plaintextsInDataDir(dataDir.path, plaintexts)).toEqual([]);
  });

  it('refuses bad input with a code and changes nothing; only the operator may erase', async () => {
    expect(errorCode(await client.post('/v1/data-subjects/erase', { key: testOperatorKey, body: { type: 'EMAIL', value: 'x' } }))).toBe(
      'VALIDATION_FAILED',
    );
    const malformed = await erase('MSISDN', '0300123');
    expect({ status: malformed.status, code: (malformed.body as { error: { code: string } }).error.code }).toEqual({
      status: 400,
      code: 'INVALID_DATA_SUBJECT',
    });
    const byParticipant = await client.post('/v1/data-subjects/erase', { key: margallaKey, body: { type: 'MSISDN', value: payee.msisdn } });
    expect(byParticipant.status).toBe(403);
    expect((await transferShown(byMsisdn)).payee.value).toBe(payee.msisdn);
  });

  it('erases the payee and the payer: no view shows them, the alias no longer resolves, amounts and positions stay', async () => {
    expect(await erase('MSISDN', payee.msisdn)).toEqual({ status: 200, body: { erased: true, keysDestroyed: 1, aliasRemoved: true } });
    expect(await erase('MSISDN', payer.msisdn)).toEqual({ status: 200, body: { erased: true, keysDestroyed: 1, aliasRemoved: false } });
    // Idempotent, and a subject never seen is erased too: nothing to destroy.
    expect(await erase('MSISDN', payee.msisdn)).toEqual({ status: 200, body: { erased: true, keysDestroyed: 0, aliasRemoved: false } });
    expect(await erase('CNIC', '35202-1234567-1')).toEqual({ status: 200, body: { erased: true, keysDestroyed: 0, aliasRemoved: false } });

    expect(await transferShown(byMsisdn)).toMatchObject({
      amount: '250.00',
      state: 'COMMITTED',
      payer: { value: '[erased]', name: '[erased]' },
      payee: { value: '[erased]' },
      note: '[erased]',
    });
    // The IBAN is a subject of its own, not erased yet.
    expect((await transferShown(byIban)).payer).toMatchObject({ value: payerIban, name: ibanHolderName });
    const party = await client.get(`/v1/parties/MSISDN/${payee.msisdn}`, { key: margallaKey });
    expect({ status: party.status, code: errorCode(party) }).toEqual({ status: 404, code: 'PARTY_NOT_FOUND' });
    const evidence = (await operatorGet(`/v1/transfers/${bySignedRequest}/evidence`)) as EvidenceShown;
    expect(evidence.signedRequests[0]).toMatchObject({ jws: { payload: '[erased]' }, bodyErased: true });
    expect(await positions()).toEqual(positionsBefore);

    expect(await erase('IBAN', payerIban.replace(/(.{4})/g, '$1 ').trim())).toEqual({
      status: 200,
      body: { erased: true, keysDestroyed: 1, aliasRemoved: false },
    });
    expect((await transferShown(byIban)).payer).toMatchObject({ value: '[erased]', name: '[erased]' });
    // The request to pay was approved from the payee's wallet number, a subject of its own (erased next), with its name.
    const listed = JSON.stringify(await operatorGet('/v1/transfers'));
    for (const plaintext of plaintexts.filter((text) => text !== payee.walletNumber && text !== payee.name))
      expect(listed).not.toContain(plaintext);
    expect(listed).toContain(payee.walletNumber);
    expect(plaintextsInDataDir(dataDir.path, plaintexts)).toEqual([]);
  });

  it('erasing an account or an IBAN removes every alias that points at it: lookups stop resolving', async () => {
    const lookup = async (type: string, value: string): Promise<number> =>
      (await client.get(`/v1/parties/${type}/${value}`, { key: margallaKey })).status;
    expect([await lookup('CNIC', walletAlias.cnic), await lookup('MSISDN', ibanAlias.msisdn)]).toEqual([200, 200]);
    expect(await erase('ACCOUNT', payee.walletNumber)).toEqual({
      status: 200,
      body: { erased: true, keysDestroyed: 1, aliasRemoved: true },
    });
    expect(await lookup('CNIC', walletAlias.cnic)).toBe(404);
    expect(await lookup('MSISDN', ibanAlias.msisdn)).toBe(200);
    expect(await erase('IBAN', ibanAlias.iban)).toEqual({ status: 200, body: { erased: true, keysDestroyed: 1, aliasRemoved: true } });
    expect(await lookup('MSISDN', ibanAlias.msisdn)).toBe(404);
    // Again: nothing left to remove.
    expect(await erase('IBAN', ibanAlias.iban)).toEqual({ status: 200, body: { erased: true, keysDestroyed: 0, aliasRemoved: false } });
    expect(await positions()).toEqual(positionsBefore);
    // The checkout payment and its refund named the wallet number: no view shows anything of anyone now.
    const listed = JSON.stringify(await operatorGet('/v1/transfers'));
    for (const plaintext of plaintexts) expect(listed).not.toContain(plaintext);
  });

  it('keeps them erased through a restart and a rebuild of the read models, and verify passes', async () => {
    const firstRunLines = sw.lines;
    expect(await sw.stop()).toBe(0);
    for (const projection of ['transfers', 'directory'])
      await script('scripts/rebuild-projection.ts', projection, '--data-dir', dataDir.path);
    expect(await script('scripts/verify.ts', '--data-dir', dataDir.path)).toContain('every invariant holds');
    sw = await spawnSwitch(environment(), 30_000);
    client = new HttpClient(sw.url);
    expect(await transferShown(byMsisdn)).toMatchObject({
      amount: '250.00',
      payer: { value: '[erased]', name: '[erased]' },
      payee: { value: '[erased]' },
    });
    expect((await transferShown(byIban)).payer).toMatchObject({ value: '[erased]', name: '[erased]' });
    for (const [type, value] of [
      ['MSISDN', payee.msisdn],
      ['CNIC', walletAlias.cnic],
      ['MSISDN', ibanAlias.msisdn],
    ])
      expect((await client.get(`/v1/parties/${type}/${value}`, { key: margallaKey })).status).toBe(404);
    expect(await positions()).toEqual(positionsBefore);
    const logged = [...firstRunLines, ...sw.lines].map((line) => JSON.stringify(line)).join('\n');
    for (const plaintext of plaintexts) expect(logged).not.toContain(plaintext);
    expect(plaintextsInDataDir(dataDir.path, plaintexts)).toEqual([]);
    expect([...foundWhileRunning]).toEqual([]);
  });
});
