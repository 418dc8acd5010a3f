import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import Database from 'better-sqlite3';
import { readModelPath } from '../../adapters/readmodel-sqlite/sqlite-read-model-store';
import { switchProjections } from '../../adapters/readmodel-sqlite/projections/switch-projections';
import type { RecordedEvent } from '../../core/eventstore/event';
import { START_POSITION } from '../../core/eventstore/event-store';
import { declineClassOf } from '../../core/reports/decline-classes';
import { participantStatisticsCsvHeader, timeseriesCsvHeader } from '../../core/reports/participant-statistics';
import { runRebuildCommand } from '../../scripts/rebuild-projection';
import { errorCode, type HttpAnswer } from '../support/http-client';
import { PaymentNetwork } from '../support/payment-network';
import { expectLogUnchanged, issueRegulatorKey } from '../support/switch-process';
import { waitUntil } from '../support/wait-until';

type Side = {
  count: number;
  value: string;
  approved: number;
  businessDeclines: number;
  technicalDeclines: number;
  approvedPercent: number;
  businessDeclinePercent: number;
  technicalDeclinePercent: number;
};
type ParticipantLine = {
  participant: string;
  asPayer: Side;
  asPayee: Side;
  reversals: { count: number; delivered: number; deliveredPercent: number };
  p50CompletionMs: number | null;
  p99CompletionMs: number | null;
  position: string | null;
  netDebitCap: string | null;
  capUtilisationPercent: number;
};
type Bucket = { start: string; count: number; value: string; approved: number; businessDeclines: number; technicalDeclines: number };

let network: PaymentNetwork;
let regulatorKey: string;
const startedAt = new Date(Date.now() - 60_000).toISOString();

beforeAll(async () => {
  network = await PaymentNetwork.start(
    [],
    [
      { id: 'MARGALLA', bankCode: 'MRGL', msisdn: '923000000001', netDebitCap: '1000000.00' },
      { id: 'RAVI', bankCode: 'RAVI', msisdn: '923000000002', netDebitCap: '1000000.00' },
      { id: 'CAPPED', bankCode: 'CAPD', msisdn: '923000000003', netDebitCap: '1000.00' },
    ],
    { HISAAB_PAYEE_DEADLINE_MS: '700' },
  );
  regulatorKey = await issueRegulatorKey(network.sw);
});

afterAll(async () => {
  await network.close();
});

const get = (path: string, key: string, headers: Record<string, string> = {}): Promise<HttpAnswer> =>
  network.sw.client.get(path, { key, headers });

async function pay(payer: string, payee: string, amount: string): Promise<{ state: string; abortReason: string | null }> {
  const body = {
    id: randomUUID(),
    payer: { type: 'WALLET', value: network.wallet(payer).walletNumber },
    payee: { type: 'MSISDN', value: network.wallet(payee).msisdn },
    amount,
    currency: 'PKR',
    purpose: 'P2P',
  };
  const answer = await network.sw.client.post('/v1/transfers', { key: network.wallet(payer).key.key, body });
  expect(answer.status).toBe(201);
  return answer.body as { state: string; abortReason: string | null };
}

const range = (): string => `from=${startedAt}&to=${new Date(Date.now() + 60 * 60_000).toISOString()}`;

async function participantsReport(): Promise<ParticipantLine[]> {
  const answer = await get(`/v1/reports/participants?${range()}`, regulatorKey);
  expect(answer.status).toBe(200);
  return (answer.body as { participants: ParticipantLine[] }).participants;
}

/** The report's figures recounted from the log alone, with the decline table of core/. */
async function recount(): Promise<Map<string, Omit<ParticipantLine, 'position' | 'netDebitCap' | 'capUtilisationPercent'>>> {
  const events: RecordedEvent[] = await network.sw.running.store.readAll(START_POSITION, 10_000);
  const transfers = new Map<string, { payer: string; payee: string; amountMinor: bigint; createdAt: string }>();
  const lines = new Map<string, { asPayer: number[]; asPayee: number[]; valuePayer: bigint; valuePayee: bigint; ms: number[] }>();
  const reversals = new Map<string, { participant: string; delivered: boolean }>();
  const lineOf = (id: string) => {
    const line = lines.get(id) ?? { asPayer: [0, 0, 0, 0], asPayee: [0, 0, 0, 0], valuePayer: 0n, valuePayee: 0n, ms: [] };
    lines.set(id, line);
    return line;
  };
  const outcome = (transferId: string, slot: number, completedAt: string): void => {
    const transfer = transfers.get(transferId)!;
    lineOf(transfer.payer).asPayer[slot]! += 1;
    lineOf(transfer.payee).asPayee[slot]! += 1;
    const ms = Date.parse(completedAt) - Date.parse(transfer.createdAt);
    lineOf(transfer.payer).ms.push(ms);
    if (transfer.payee !== transfer.payer) lineOf(transfer.payee).ms.push(ms);
  };
  for (const event of events) {
    const data = event.data as Record<string, unknown>;
    if (event.type === 'TransferInitiated') {
      const transfer = {
        payer: data['payerParticipant'] as string,
        payee: data['payeeParticipant'] as string,
        amountMinor: BigInt(data['amountMinor'] as string),
        createdAt: data['createdAt'] as string,
      };
      transfers.set(data['transferId'] as string, transfer);
      lineOf(transfer.payer).asPayer[0]! += 1;
      lineOf(transfer.payer).valuePayer += transfer.amountMinor;
      lineOf(transfer.payee).asPayee[0]! += 1;
      lineOf(transfer.payee).valuePayee += transfer.amountMinor;
    } else if (event.type === 'TransferCommitted') {
      outcome(data['transferId'] as string, 1, data['completedAt'] as string);
    } else if (event.type === 'TransferAborted') {
      const slot = declineClassOf(data['reason'] as string) === 'BUSINESS' ? 2 : 3;
      outcome(data['transferId'] as string, slot, data['completedAt'] as string);
    } else if (event.type === 'DeliveryQueued' && data['kind'] === 'REVERSAL') {
      if (!reversals.has(data['deliveryId'] as string))
        reversals.set(data['deliveryId'] as string, { participant: data['destination'] as string, delivered: false });
    } else if (event.type === 'DeliverySucceeded' && reversals.has(data['deliveryId'] as string)) {
      reversals.get(data['deliveryId'] as string)!.delivered = true;
    }
  }
  for (const reversal of reversals.values()) lineOf(reversal.participant);
  const side = (counts: number[], valueMinor: bigint): Side => ({
    count: counts[0]!,
    value: (Number(valueMinor) / 100).toFixed(2),
    approved: counts[1]!,
    businessDeclines: counts[2]!,
    technicalDeclines: counts[3]!,
    approvedPercent: percent(counts[1]!, counts[0]!),
    businessDeclinePercent: percent(counts[2]!, counts[0]!),
    technicalDeclinePercent: percent(counts[3]!, counts[0]!),
  });
  const result = new Map<string, Omit<ParticipantLine, 'position' | 'netDebitCap' | 'capUtilisationPercent'>>();
  for (const [participant, line] of [...lines.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const received = [...reversals.values()].filter((reversal) => reversal.participant === participant);
    const delivered = received.filter((reversal) => reversal.delivered).length;
    const sorted = [...line.ms].sort((a, b) => a - b);
    const rank = (fraction: number): number | null =>
      sorted.length === 0 ? null : sorted[Math.max(1, Math.ceil(fraction * sorted.length)) - 1]!;
    result.set(participant, {
      participant,
      asPayer: side(line.asPayer, line.valuePayer),
      asPayee: side(line.asPayee, line.valuePayee),
      reversals: { count: received.length, delivered, deliveredPercent: percent(delivered, received.length) },
      p50CompletionMs: rank(0.5),
      p99CompletionMs: rank(0.99),
    });
  }
  return result;
}

function percent(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part * 10_000) / whole) / 100;
}

function flatten(value: unknown, prefix = ''): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (inner !== null && typeof inner === 'object') Object.assign(flat, flatten(inner, path));
    else flat[path] = inner === null ? '' : typeof inner === 'string' ? inner : JSON.stringify(inner);
  }
  return flat;
}

it('counts every outcome per participant as the events do: approved, business and technical declines, reversals delivered', async () => {
  expect((await pay('MARGALLA', 'RAVI', '100.00')).state).toBe('COMMITTED');
  expect((await pay('MARGALLA', 'RAVI', '200.00')).state).toBe('COMMITTED');
  expect((await pay('RAVI', 'MARGALLA', '30.00')).state).toBe('COMMITTED');
  // Business declines: over CAPPED's cap, and RAVI's wallet refusing the credit.
  expect((await pay('CAPPED', 'RAVI', '2000.00')).abortReason).toBe('NET_DEBIT_CAP_EXCEEDED');
  const ravi = network.wallet('RAVI');
  ravi.simulator.setMode({ mode: 'reject', reason: 'ACCOUNT_BLOCKED' });
  expect((await pay('MARGALLA', 'RAVI', '10.00')).abortReason).toBe('PAYEE_REJECTED');
  // Technical declines: RAVI unreachable, then too slow (a reversal is queued and delivered).
  await ravi.simulator.refuseConnections();
  try {
    expect((await pay('MARGALLA', 'RAVI', '20.00')).abortReason).toBe('PAYEE_UNAVAILABLE');
  } finally {
    await ravi.simulator.acceptConnections();
  }
  ravi.simulator.setMode({ mode: 'slow', delayMs: 1_500 }, ['CREDIT_REQUEST']);
  ravi.simulator.setMode({ mode: 'accept' }, ['REVERSAL']);
  expect((await pay('MARGALLA', 'RAVI', '50.00')).abortReason).toBe('PAYEE_TIMEOUT');
  ravi.simulator.setMode({ mode: 'accept' });
  await waitUntil(() => ravi.simulator.received('REVERSAL').length === 1, 'the reversal reaches RAVI', 10_000);

  let report: ParticipantLine[] = [];
  await waitUntil(
    async () => {
      report = await participantsReport();
      return report.find((line) => line.participant === 'RAVI')?.reversals.delivered === 1;
    },
    'the report shows the reversal delivered',
    10_000,
  );
  const expected = await recount();
  expect(report.map(({ position: _p, netDebitCap: _c, capUtilisationPercent: _u, ...figures }) => figures)).toEqual([...expected.values()]);
  const margalla = report.find((line) => line.participant === 'MARGALLA')!;
  expect(margalla.asPayer).toMatchObject({
    count: 5,
    value: '380.00',
    approved: 2,
    businessDeclines: 1,
    technicalDeclines: 2,
    approvedPercent: 40,
    businessDeclinePercent: 20,
    technicalDeclinePercent: 40,
  });
  expect(report.find((line) => line.participant === 'RAVI')!.reversals).toEqual({ count: 1, delivered: 1, deliveredPercent: 100 });
  expect(report.find((line) => line.participant === 'CAPPED')!.asPayer).toMatchObject({ count: 1, businessDeclines: 1 });
  // One participant's line alone, as the dashboard's participant filter asks for it, in JSON and CSV.
  const raviOnly = await get(`/v1/reports/participants?${range()}&participant=RAVI`, regulatorKey);
  expect((raviOnly.body as { participants: ParticipantLine[] }).participants).toEqual(report.filter((line) => line.participant === 'RAVI'));
  const raviCsv = await get(`/v1/reports/participants?${range()}&participant=RAVI`, regulatorKey, { accept: 'text/csv' });
  expect(parse(raviCsv.text, { columns: true })).toHaveLength(1);

  // Position and cap are the participant's now, as its own record shows them.
  for (const line of report) {
    const record = (await get(`/v1/participants/${line.participant}`, network.sw.operatorKey)).body as {
      position: string;
      netDebitCap: string;
    };
    expect([line.position, line.netDebitCap]).toEqual([record.position, record.netDebitCap]);
    const share = Math.max(0, Number(record.position)) / Number(record.netDebitCap);
    expect(line.capUtilisationPercent).toBeCloseTo(share * 100, 2);
  }

  // The CSV has the fixed header and the same figures, nested fields flattened with dots.
  const csv = await get(`/v1/reports/participants?${range()}`, regulatorKey, { accept: 'text/csv' });
  expect(csv.headers.get('content-type')).toContain('text/csv');
  expect(csv.text.split('\r\n')[0]).toBe(participantStatisticsCsvHeader.join(','));
  const rows = parse<Record<string, string>>(csv.text, { columns: true });
  expect(rows).toEqual(report.map((line) => flatten(line)));
});

it('gives a timeseries of every bucket of the range, empty ones as zeros, for everyone or one participant, in JSON and CSV', async () => {
  const hour = 60 * 60_000;
  const from = new Date(Math.floor(Date.now() / hour) * hour - 3 * hour).toISOString();
  const to = new Date(Math.floor(Date.now() / hour) * hour + hour).toISOString();
  const answer = await get(`/v1/reports/timeseries?from=${from}&to=${to}&bucket=hour`, regulatorKey);
  expect(answer.status).toBe(200);
  const buckets = (answer.body as { buckets: Bucket[] }).buckets;
  expect(buckets.map((bucket) => bucket.start)).toEqual(
    [0, 1, 2, 3].map((index) => new Date(Date.parse(from) + index * hour).toISOString()),
  );
  // The two oldest hours are before the test's traffic.
  expect(buckets.slice(0, 2).every((bucket) => bucket.count === 0 && bucket.value === '0.00')).toBe(true);
  const all = (await participantsReport()).reduce((sum, line) => sum + line.asPayer.count, 0);
  expect(buckets.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(all);
  // Summed rather than read from the current hour: the traffic may straddle an hour's end.
  const summed = (key: 'count' | 'approved' | 'businessDeclines' | 'technicalDeclines'): number =>
    buckets.reduce((sum, bucket) => sum + bucket[key], 0);
  expect([summed('count'), summed('approved'), summed('businessDeclines'), summed('technicalDeclines')]).toEqual([7, 3, 2, 2]);
  expect(buckets.reduce((sum, bucket) => sum + Number(bucket.value) * 100, 0)).toBe(241_000);
  // The totals of the buckets, summed by the switch in minor units: the dashboard shows them as they are.
  expect((answer.body as { totals: unknown }).totals).toEqual({
    count: 7,
    value: '2410.00',
    approved: 3,
    businessDeclines: 2,
    technicalDeclines: 2,
    approvedPercent: 42.86,
    businessDeclinePercent: 28.57,
    technicalDeclinePercent: 28.57,
  });

  const capped = await get(`/v1/reports/timeseries?from=${from}&to=${to}&bucket=day&participant=CAPPED`, regulatorKey);
  const cappedBuckets = (capped.body as { buckets: Bucket[] }).buckets;
  // Day buckets start at midnight in Karachi (UTC+05:00): 19:00Z.
  expect(cappedBuckets.every((bucket) => bucket.start.endsWith('T19:00:00.000Z'))).toBe(true);
  expect((capped.body as { totals: { count: number; value: string } }).totals).toMatchObject({ count: 1, value: '2000.00' });
  expect(cappedBuckets.reduce((sum, bucket) => sum + bucket.businessDeclines, 0)).toBe(1);
  expect(cappedBuckets.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(1);

  const csv = await get(`/v1/reports/timeseries?from=${from}&to=${to}&bucket=hour`, regulatorKey, { accept: 'text/csv' });
  expect(csv.text.split('\r\n')[0]).toBe(timeseriesCsvHeader.join(','));
  expect(parse(csv.text, { columns: true })).toEqual(buckets.map((bucket) => flatten(bucket)));
});

it('refuses a participant, a range of too many buckets or days and a reversed range, and changes nothing', async () => {
  await expectLogUnchanged(network.sw, async () => {
    const participantKey = network.wallet('RAVI').key.key;
    expect((await get(`/v1/reports/participants?${range()}`, participantKey)).status).toBe(403);
    expect((await get(`/v1/reports/timeseries?${range()}&bucket=hour`, participantKey)).status).toBe(403);
    const wide = await get('/v1/reports/timeseries?from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z&bucket=hour', regulatorKey);
    expect([wide.status, errorCode(wide)]).toEqual([400, 'REPORT_RANGE_TOO_WIDE']);
    const longReport = await get('/v1/reports/participants?from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z', regulatorKey);
    expect([longReport.status, errorCode(longReport)]).toEqual([400, 'REPORT_RANGE_TOO_WIDE']);
    const reversed = await get('/v1/reports/participants?from=2026-03-01T00:00:00Z&to=2026-01-01T00:00:00Z', regulatorKey);
    expect([reversed.status, errorCode(reversed)]).toEqual([400, 'VALIDATION_FAILED']);
    const badBucket = await get(`/v1/reports/timeseries?${range()}&bucket=week`, regulatorKey);
    expect([badBucket.status, errorCode(badBucket)]).toEqual([400, 'VALIDATION_FAILED']);
  });
});

it('answers the dispute statistics as CSV under a fixed header', async () => {
  const csv = await get(`/v1/reports/disputes?${range()}`, regulatorKey, { accept: 'text/csv' });
  expect(csv.status).toBe(200);
  expect(csv.text).toBe('participant,asClaimant,asRespondent,answeredInTime,deadlineMissed,medianHoursToResolve\r\n');
});

it('rebuilds the participant statistics from position 0 into byte-identical reports', async () => {
  const to = new Date(Date.now() + 86_400_000).toISOString();
  const texts = async (): Promise<string[]> => [
    (await get(`/v1/reports/participants?from=${startedAt}&to=${to}`, regulatorKey)).text,
    (await get(`/v1/reports/participants?from=${startedAt}&to=${to}`, regulatorKey, { accept: 'text/csv' })).text,
    (await get(`/v1/reports/timeseries?from=${startedAt}&to=${to}&bucket=hour`, regulatorKey)).text,
  ];
  // The projection's rows themselves, in key order: a rebuild writes them again byte for byte.
  const rows = (): string => {
    const database = new Database(readModelPath(network.sw.dataDir), { readonly: true });
    try {
      database.defaultSafeIntegers(true);
      const dump = (table: string, key: string): unknown[] => database.prepare(`SELECT * FROM ${table} ORDER BY ${key}`).all();
      return JSON.stringify(
        [dump('participant_statistics_transfers', 'transfer_id'), dump('participant_statistics_reversals', 'delivery_id')],
        (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value),
      );
    } finally {
      database.close();
    }
  };
  const before = await texts();
  const rowsBefore = rows();
  expect(rowsBefore).toContain('"TECHNICAL"');
  const output: string[] = [];
  const exitCode = await runRebuildCommand(
    ['participant-statistics', '--data-dir', network.sw.dataDir],
    switchProjections,
    { out: (line) => output.push(line), err: (line) => output.push(line) },
    {},
  );
  expect({ exitCode, output }).toMatchObject({ exitCode: 0 });
  expect(await texts()).toEqual(before);
  expect(rows()).toBe(rowsBefore);
});
