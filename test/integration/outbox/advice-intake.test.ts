import { join } from 'node:path';
import { SqliteEventStore } from '../../../adapters/eventstore-sqlite/sqlite-event-store';
import { newId } from '../../../core/ids';
import { AdviceIntake, adviceIntakeStream, type AdviceIntakeLimits, type AdviceOutboxes } from '../../../core/outbox/advice-intake';
import type { Delivery } from '../../../core/outbox/delivery';
import type { DeliveryAttemptResult, DeliveryTransport } from '../../../core/outbox/delivery-transport';
import { Outbox } from '../../../core/outbox/outbox';
import type { TransferEvent, TransferInitiated } from '../../../core/transfers/transfer-events';
import { transferStreamName } from '../../../core/transfers/transfer-events';
import { tempDir } from '../../support/temp-dir';
import { waitUntil } from '../../support/wait-until';

/**
 * The advice intake against a real SQLite store and a real outbox: only committed ADVICE transfers are advised,
 * each once, with the details of their TransferInitiated (remembered, or read back from the stream); the intake
 * waits at its share of the outbox's limit and resumes as deliveries finish.
 */

/** The payee's side of the wire: it answers only when the test lets it, and counts what it was sent. */
class HeldTransport implements DeliveryTransport {
  readonly delivered: Delivery[] = [];
  private open = true;
  private waiting: (() => void)[] = [];

  hold(): void {
    this.open = false;
  }

  release(): void {
    this.open = true;
    for (const resume of this.waiting.splice(0)) resume();
  }

  async deliver(delivery: Delivery): Promise<DeliveryAttemptResult> {
    if (!this.open) await new Promise<void>((resume) => this.waiting.push(resume));
    this.delivered.push(delivery);
    return { outcome: 'delivered', detail: 'HTTP 200' };
  }
}

/** Every payee behind the one outbox, with the same share of its limit as the payee routing keeps for the intake. */
function oneOutbox(outbox: Outbox): AdviceOutboxes {
  return {
    roomFor: () => outbox.pendingLimit - Math.ceil(outbox.pendingLimit / 10) - outbox.pendingCount,
    nextFinishedFor: () => outbox.nextFinished(),
    enqueue: async (_payee, delivery, context) => {
      await outbox.enqueue(delivery, context);
    },
  };
}

function initiated(transferId: string, creditMode: 'ADVICE' | 'REQUEST'): TransferInitiated['data'] {
  return {
    transferId,
    payerParticipant: 'MARGALLA',
    payeeParticipant: 'RAVI',
    payer: { type: 'WALLET', value: 'M0001', name: 'Ayesha Khan' },
    payee: { type: 'MSISDN', value: '923002222222' },
    payeeAccount: { type: 'WALLET', value: 'R0001' },
    amountMinor: '1050',
    currency: 'PKR',
    purpose: 'P2P',
    note: null,
    creditMode,
    requestDigest: 'digest',
    channel: 'api',
    createdAt: '2026-12-03T08:00:00.000Z',
  };
}

let directory: ReturnType<typeof tempDir>;
let store: SqliteEventStore;
let transport: HeldTransport;
let outbox: Outbox;
const intakes: AdviceIntake[] = [];

async function write(transferId: string, events: TransferEvent[], expected: 'no_stream' | bigint): Promise<void> {
  const metadata = { at: '2026-12-03T08:00:00.000Z', actor: 'switch:transfers' };
  await store.append(
    transferStreamName(transferId),
    events.map((event) => ({ id: newId(), type: event.type, data: event.data, metadata })),
    expected,
  );
}

async function startIntake(limits: Partial<AdviceIntakeLimits> = {}): Promise<AdviceIntake> {
  const intake = new AdviceIntake({
    store,
    outboxes: oneOutbox(outbox),
    now: () => new Date(),
    limits: { idlePollMs: 5, roomPollMs: 50, ...limits },
  });
  intakes.push(intake);
  await intake.start();
  return intake;
}

const committed = (transferId: string): TransferEvent => ({
  type: 'TransferCommitted',
  data: { transferId, completedAt: '2026-12-03T08:00:00.000Z' },
});

beforeEach(async () => {
  directory = tempDir('hisaab-advice-intake-');
  store = new SqliteEventStore(join(directory.path, 'events.db'));
  transport = new HeldTransport();
  outbox = new Outbox({ store, channel: 'wallet-http', transport, limits: { pendingMax: 10 } });
  await outbox.start();
});

afterEach(async () => {
  transport.release();
  for (const intake of intakes.splice(0)) await intake.stop();
  await outbox.stop();
  await store.close();
  directory.remove();
});

it('advises each committed ADVICE transfer once, and no REQUEST or aborted one, from memory or from the stream', async () => {
  const first = await startIntake({ eventsBetweenQuietCheckpointsMax: 1 });
  await write('t-advice', [{ type: 'TransferInitiated', data: initiated('t-advice', 'ADVICE') }, committed('t-advice')], 'no_stream');
  await write('t-request', [{ type: 'TransferInitiated', data: initiated('t-request', 'REQUEST') }, committed('t-request')], 'no_stream');
  const aborted: TransferEvent = {
    type: 'TransferAborted',
    data: {
      transferId: 't-aborted',
      reason: 'NET_DEBIT_CAP_EXCEEDED',
      detail: null,
      reversalQueued: false,
      completedAt: '2026-12-03T08:00:00.000Z',
    },
  };
  await write('t-aborted', [{ type: 'TransferInitiated', data: initiated('t-aborted', 'ADVICE') }, aborted], 'no_stream');
  // Initiated under this intake, committed under the next one: its details are read back from the stream.
  await write('t-later', [{ type: 'TransferInitiated', data: initiated('t-later', 'ADVICE') }], 'no_stream');
  await waitUntil(() => first.handedOverThrough >= 0n && transport.delivered.length === 1, 'the first advice is delivered');
  const [laterInitiated] = await store.readStream(transferStreamName('t-later'), 0n, 1);
  await waitUntil(() => first.handedOverThrough === laterInitiated?.position, 'the intake has read every transfer event');
  await first.stop();

  const second = await startIntake();
  await write('t-later', [committed('t-later')], 0n);
  await waitUntil(() => transport.delivered.length === 2, 'the second advice is delivered');
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(transport.delivered.map((delivery) => delivery.deliveryId)).toEqual(['CREDIT_ADVICE:t-advice', 'CREDIT_ADVICE:t-later']);
  expect(transport.delivered[1]?.payload).toEqual({
    transferId: 't-later',
    amount: '10.50',
    currency: 'PKR',
    payee: { type: 'WALLET', value: 'R0001' },
    payer: { participant: 'MARGALLA', name: 'Ayesha Khan' },
  });
  expect(second.advicesQueued).toBe(1);
  // The checkpoint follows the groups handed over: a restart now would hand nothing over again.
  const [, laterCommitted] = await store.readStream(transferStreamName('t-later'), 0n, 2);
  await waitUntil(async () => {
    const checkpoints = await store.readStream(adviceIntakeStream, 0n, 100);
    return checkpoints.at(-1)?.data['position'] === laterCommitted?.position.toString();
  }, 'the checkpoint is after the last advice');
});

it('waits at its share of the outbox limit while the payee does not answer, and hands the rest over as deliveries finish', async () => {
  transport.hold();
  const intake = await startIntake();
  const ids = Array.from({ length: 25 }, (_, index) => `t-${index}`);
  for (const id of ids) await write(id, [{ type: 'TransferInitiated', data: initiated(id, 'ADVICE') }, committed(id)], 'no_stream');
  await waitUntil(() => outbox.pendingCount === 9, 'the intake filled its share of the outbox');
  await new Promise((resolve) => setTimeout(resolve, 200));
  // Nine tenths of ten: the last place is kept for a reversal, which a payment queues itself.
  expect(outbox.pendingCount).toBe(9);
  expect(intake.handedOverThrough).toBeLessThan(await store.headPosition());
  transport.release();
  await waitUntil(() => transport.delivered.length === ids.length && outbox.pendingCount === 0, 'every advice is delivered');
  expect(new Set(transport.delivered.map((delivery) => delivery.deliveryId)).size).toBe(ids.length);
});
