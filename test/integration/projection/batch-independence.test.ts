import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { switchProjections } from '../../../adapters/readmodel-sqlite/projections/switch-projections';
import { SqliteEventStore } from '../../../adapters/eventstore-sqlite/sqlite-event-store';
import { SqliteReadModelStore } from '../../../adapters/readmodel-sqlite/sqlite-read-model-store';
import type { NewEvent, RecordedEvent } from '../../../core/eventstore/event';
import { START_POSITION } from '../../../core/eventstore/event-store';
import { applyBatch, prepareProjection } from '../../../core/eventstore/projection-batch';
import { settlementWindowId } from '../../../core/settlement/settlement-window-events';
import { transferStreamName, type AbortReason, type TransferInitiated } from '../../../core/transfers/transfer-events';
import { seededRandom } from '../../support/seeded-random';
import { tempDir } from '../../support/temp-dir';

/**
 * A read model is the log up to its checkpoint, whatever batches the log reached it in. Projections that fold a
 * batch's events together (a transfer initiated and committed in one write is written once, counters summed per
 * batch: Projection.applyMany) must leave every table exactly as applying the events one at a time does. A seeded
 * random log of the transfer and settlement events those projections fold (a batch's payments, REQUEST payments
 * finished later, refusals, reversals, merchant payments, windows closing between them, in two currencies) is
 * applied in batches of one, of random sizes and all at once, and every table of every projection is compared.
 */
const seed = Number(process.env['HISAAB_TEST_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const random = seededRandom(seed);
const pick = <Item>(items: readonly Item[]): Item => items[Math.floor(random() * items.length)] as Item;

const participants = ['ALPHA', 'BETA', 'GAMMA', 'DELTA'];
const currencies = ['PKR', 'USD'];

type Write = { stream: string; event: NewEvent }[];

/** The log, as the writes that made it: each write's events are consecutive in the log, as one append makes them. */
function randomLog(steps: number): Write[] {
  const writes: Write[] = [];
  const at = (): string => new Date(Date.UTC(2026, 11, 3, 8, 0, 0) + writes.length * 7_919).toISOString();
  const sequences = new Map(currencies.map((currency) => [currency, 1]));
  const pending: TransferInitiated['data'][] = [];
  const committed: string[] = [];
  const closed: { currency: string; sequence: number }[] = [];
  const event = (stream: string, type: string, data: Record<string, unknown>): Write[number] => ({
    stream,
    event: { id: randomUUID(), type, data: data as NewEvent['data'], metadata: { at: at() } },
  });
  const initiation = (): TransferInitiated['data'] => {
    const payer = pick(participants);
    const payee = pick(participants.filter((participant) => participant !== payer));
    const toMerchant = random() < 0.15;
    return {
      transferId: randomUUID(),
      clientTransferId: randomUUID(),
      payerParticipant: payer,
      payeeParticipant: payee,
      payer: { type: 'MSISDN', value: `9230000000${participants.indexOf(payer)}` },
      payee: toMerchant ? { type: 'MERCHANT', value: 'SHOP1' } : { type: 'MSISDN', value: `9230000001${participants.indexOf(payee)}` },
      payeeAccount: { type: 'WALLET', value: `${payee}000001` },
      amountMinor: String(1 + Math.floor(random() * 500_000)),
      currency: pick(currencies),
      purpose: toMerchant ? 'P2M' : 'P2P',
      note: random() < 0.2 ? 'rent' : null,
      creditMode: 'ADVICE',
      requestDigest: 'digest',
      channel: 'api',
      createdAt: at(),
      ...(toMerchant ? { merchant: { id: 'SHOP1', settlementAccount: { type: 'WALLET', value: `${payee}000001` }, mdrMinor: '12' } } : {}),
    };
  };
  const finish = (data: TransferInitiated['data'], commit: boolean, reason: AbortReason): Write[number] => {
    if (commit) committed.push(data.transferId);
    return commit
      ? event(transferStreamName(data.transferId), 'TransferCommitted', { transferId: data.transferId, completedAt: at() })
      : event(transferStreamName(data.transferId), 'TransferAborted', {
          transferId: data.transferId,
          reason,
          detail: null,
          reversalQueued: false,
          completedAt: at(),
        });
  };
  for (const currency of currencies)
    writes.push([
      event(`settlement-${currency}`, 'SettlementWindowOpened', {
        windowId: settlementWindowId(currency, 1),
        currency,
        sequence: 1,
        openedAt: at(),
      }),
    ]);
  for (let step = 0; step < steps; step += 1) {
    const roll = random();
    if (roll < 0.35) {
      // A batch's ADVICE payments: each transfer's initiation and its outcome ride in one write.
      const write: Write = [];
      for (let count = 1 + Math.floor(random() * 12); count > 0; count -= 1) {
        const data = initiation();
        write.push(event(transferStreamName(data.transferId), 'TransferInitiated', data));
        write.push(finish(data, random() < 0.85, 'NET_DEBIT_CAP_EXCEEDED'));
      }
      writes.push(write);
    } else if (roll < 0.6) {
      const data = initiation();
      pending.push(data);
      writes.push([event(transferStreamName(data.transferId), 'TransferInitiated', data)]);
    } else if (roll < 0.82 && pending.length > 0) {
      const data = pending.splice(Math.floor(random() * pending.length), 1)[0] as TransferInitiated['data'];
      writes.push([finish(data, random() < 0.7, 'PAYEE_REJECTED')]);
    } else if (roll < 0.88 && committed.length > 0) {
      const transferId = committed.splice(Math.floor(random() * committed.length), 1)[0] as string;
      writes.push([event(transferStreamName(transferId), 'TransferReversed', { transferId, reason: 'PAYER_REVERSED', reversedAt: at() })]);
    } else if (roll < 0.96) {
      const currency = pick(currencies);
      const sequence = sequences.get(currency) as number;
      sequences.set(currency, sequence + 1);
      closed.push({ currency, sequence });
      writes.push([
        event(`settlement-${currency}`, 'SettlementWindowClosed', {
          windowId: settlementWindowId(currency, sequence),
          currency,
          closedAt: at(),
          closedBy: 'operator',
          requestReference: null,
        }),
        event(`settlement-${currency}`, 'SettlementWindowOpened', {
          windowId: settlementWindowId(currency, sequence + 1),
          currency,
          sequence: sequence + 1,
          openedAt: at(),
        }),
      ]);
    } else if (closed.length > 0) {
      const window = closed.splice(Math.floor(random() * closed.length), 1)[0] as { currency: string; sequence: number };
      writes.push([
        event(`settlement-${window.currency}`, 'SettlementWindowSettled', {
          windowId: settlementWindowId(window.currency, window.sequence),
          currency: window.currency,
          reference: `RTGS-${step}`,
          settledAt: at(),
          positions: [],
          requestReference: null,
        }),
      ]);
    }
  }
  return writes;
}

/** Every table of the read model (checkpoints included), each row as JSON text, sorted: row order means nothing. */
function tables(database: Database.Database): Map<string, string[]> {
  const names = database
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all() as {
    name: string;
  }[];
  return new Map(
    names.map(({ name }) => [
      name,
      (database.prepare(`SELECT * FROM "${name}"`).raw().all() as unknown[][])
        .map((row) => JSON.stringify(row, (_key, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value)))
        .sort(),
    ]),
  );
}

/** Applies the log to a fresh read model in batches whose sizes `nextSize` gives. */
function applyInBatches(path: string, events: readonly RecordedEvent[], nextSize: () => number): Map<string, string[]> {
  const readModels = new SqliteReadModelStore(path);
  try {
    const prepared = switchProjections.map(prepareProjection);
    const positions = new Map<string, bigint>();
    readModels.transaction((tx) => {
      for (const { projection } of prepared) {
        projection.setup(tx);
        positions.set(projection.name, START_POSITION);
      }
    });
    for (let start = 0; start < events.length;) {
      const batch = events.slice(start, start + Math.max(1, nextSize()));
      const outcome = applyBatch(readModels, prepared, batch, positions);
      if (outcome.kind !== 'committed') throw new Error(`a checkpoint moved back under the test: ${outcome.projectionName}`);
      for (const [name, progress] of outcome.progress) positions.set(name, progress.position);
      start += batch.length;
    }
    return tables(readModels.database);
  } finally {
    readModels.close();
  }
}

it(`leaves every table the same whether the log comes one event at a time, in random batches or all at once (seed ${seed})`, async () => {
  const directory = tempDir('hisaab-batch-independence-');
  const store = new SqliteEventStore(join(directory.path, 'hisaab.db'));
  try {
    for (const write of randomLog(700))
      await store.appendMany(write.map(({ stream, event }) => ({ stream, events: [event], expectedRevision: 'any' as const })));
    const events = await store.readAll(START_POSITION, 10_000);
    expect(events.length).toBeGreaterThan(1_000);
    expect(events.length).toBeLessThan(10_000);
    const oneByOne = applyInBatches(join(directory.path, 'one-by-one.db'), events, () => 1);
    const randomBatches = applyInBatches(join(directory.path, 'random.db'), events, () => Math.floor(random() * 300));
    const allAtOnce = applyInBatches(join(directory.path, 'all.db'), events, () => events.length);
    // The comparison has something to compare: the tables the folding projections write are filled.
    for (const table of ['transfers', 'settlement_transfers', 'settlement_lines', 'statistics_hourly', 'merchant_payments'])
      expect(oneByOne.get(table)?.length ?? 0).toBeGreaterThan(3);
    expect([...randomBatches]).toEqual([...oneByOne]);
    expect([...allAtOnce]).toEqual([...oneByOne]);
  } finally {
    await store.close();
    directory.remove();
  }
});
