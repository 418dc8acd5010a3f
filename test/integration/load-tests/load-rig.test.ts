/**
 * The load-test rig's own parts, without k6 (its build takes minutes, so `npm test` does not run it): the
 * request transfers.k6.js sends and the checks it counts (transfer-request.js, the very module k6 loads)
 * against the real reference server and the real switch seeded by the runner, the seed file, and the reading of
 * a summary k6 v1.8.1 wrote. If any of these drift, `npm run load:transfers` would measure nonsense; this
 * fails first.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '../../../api/logger';
import { transferBatchSchema, transferRequestSchema } from '../../../api/schemas/transfer-schemas';
import { figuresOfSummary } from '../../../load-tests/k6-summary';
import { spawnedSwitch, startLoadNetwork, type LoadNetwork } from '../../../load-tests/load-network';
import { readLoadSeed, writeLoadSeed, type LoadSeed } from '../../../load-tests/load-seed';
import { referenceTransferBody, startReferenceServer, type ReferenceServer } from '../../../load-tests/reference-server';
import {
  assertLoopbackBaseUrl,
  batchCommittedCount,
  batchRequest,
  lookupSucceeded,
  transferLookup,
  transferChecks,
  transferRequest,
  transferSucceeded,
  type LoadPair,
} from '../../../load-tests/transfer-request';
import { tempDir } from '../../support/temp-dir';

type Answer = { status: number; bodyText: string };

/** Sends the request exactly as transfers.k6.js builds it. */
async function sendAsK6Does(baseUrl: string, pair: LoadPair): Promise<Answer & { id: string }> {
  const id = randomUUID();
  const request = transferRequest(baseUrl, pair, id);
  const response = await fetch(request.url, {
    method: 'POST',
    headers: request.headers,
    body: request.body,
    signal: AbortSignal.timeout(10_000),
  });
  return { id, status: response.status, bodyText: await response.text() };
}

function failedChecks(answer: Answer): string[] {
  return Object.entries(transferChecks)
    .filter(([, passes]) => !passes(answer.status, answer.bodyText))
    .map(([name]) => name);
}

const samplePair: LoadPair = {
  participantKey: 'reference-key',
  payer: { type: 'WALLET', value: 'LDAA000001', name: 'Load Payer A' },
  payee: { type: 'MSISDN', value: '923100000002' },
};

describe('the request the k6 script sends', () => {
  it('is a body the switch accepts: a fresh uuid, decimal-string amount, the pair as payer and payee', () => {
    const id = randomUUID();
    const request = transferRequest('http://127.0.0.1:8080', samplePair, id);
    expect(request.url).toBe('http://127.0.0.1:8080/v1/transfers');
    expect(request.headers.authorization).toBe('Bearer reference-key');
    const body = transferRequestSchema.parse(JSON.parse(request.body));
    expect(body).toEqual({ id, payer: samplePair.payer, payee: samplePair.payee, amount: '1.00', currency: 'PKR', purpose: 'P2P' });
  });

  it('goes only to 127.0.0.1', () => {
    for (const baseUrl of [
      'http://localhost:8080',
      'http://10.0.0.1:8080',
      'https://127.0.0.1:8443',
      'http://127.0.0.1',
      'http://127.0.0.1:8080/',
    ]) {
      expect(() => assertLoopbackBaseUrl(baseUrl)).toThrow(/only against http:\/\/127\.0\.0\.1:<port>/);
      expect(() => transferRequest(baseUrl, samplePair, randomUUID())).toThrow(/127\.0\.0\.1/);
    }
  });

  it('counts as an error any answer that is not a 201 with a committed transfer', () => {
    expect(transferSucceeded(201, JSON.stringify({ state: 'COMMITTED' }))).toBe(true);
    expect(transferSucceeded(201, JSON.stringify({ state: 'ABORTED', abortReason: 'PAYEE_TIMEOUT' }))).toBe(false);
    expect(transferSucceeded(200, JSON.stringify({ state: 'COMMITTED' }))).toBe(false);
    expect(transferSucceeded(201, 'not json')).toBe(false);
    expect(transferSucceeded(0, '')).toBe(false);
  });
});

describe('the reference server', () => {
  let reference: ReferenceServer;
  beforeAll(async () => {
    reference = await startReferenceServer();
  });
  afterAll(async () => {
    await reference.close();
  });

  it("answers the script's request with 201 and a committed transfer, so every check passes", async () => {
    const answer = await sendAsK6Does(reference.url, samplePair);
    expect(failedChecks(answer)).toEqual([]);
    expect(JSON.parse(answer.bodyText)).toEqual(referenceTransferBody);
  });

  it("answers the batch script's request (bench:batch) with every item committed under its own id", async () => {
    const ids = Array.from({ length: 1_000 }, () => randomUUID());
    const request = batchRequest(reference.url, samplePair, ids);
    const response = await fetch(request.url, { method: 'POST', headers: request.headers, body: request.body });
    const bodyText = await response.text();
    expect(batchCommittedCount(response.status, bodyText)).toBe(1_000);
    expect((JSON.parse(bodyText) as { results: { id: string }[] }).results.map((result) => result.id)).toEqual(ids);
  });

  it('answers a body over 1 MiB with 413, as the switch does', async () => {
    const response = await fetch(`${reference.url}/v1/transfers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ note: 'x'.repeat(1024 * 1024) }),
    });
    expect(response.status).toBe(413);
  });
});

describe('the seeded switch', () => {
  let network: LoadNetwork;
  const directory = tempDir('hisaab-load-seed-');
  beforeAll(async () => {
    network = await startLoadNetwork({ walletCount: 3, logger: createLogger('error') });
  });
  afterAll(async () => {
    await network.close();
    directory.remove();
  });

  it("seeds a ring of three payers, each with its own key, paying another wallet's customer", () => {
    const { seed } = network;
    expect(seed.baseUrl).toBe(network.switchUrl);
    expect(seed.pairs).toHaveLength(3);
    expect(new Set(seed.pairs.map((pair) => pair.participantKey)).size).toBe(3);
    const payers = seed.pairs.map((pair) => pair.payer.value);
    expect(new Set(payers).size).toBe(3);
    expect(seed.pairs.every((pair) => pair.payer.type === 'WALLET' && pair.payee.type === 'MSISDN')).toBe(true);
  });

  it('writes a seed file only its owner can read, and reads it back unchanged', () => {
    const path = join(directory.path, 'seed.json');
    writeLoadSeed(path, network.seed);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readLoadSeed(path)).toEqual(network.seed);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(network.seed);
  });

  it('refuses to write a seed that points k6 off this machine, and writes nothing', () => {
    const path = join(directory.path, 'remote-seed.json');
    const remote: LoadSeed = { ...network.seed, baseUrl: 'http://192.0.2.1:8080' };
    expect(() => writeLoadSeed(path, remote)).toThrow(/127\.0\.0\.1/);
    expect(() => statSync(path)).toThrow();
  });

  it('commits a transfer from every pair with the key the seed holds, passing every check the script makes', async () => {
    for (const pair of network.seed.pairs) {
      const answer = await sendAsK6Does(network.seed.baseUrl, pair);
      expect(failedChecks(answer)).toEqual([]);
      expect(JSON.parse(answer.bodyText)).toMatchObject({ id: answer.id, state: 'COMMITTED', abortReason: null, amount: '1.00' });
    }
  });
});

describe('the batch and lookup requests the bench sends', () => {
  let network: LoadNetwork;
  beforeAll(async () => {
    network = await startLoadNetwork({ walletCount: 2, withAdviceWallets: true, logger: createLogger('error') });
  });
  afterAll(async () => {
    await network.close();
  });

  it('builds a batch body the switch accepts, and counts its committed items (ADVICE payees)', async () => {
    const seed = network.adviceSeed;
    const pair = seed?.pairs[0];
    if (seed === null || pair === undefined) throw new Error('the network has its ADVICE ring');
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    const request = batchRequest(seed.baseUrl, pair, ids);
    expect(transferBatchSchema.parse(JSON.parse(request.body)).transfers).toHaveLength(3);
    const response = await fetch(request.url, { method: 'POST', headers: request.headers, body: request.body });
    const text = await response.text();
    expect(batchCommittedCount(response.status, text)).toBe(3);
    expect(batchCommittedCount(200, JSON.stringify({ results: [{ outcome: 'ERROR', id: ids[0] }] }))).toBe(0);
    expect(batchCommittedCount(400, text)).toBe(0);
  });

  it('reads a committed transfer by id with its payer key, as the lookup scenario does', async () => {
    const pair = network.seed.pairs[0];
    if (pair === undefined) throw new Error('the network has its REQUEST ring');
    const sent = await sendAsK6Does(network.seed.baseUrl, pair);
    expect(failedChecks(sent)).toEqual([]);
    const lookup = transferLookup(network.seed.baseUrl, pair.participantKey, sent.id);
    const response = await fetch(lookup.url, { headers: lookup.headers });
    expect(lookupSucceeded(response.status, await response.text(), sent.id)).toBe(true);
    expect(lookupSucceeded(200, JSON.stringify({ id: 'another' }), sent.id)).toBe(false);
  });

  it('seeds ADVICE-mode payees apart from the REQUEST ring', () => {
    const adviceSeed = network.adviceSeed;
    expect(adviceSeed?.pairs).toHaveLength(2);
    const requestPayees = new Set(network.seed.pairs.map((pair) => pair.payee.value));
    expect(adviceSeed?.pairs.every((pair) => !requestPayees.has(pair.payee.value))).toBe(true);
  });
});

describe('the switch as npm run serve starts it (the runner of every load command)', () => {
  const directory = tempDir('hisaab-load-spawned-');
  afterAll(() => directory.remove());

  it('serves from its own process, commits a transfer, and is gone once closed', async () => {
    const logFile = join(directory.path, 'switch.log');
    const network = await startLoadNetwork({ walletCount: 2, launcher: spawnedSwitch({ logFile }) });
    try {
      const pair = network.seed.pairs[0];
      if (pair === undefined) throw new Error('the network has its REQUEST ring');
      expect(failedChecks(await sendAsK6Does(network.seed.baseUrl, pair))).toEqual([]);
    } finally {
      await network.close();
    }
    await expect(fetch(`${network.switchUrl}/healthz`, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
    // Its log went to the file, at the production level: a line per request.
    expect(readFileSync(logFile, 'utf8')).toContain('"msg":"request"');
  });
});

describe('the k6 summary', () => {
  const recorded = JSON.parse(readFileSync(join(__dirname, 'k6-summary.v1.8.1.json'), 'utf8')) as {
    metrics: Record<string, { thresholds?: Record<string, { ok: boolean }> }>;
  };

  it('gives requests/s, latency percentiles and error rate from a summary k6 v1.8.1 wrote', () => {
    expect(figuresOfSummary(recorded)).toEqual({
      requests: 1199,
      requestsPerSecond: 1197.8,
      latencyMs: { p50: 1.12, p95: 3.58, p99: 6.25 },
      errorRate: 0,
      thresholdsFailed: [],
    });
  });

  it('names every threshold that did not hold', () => {
    const failing = structuredClone(recorded);
    const errors = failing.metrics.transfer_errors;
    if (errors === undefined) throw new Error('the recorded summary has transfer_errors');
    errors.thresholds = { 'rate<0.01': { ok: false } };
    expect(figuresOfSummary(failing).thresholdsFailed).toEqual(['transfer_errors: rate<0.01']);
  });

  it('says which figure is missing when k6 made no request', () => {
    const empty = structuredClone(recorded);
    delete empty.metrics.http_reqs;
    expect(() => figuresOfSummary(empty)).toThrow(/lacks the figures the runner reads.*http_reqs/);
  });
});
