import Database from 'better-sqlite3';
import { join } from 'node:path';
import { ReadYourWritesTransport } from '../../../adapters/read-your-writes-transport';
import { transfersProjection } from '../../../adapters/readmodel-sqlite/projections/transfers-projection';
import { SqliteTransferReader } from '../../../adapters/readmodel-sqlite/projections/transfers-read-model';
import type { Delivery } from '../../../core/outbox/delivery';
import type { DeliveryAttemptOptions, DeliveryAttemptResult, DeliveryTransport } from '../../../core/outbox/delivery-transport';
import { tempDir } from '../../support/temp-dir';

/**
 * A delivery waits for the read models to show how its transfer ended, but that wait comes out of the attempt's
 * own deadline: the outbox stops waiting for an attempt shortly after its deadline and counts it as a failure of
 * the destination (every delivery to that payee then backs off), so a wait for lagging read models must never
 * leave the payee less than its share of the deadline, nor let the attempt outlive it.
 */

/** The payee's side as the outbox sees it: records the deadline each attempt was given and when it began. */
class RecordingTransport implements DeliveryTransport {
  readonly attempts: { startedAtMs: number; deadlineMs: number }[] = [];

  async deliver(_delivery: Delivery, options: DeliveryAttemptOptions): Promise<DeliveryAttemptResult> {
    this.attempts.push({ startedAtMs: Date.now(), deadlineMs: options.deadlineMs });
    return { outcome: 'delivered', detail: 'recorded' };
  }
}

let directory: ReturnType<typeof tempDir>;
let database: Database.Database;

beforeEach(() => {
  directory = tempDir('hisaab-ryw-transport-');
  database = new Database(join(directory.path, 'read-models.db'));
  database.defaultSafeIntegers(true);
  database.transaction(() => transfersProjection.setup(database))();
});

afterEach(() => {
  database.close();
  directory.remove();
});

it('gives the payee what is left of the attempt’s deadline when the read models lag past it', async () => {
  const recording = new RecordingTransport();
  const readModelLagMs = 2_000;
  const transport = new ReadYourWritesTransport(recording, {
    reader: new SqliteTransferReader(database),
    // Read models far behind: each wait for them ends only at their own bound.
    awaitReadModels: () => new Promise((resolve) => setTimeout(resolve, readModelLagMs)),
  });
  const delivery: Delivery = {
    deliveryId: 'REVERSAL:transfer-1',
    kind: 'REVERSAL',
    destination: 'MARGALLA',
    payload: { transferId: 'transfer-1' },
  };
  const deadlineMs = 2_500;
  const startedAtMs = Date.now();
  expect(await transport.deliver(delivery, { deadlineMs })).toMatchObject({ outcome: 'delivered' });
  const [attempt] = recording.attempts;
  if (attempt === undefined) throw new Error('the payee was not attempted');
  // The attempt, wait included, ends within the deadline the outbox gave it, and the payee has most of it.
  expect(attempt.startedAtMs + attempt.deadlineMs).toBeLessThanOrEqual(startedAtMs + deadlineMs + 50);
  expect(attempt.deadlineMs).toBeGreaterThanOrEqual(deadlineMs / 2 - 50);
});

it('sends a chargeback credit at once once the read models are at the head: it has no transfer stream to wait for', async () => {
  const recording = new RecordingTransport();
  const transport = new ReadYourWritesTransport(recording, {
    reader: new SqliteTransferReader(database),
    awaitReadModels: () => Promise.resolve(),
  });
  const delivery: Delivery = {
    deliveryId: 'CHARGEBACK_CREDIT:chargeback-dp_000000000000000000000001',
    kind: 'CREDIT_ADVICE',
    destination: 'MARGALLA',
    payload: { transferId: 'chargeback-dp_000000000000000000000001', disputeId: 'dp_000000000000000000000001' },
  };
  const startedAtMs = Date.now();
  await transport.deliver(delivery, { deadlineMs: 10_000 });
  // Before, it waited the whole settle timeout (1 s) for a transfer row that never comes.
  expect(Date.now() - startedAtMs).toBeLessThan(300);
});
