import { rawHttpRequest } from '../support/http-client';
import { createConnection } from 'node:net';
import { randomUUID } from 'node:crypto';
import { buildReversalAdvice, buildTransferRequest, originalDataElementsOf, transferIdFor } from '../../adapters/iso8583/mapping';
import { RawIsoPeer } from '../integration/iso8583/raw-iso-peer';
import type { Iso8583Message } from '../../adapters/iso8583/message';
import { OperatorClient } from '../../simulators/operator-client';
import { BankHostSimulator } from '../../simulators/bank/bank-host-simulator';
import { WalletSimulator } from '../../simulators/wallet/wallet-simulator';
import { customerIban } from '../support/payment-network';
import { onboardWallet } from '../support/onboard-wallet';
import { spawnSwitch, type SwitchChild } from '../support/switch-process';
import { tempDir } from '../support/temp-dir';
import { waitUntil } from '../support/wait-until';

/**
 * The switch as `npm run serve` runs it with HISAAB_WORKERS=2: two front-end worker processes on the public port
 * and one writer. Real processes, real sockets: the flows of a client, the same answers as one process, and no
 * acknowledged payment lost when a worker or the writer is SIGKILLed.
 */
jest.setTimeout(120_000);

const operatorKey = 'operator-workers-test-key-0123456789';

type Answer = { id: string; status: number; state: string | null };
type Setup = { child: SwitchChild; payerKey: string; operator: OperatorClient };

const directories: { path: string; remove: () => void }[] = [];
const children: SwitchChild[] = [];
const payee = new WalletSimulator({
  participantId: 'RAVI',
  accounts: [{ walletNumber: 'R0001', msisdn: '923002222222', name: 'Chand Bibi', balanceMinor: 0n }],
});
const payer = new WalletSimulator({
  participantId: 'MARGALLA',
  accounts: [{ walletNumber: 'M0001', msisdn: '923001111111', name: 'Ayesha Khan', balanceMinor: 0n }],
});
/** The single-process switch compared with has wallets of its own: each switch signs with its own secrets. */
const singlePayee = new WalletSimulator({
  participantId: 'RAVI',
  accounts: [{ walletNumber: 'R0001', msisdn: '923002222222', name: 'Chand Bibi', balanceMinor: 0n }],
});
const singlePayer = new WalletSimulator({
  participantId: 'MARGALLA',
  accounts: [{ walletNumber: 'M0001', msisdn: '923001111111', name: 'Ayesha Khan', balanceMinor: 0n }],
});
const wallets = [payee, payer, singlePayee, singlePayer];
const bankCustomer = customerIban('INDU', 1);
const bank = new BankHostSimulator({ institutionId: '600001', accounts: [[bankCustomer, 10_000_000n]] });

beforeAll(async () => {
  for (const wallet of wallets) await wallet.start();
});

afterAll(async () => {
  for (const child of children) await child.stop('SIGKILL');
  for (const wallet of wallets) await wallet.close();
  await bank.close();
  for (const directory of directories) directory.remove();
});

async function start(dataDir: string, workers: number): Promise<SwitchChild> {
  const child = await spawnSwitch(
    {
      HISAAB_DATA_DIR: dataDir,
      HISAAB_OPERATOR_KEY: operatorKey,
      HISAAB_PORT: '0',
      HISAAB_PAYEE_DEADLINE_MS: '2000',
      HISAAB_WORKERS: String(workers),
    },
    60_000,
  );
  children.push(child);
  return child;
}

async function startOnboarded(workers: number, payerWallet = payer, payeeWallet = payee): Promise<Setup> {
  const directory = tempDir('hisaab-workers-');
  directories.push(directory);
  const child = await start(directory.path, workers);
  const operator = new OperatorClient(child.url, operatorKey);
  const payerKey = await onboardWallet(operator, payerWallet, { id: 'MARGALLA', msisdn: '923001111111', walletNumber: 'M0001' });
  await onboardWallet(operator, payeeWallet, { id: 'RAVI', msisdn: '923002222222', walletNumber: 'R0001' });
  return { child, payerKey, operator };
}

function transferBody(id: string): Record<string, unknown> {
  return {
    id,
    payer: { type: 'WALLET', value: 'M0001' },
    payee: { type: 'MSISDN', value: '923002222222' },
    amount: '10.00',
    currency: 'PKR',
    purpose: 'P2P',
  };
}

async function call(url: string, method: string, path: string, key: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
}

async function pay(url: string, key: string, id: string): Promise<Answer> {
  try {
    const response = await fetch(`${url}/v1/transfers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(transferBody(id)),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await response.json()) as { state?: string };
    return { id, status: response.status, state: body.state ?? null };
  } catch {
    // The process serving this request died while it was open: no answer, so nothing was acknowledged.
    return { id, status: 0, state: null };
  }
}

/** Values replaced by their type: ids and instants differ between two switches, the shape must not. */
function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shapeOf);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, shapeOf(entry)]));
  return value === null ? null : typeof value;
}

function workerPids(child: SwitchChild): number[] {
  return child.lines
    .filter((line): line is { msg: string; workerPid: number } => (line as { msg?: unknown }).msg === 'front-end worker started')
    .map((line) => line.workerPid);
}

function writerPid(child: SwitchChild): number {
  const line = child.lines.find((entry) => typeof (entry as { writerPid?: unknown }).writerPid === 'number') as { writerPid: number };
  return line.writerPid;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Sends payments from `concurrency` loops until `stop` says so; every answer is kept. */
async function payUntil(
  url: () => string,
  key: string,
  concurrency: number,
  stop: (answers: readonly Answer[]) => boolean,
): Promise<Answer[]> {
  const answers: Answer[] = [];
  const loop = async (): Promise<void> => {
    while (!stop(answers) && answers.length < 3_000) answers.push(await pay(url(), key, randomUUID()));
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return answers;
}

async function expectAcknowledgedThere(url: string, answers: readonly Answer[]): Promise<void> {
  for (const answer of answers.filter((entry) => entry.status === 201)) {
    const found = await call(url, 'GET', `/v1/transfers/${answer.id}`, operatorKey);
    expect({ id: answer.id, status: found.status, state: (found.body as { state?: string }).state }).toEqual({
      id: answer.id,
      status: 200,
      state: answer.state,
    });
  }
}

describe('HISAAB_WORKERS=2', () => {
  it('serves the flows of a client, reads its own writes, and answers as the single-process switch does', async () => {
    const cluster = await startOnboarded(2);
    const single = await startOnboarded(1, singlePayer, singlePayee);
    expect(workerPids(cluster.child)).toHaveLength(2);

    // Transfer, then read it back at once: the writer answers only once the read models show it.
    for (let index = 0; index < 20; index += 1) {
      const id = randomUUID();
      const posted = await call(cluster.child.url, 'POST', '/v1/transfers', cluster.payerKey, transferBody(id));
      expect(posted).toMatchObject({ status: 201, body: { id, state: 'COMMITTED' } });
      const read = await call(cluster.child.url, 'GET', `/v1/transfers/${id}`, cluster.payerKey);
      expect(read).toEqual({ status: 200, body: posted.body });
      const listed = await call(cluster.child.url, 'GET', '/v1/transfers?limit=100', cluster.payerKey);
      expect((listed.body as { transfers: { id: string }[] }).transfers.map((transfer) => transfer.id)).toContain(id);
    }
    const batch = await call(cluster.child.url, 'POST', '/v1/transfers/batch', cluster.payerKey, {
      transfers: [transferBody(randomUUID()), { id: 'not-a-uuid' }],
    });
    expect(batch).toMatchObject({ status: 200, body: { results: [{ outcome: 'TRANSFER', state: 'COMMITTED' }, { outcome: 'ERROR' }] } });
    expect(payee.balanceOf('R0001')).toBeGreaterThan(0n);

    // A bank host's 0200 over ISO 8583 (served by a worker), read back through a worker.
    const bankAddress = await bank.start();
    await cluster.operator.onboard({
      id: 'INDUS',
      name: 'Indus Bank',
      type: 'BANK',
      bankCode: 'INDU',
      netDebitCap: '1000000.00',
      endpoints: { iso8583: `127.0.0.1:${bankAddress.port}`, institutionId: '600001' },
    });
    const iso8583Line = cluster.child.lines.find((line) => (line as { msg?: unknown }).msg === 'iso8583 server listening') as {
      port: number;
    };
    expect(await bank.connectToSwitch({ host: '127.0.0.1', port: iso8583Line.port, readyTimeoutMs: 5_000 })).toBe(true);
    const sent = await bank.sendTransfer({ payerAccount: bankCustomer, payee: '923002222222', amountMinor: 150_050n, timeoutMs: 5_000 });
    expect(sent.status).toBe('approved');
    if (sent.status !== 'approved') return;
    const fromBank = await call(cluster.child.url, 'GET', `/v1/transfers/${sent.transferId}`, operatorKey);
    expect(fromBank).toMatchObject({ status: 200, body: { state: 'COMMITTED', payerParticipant: 'INDUS', amount: '1500.50' } });

    // The same requests on both switches: the same status and the same body shape.
    const repeatedId = randomUUID();
    const samples: [string, string, string, unknown?][] = [
      ['POST', '/v1/transfers', cluster.payerKey, transferBody(repeatedId)],
      ['POST', '/v1/transfers', cluster.payerKey, transferBody(repeatedId)],
      ['GET', `/v1/transfers/${repeatedId}`, cluster.payerKey],
      ['GET', `/v1/transfers/${randomUUID()}`, cluster.payerKey],
      ['POST', '/v1/transfers', cluster.payerKey, { ...transferBody(randomUUID()), amount: '-1' }],
      ['POST', '/v1/transfers', operatorKey, transferBody(randomUUID())],
      ['POST', '/v1/transfers', 'wrong-key', transferBody(randomUUID())],
      ['PUT', '/v1/transfers', cluster.payerKey],
      ['GET', '/v1/transfers/batch', cluster.payerKey],
      ['GET', '/v1/participants/MARGALLA', operatorKey],
      ['GET', '/v1/parties/MSISDN/923002222222', cluster.payerKey],
      ['GET', '/v1/no-such-route', operatorKey],
    ];
    for (const [method, path, key, body] of samples) {
      const singleKey = key === cluster.payerKey ? single.payerKey : key;
      const fromCluster = await call(cluster.child.url, method, path, key, body);
      const fromSingle = await call(single.child.url, method, path, singleKey, body);
      expect({ method, path, status: fromCluster.status, shape: shapeOf(fromCluster.body) }).toEqual({
        method,
        path,
        status: fromSingle.status,
        shape: shapeOf(fromSingle.body),
      });
    }
    // Two Authorization headers are refused alike, on a route a worker serves and on one it forwards to the writer.
    for (const path of ['/v1/transfers', '/v1/participants/MARGALLA']) {
      const answers = await Promise.all(
        [cluster.child.url, single.child.url].map(async (url) => {
          const answer = await rawHttpRequest(url, 'GET', path, {
            headers: { authorization: `Bearer ${operatorKey}` },
          });
          return answer.status;
        }),
      );
      expect(answers).toEqual([200, 200]);
      const doubled = await Promise.all([cluster.child.url, single.child.url].map((url) => twoAuthorizations(url, path)));
      expect({ path, doubled }).toEqual({ path, doubled: ['400 BAD_REQUEST', '400 BAD_REQUEST'] });
    }
    expect(await cluster.child.stop('SIGTERM')).toBe(0);
    expect(await single.child.stop('SIGTERM')).toBe(0);
  });

  it('commits an ISO 8583 0200 in a worker, and answers its repeat on another connection identically with one credit', async () => {
    const { child, operator } = await startOnboarded(2);
    await onboardPayerBank(operator);
    const listening = child.lines.find((line) => (line as { msg?: unknown }).msg === 'listening') as { iso8583Port: number };
    // The writer does not listen for banks: the workers do, sharing the port.
    expect(child.lines.filter((line) => (line as { msg?: unknown }).msg === 'iso8583 server listening')).toHaveLength(2);
    const message = buildTransferRequest({
      systemTraceAuditNumber: '004711',
      transmissionDateTime: '1203081530',
      localTime: '131530',
      localDate: '1203',
      acquirerInstitutionId: '600002',
      retrievalReferenceNumber: '533210004711',
      terminalId: 'RAWPEER1',
      processingCode: '400000',
      amountMinor: 25_000n,
      currency: 'PKR',
      payerAccount: customerIban('INDU', 7),
      payeeAccount: '923002222222',
    });
    const creditedBefore = payee.balanceOf('R0001');
    const answers = [];
    // Two connections, handed round-robin to the two workers: the repeat is answered from the record, wherever it lands.
    for (const stan of ['000001', '000002']) {
      answers.push(await signOnAndExchange(listening.iso8583Port, { stan, transmissionDateTime: '1203081530' }, message));
    }
    const [first, second] = answers;
    expect(first).toMatchObject({ mti: '0210', fields: { 39: '00', 11: '004711', 37: '533210004711' } });
    expect(second?.fields).toEqual(first?.fields);
    expect(payee.balanceOf('R0001') - creditedBefore).toBe(25_000n);
    const id = transferIdFor({
      acquirerInstitutionId: '600002',
      retrievalReferenceNumber: '533210004711',
      systemTraceAuditNumber: '004711',
      transmissionDateTime: '1203081530',
    });
    const found = await call(child.url, 'GET', `/v1/transfers/${id}`, operatorKey);
    expect(found).toMatchObject({ status: 200, body: { state: 'COMMITTED', payerParticipant: 'INDUS', amount: '250.00' } });
    expect(await child.stop('SIGTERM')).toBe(0);
  });

  it('reverses a P2P transfer on its bank’s 0420 in a worker, and answers the 0421 on another connection 00 again', async () => {
    const { child, operator } = await startOnboarded(2);
    await onboardPayerBank(operator);
    const listening = child.lines.find((line) => (line as { msg?: unknown }).msg === 'listening') as { iso8583Port: number };
    const positionOf = async (participantId: string): Promise<string> =>
      ((await call(child.url, 'GET', `/v1/participants/${participantId}`, operatorKey)).body as { position: string }).position;
    const before = [await positionOf('INDUS'), await positionOf('RAVI')];
    const original = buildTransferRequest({
      systemTraceAuditNumber: '004811',
      transmissionDateTime: '1203091530',
      localTime: '141530',
      localDate: '1203',
      acquirerInstitutionId: '600002',
      retrievalReferenceNumber: '533210004811',
      terminalId: 'RAWPEER1',
      processingCode: '400000',
      amountMinor: 30_000n,
      currency: 'PKR',
      payerAccount: customerIban('INDU', 7),
      payeeAccount: '923002222222',
    });
    const reversal = buildReversalAdvice({
      systemTraceAuditNumber: '004812',
      transmissionDateTime: '1203091600',
      acquirerInstitutionId: '600002',
      retrievalReferenceNumber: '533210004812',
      terminalId: 'RAWPEER1',
      processingCode: '400000',
      amountMinor: 30_000n,
      currency: 'PKR',
      original: originalDataElementsOf(original),
    });
    const answers = [];
    // The 0200, then the 0420 and its repeat, each on a connection of its own: handed round-robin to the workers.
    for (const [stan, message] of [
      ['000011', original],
      ['000012', reversal],
      ['000013', { ...reversal, mti: '0421' }],
    ] as const) {
      answers.push(await signOnAndExchange(listening.iso8583Port, { stan, transmissionDateTime: '1203091530' }, message));
    }
    expect(answers.map((answer) => [answer.mti, answer.fields[39]])).toEqual([
      ['0210', '00'],
      ['0430', '00'],
      ['0430', '00'],
    ]);
    const id = transferIdFor({
      acquirerInstitutionId: '600002',
      retrievalReferenceNumber: '533210004811',
      systemTraceAuditNumber: '004811',
      transmissionDateTime: '1203091530',
    });
    const found = await call(child.url, 'GET', `/v1/transfers/${id}`, operatorKey);
    expect(found).toMatchObject({ status: 200, body: { state: 'COMMITTED', reversed: true } });
    expect([await positionOf('INDUS'), await positionOf('RAVI')]).toEqual(before);
    expect(await child.stop('SIGTERM')).toBe(0);
  });

  it('loses no acknowledged transfer when a worker is SIGKILLed under load, and starts another worker', async () => {
    const { child, payerKey } = await startOnboarded(2);
    const [victim] = workerPids(child);
    if (victim === undefined) throw new Error('no worker pid logged');
    let killed = false;
    const answers = await payUntil(
      () => child.url,
      payerKey,
      12,
      (sofar) => {
        if (!killed && sofar.filter((answer) => answer.status === 201).length >= 40) {
          killed = true;
          process.kill(victim, 'SIGKILL');
        }
        // Keep paying after the kill: the surviving worker and the new one serve the rest.
        return killed && sofar.filter((answer) => answer.status === 201).length >= 120;
      },
    );
    await waitUntil(() => workerPids(child).length === 3, 'the writer has started a worker in place of the killed one', 20_000);
    expect(alive(victim)).toBe(false);
    // The killed worker was serving payments: the kill cut real traffic, not an idle process.
    expect(
      child.lines.some(
        (line) => (line as { workerPid?: unknown; msg?: unknown }).workerPid === victim && (line as { msg?: unknown }).msg === 'request',
      ),
    ).toBe(true);
    expect(answers.filter((answer) => answer.status === 201).length).toBeGreaterThanOrEqual(120);
    await expectAcknowledgedThere(child.url, answers);
    // The payments the dead worker was running are not left half-done: what it recorded, the writer's sweeper
    // finishes once the payee deadline and its grace have passed (nothing it did not record exists).
    const cut = answers.filter((answer) => answer.status === 0);
    expect(cut.length).toBeGreaterThan(0);
    const stateOf = async (id: string): Promise<string | null> => {
      const found = await call(child.url, 'GET', `/v1/transfers/${id}`, operatorKey);
      return found.status === 404 ? null : ((found.body as { state?: string }).state ?? 'unreadable');
    };
    await waitUntil(
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 500));
        return (await Promise.all(cut.map((answer) => stateOf(answer.id)))).every((state) => state !== 'IN_FLIGHT');
      },
      'every payment cut by the kill is finished or was never recorded',
      60_000,
    );
    expect(await child.stop('SIGTERM')).toBe(0);
  });

  it('loses no acknowledged transfer when the writer is SIGKILLed: its workers exit, and a restart has every one', async () => {
    const directory = tempDir('hisaab-workers-');
    directories.push(directory);
    let child = await start(directory.path, 2);
    const operator = new OperatorClient(child.url, operatorKey);
    const payerKey = await onboardWallet(operator, payer, { id: 'MARGALLA', msisdn: '923001111111', walletNumber: 'M0001' });
    await onboardWallet(operator, payee, { id: 'RAVI', msisdn: '923002222222', walletNumber: 'R0001' });
    const workers = workerPids(child);
    let killed = false;
    const answers = await payUntil(
      () => child.url,
      payerKey,
      12,
      (sofar) => {
        if (!killed && sofar.filter((answer) => answer.status === 201).length >= 60) {
          killed = true;
          process.kill(writerPid(child), 'SIGKILL');
        }
        return killed;
      },
    );
    // The workers notice their channel closed and exit: nothing keeps serving without a writer.
    await waitUntil(() => workers.every((pid) => !alive(pid)), 'the workers of the killed writer have exited', 20_000);
    expect(answers.filter((answer) => answer.status === 201).length).toBeGreaterThanOrEqual(60);
    await child.stop('SIGKILL');
    child = await start(directory.path, 2);
    await expectAcknowledgedThere(child.url, answers);
    for (const answer of answers) {
      const found = await call(child.url, 'GET', `/v1/transfers/${answer.id}`, operatorKey);
      expect([200, 404]).toContain(found.status);
      expect((found.body as { state?: string }).state).not.toBe('IN_FLIGHT');
    }
    expect(await child.stop('SIGTERM')).toBe(0);
  });
});

/** A GET with two Authorization headers, written as raw bytes, answered as "status code". */
/** The bank INDUS (institution 600002), paying from the host its raw peers connect from; it is never called back. */
async function onboardPayerBank(operator: OperatorClient): Promise<void> {
  await operator.onboard({
    id: 'INDUS',
    name: 'Indus Bank',
    type: 'BANK',
    bankCode: 'INDU',
    netDebitCap: '1000000.00',
    endpoints: { iso8583: '127.0.0.1:9', institutionId: '600002' },
  });
}

/**
 * Sends `message` on a connection of its own after INDUS signs on there: each connection is handed to the next worker
 * in turn, so messages sent this way one after another land on different workers.
 */
async function signOnAndExchange(
  iso8583Port: number,
  signOn: { stan: string; transmissionDateTime: string },
  message: Iso8583Message,
): Promise<Iso8583Message> {
  const peer = await RawIsoPeer.connect(iso8583Port);
  try {
    const signedOn = await peer.exchange({
      mti: '0800',
      fields: { 7: signOn.transmissionDateTime, 11: signOn.stan, 32: '600002', 41: 'RAWPEER1', 70: '001' },
    });
    expect(signedOn.fields[39]).toBe('00');
    return await peer.exchange(message, 10_000);
  } finally {
    peer.destroy();
  }
}

function twoAuthorizations(url: string, path: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: hostname, port: Number(port) }, () =>
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${operatorKey}\r\nAuthorization: Bearer ${operatorKey}\r\nConnection: close\r\n\r\n`,
      ),
    );
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = Buffer.concat(chunks).toString('utf8').split('\r\n\r\n');
      const code = /"code":"([A-Z_]+)"/.exec(body)?.[1] ?? '';
      resolve(`${head.split(' ')[1] ?? ''} ${code}`);
    });
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
  });
}
