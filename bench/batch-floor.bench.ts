/**
 * `npm run bench:batch-floor [-- --transfers N --batch-size N]`: the least the stores do for a transfer of a batch, beside issue 10's
 * batch target (30,000 transfers/s), on this machine.
 *
 * A batch of 1,000 ADVICE transfers leaves, for each transfer, its stream in the event log (TransferInitiated and
 * TransferCommitted, written together) and its rows in the read models that fold transfer events (transfers,
 * statistics, participant statistics, settlement). Nothing else of the switch runs here: no HTTP, no JSON body, no
 * validation, no ledger, no payee, no log lines. Each round of 1,000 is what the switch's own path does with them:
 *
 *   1. `SqliteEventStore.appendMany`: 1,000 streams of two events in one durable (fsync'd) transaction;
 *   2. the projection runner's read: `readAll` of those 2,000 events back;
 *   3. one read-model transaction applying them with each projection's `applyMany`, checkpoints written.
 *
 * `--batch-size` (default 1,000) sets how many transfers share a durable write: single payments arriving together are
 * grouped by the store's group commit and the ledger's tick, a few dozen at a time under load.
 *
 * It prints, per 100,000 transfers from a fresh data dir, the wall and CPU microseconds per transfer of each step
 * and of the whole, and on the last line one JSON object. The CPU per transfer is the ceiling that matters: a single
 * process that spends `floorCpuMicrosecondsPerTransfer` in its stores alone cannot commit more than
 * 1,000,000 / that many transfers a second, whatever the rest of the path costs.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { SqliteEventStore } from '../adapters/eventstore-sqlite/sqlite-event-store';
import { SqliteReadModelStore, type SqliteReadModelTx } from '../adapters/readmodel-sqlite/sqlite-read-model-store';
import { participantStatisticsProjection } from '../adapters/readmodel-sqlite/projections/participant-statistics-projection';
import { settlementProjection } from '../adapters/readmodel-sqlite/projections/settlement-projection';
import { statisticsProjection } from '../adapters/readmodel-sqlite/projections/statistics-projection';
import { transfersProjection } from '../adapters/readmodel-sqlite/projections/transfers-projection';
import type { StreamAppend } from '../core/eventstore/event-store';
import type { Projection } from '../core/eventstore/projection';
import type { TransferCommitted, TransferInitiated } from '../core/transfers/transfer-events';
import { transferStreamName } from '../core/transfers/transfer-events';
import { parseFlags } from '../load-tests/load-runner';
import { benchDirectory } from './support/bench-directory';

const transfersPerReport = 100_000;
const batchTargetTransfersPerSecond = 30_000;
const projections: readonly Projection<SqliteReadModelTx>[] = [
  transfersProjection,
  statisticsProjection,
  participantStatisticsProjection,
  settlementProjection,
];

type StepTimes = { wallMicroseconds: number; cpuMicroseconds: number };
type Steps = { append: StepTimes; read: StepTimes; project: StepTimes };

/** One transfer's two events as the batch path writes them: a wallet paying an ADVICE payee, initiated and committed. */
function transferAppend(index: number): StreamAppend {
  const transferId = randomUUID();
  const createdAt = new Date().toISOString();
  const initiated: TransferInitiated['data'] = {
    transferId,
    clientTransferId: randomUUID(),
    payerParticipant: 'WALLETA',
    payeeParticipant: 'WALLETB',
    payer: { type: 'WALLET', value: 'WLTA000001' },
    payee: { type: 'MSISDN', value: `9230${String(index % 100_000_000).padStart(8, '0')}` },
    payeeAccount: { type: 'WALLET', value: 'WLTB000001' },
    amountMinor: '10000',
    currency: 'PKR',
    purpose: 'P2P',
    note: null,
    creditMode: 'ADVICE',
    requestDigest: 'a'.repeat(64),
    channel: 'api',
    createdAt,
  };
  const committed: TransferCommitted['data'] = { transferId, completedAt: createdAt };
  return {
    stream: transferStreamName(transferId),
    expectedRevision: 'no_stream',
    events: [
      { id: randomUUID(), type: 'TransferInitiated', data: initiated, metadata: { at: createdAt, actor: 'participant:WALLETA' } },
      { id: randomUUID(), type: 'TransferCommitted', data: committed, metadata: { at: createdAt, actor: 'participant:WALLETA' } },
    ],
  };
}

async function timed<Result>(into: StepTimes, work: () => Promise<Result> | Result): Promise<Result> {
  const wallStart = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const result = await work();
  const cpu = process.cpuUsage(cpuStart);
  into.wallMicroseconds += Number(process.hrtime.bigint() - wallStart) / 1_000;
  into.cpuMicroseconds += cpu.user + cpu.system;
  return result;
}

function emptySteps(): Steps {
  return {
    append: { wallMicroseconds: 0, cpuMicroseconds: 0 },
    read: { wallMicroseconds: 0, cpuMicroseconds: 0 },
    project: { wallMicroseconds: 0, cpuMicroseconds: 0 },
  };
}

function perTransfer(times: StepTimes, transfers: number): string {
  return `${(times.cpuMicroseconds / transfers).toFixed(1)} CPU / ${(times.wallMicroseconds / transfers).toFixed(1)} wall`;
}

function total(steps: Steps): StepTimes {
  return {
    wallMicroseconds: steps.append.wallMicroseconds + steps.read.wallMicroseconds + steps.project.wallMicroseconds,
    cpuMicroseconds: steps.append.cpuMicroseconds + steps.read.cpuMicroseconds + steps.project.cpuMicroseconds,
  };
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), {
    transfers: { description: 'written in all, reported per 100,000', min: transfersPerReport, max: 5_000_000, fallback: 300_000 },
    'batch-size': {
      description: 'transfers per durable write: 1,000 as a batch request, a few dozen as single payments group',
      min: 1,
      max: 1_000,
      fallback: 1_000,
    },
  });
  const transfers = flags.transfers;
  const transfersPerBatch = flags['batch-size'];
  if (transfersPerReport % transfersPerBatch !== 0) throw new Error(`--batch-size must divide ${transfersPerReport}`);
  const directory = benchDirectory('batch-floor');
  const eventStore = new SqliteEventStore(join(directory.path, 'hisaab.db'));
  const readModels = new SqliteReadModelStore(join(directory.path, 'read-models.db'));
  try {
    readModels.transaction((tx) => {
      for (const projection of projections) projection.setup(tx);
    });
    console.log(`bench:batch-floor: ${transfers} transfers, ${transfersPerBatch} to a durable write, fresh data dir; µs per transfer`);
    console.log('| transfers | append (2 events each) | read back | projections | all |');
    console.log('| ---: | ---: | ---: | ---: | ---: |');
    const whole = emptySteps();
    let stretch = emptySteps();
    let position = -1n;
    for (let written = 0; written < transfers; written += transfersPerBatch) {
      const appends = Array.from({ length: transfersPerBatch }, (_, offset) => transferAppend(written + offset));
      await timed(stretch.append, () => eventStore.appendMany(appends));
      const events = await timed(stretch.read, () => eventStore.readAll(position, transfersPerBatch * 2));
      if (events.length !== transfersPerBatch * 2) throw new Error(`read back ${events.length} events, expected ${transfersPerBatch * 2}`);
      const last = events[events.length - 1];
      if (last === undefined) throw new Error('read back no events');
      position = last.position;
      await timed(stretch.project, () =>
        readModels.transaction((tx) => {
          for (const projection of projections) {
            const handled = events.filter((event) => projection.handles.includes(event.type));
            if (projection.applyMany === undefined) for (const event of handled) projection.apply(event, tx);
            else projection.applyMany(handled, tx);
            readModels.writeCheckpoint(tx, projection.name, position);
          }
        }),
      );
      if ((written + transfersPerBatch) % transfersPerReport === 0) {
        const stretchTotal = total(stretch);
        console.log(
          `| ${written + transfersPerBatch} | ${perTransfer(stretch.append, transfersPerReport)} | ${perTransfer(stretch.read, transfersPerReport)} | ${perTransfer(stretch.project, transfersPerReport)} | ${perTransfer(stretchTotal, transfersPerReport)} |`,
        );
        for (const step of ['append', 'read', 'project'] as const) {
          whole[step].wallMicroseconds += stretch[step].wallMicroseconds;
          whole[step].cpuMicroseconds += stretch[step].cpuMicroseconds;
        }
        stretch = emptySteps();
      }
    }
    const measured = Math.floor(transfers / transfersPerReport) * transfersPerReport;
    const wholeTotal = total(whole);
    const floorCpuMicrosecondsPerTransfer = Number((wholeTotal.cpuMicroseconds / measured).toFixed(1));
    const ceilingTransfersPerSecond = Math.round(1_000_000 / floorCpuMicrosecondsPerTransfer);
    console.log(
      `the stores alone: ${floorCpuMicrosecondsPerTransfer} µs of CPU per transfer, so at most ${ceilingTransfersPerSecond} transfers/s on one core; ` +
        `the batch target ${batchTargetTransfersPerSecond}/s leaves ${(1_000_000 / batchTargetTransfersPerSecond).toFixed(1)} µs per transfer for the whole path`,
    );
    console.log(
      JSON.stringify({
        transfers: measured,
        transfersPerBatch,
        appendCpuMicrosecondsPerTransfer: Number((whole.append.cpuMicroseconds / measured).toFixed(1)),
        readCpuMicrosecondsPerTransfer: Number((whole.read.cpuMicroseconds / measured).toFixed(1)),
        projectCpuMicrosecondsPerTransfer: Number((whole.project.cpuMicroseconds / measured).toFixed(1)),
        floorCpuMicrosecondsPerTransfer,
        floorWallMicrosecondsPerTransfer: Number((wholeTotal.wallMicroseconds / measured).toFixed(1)),
        ceilingTransfersPerSecond,
        batchTargetTransfersPerSecond,
      }),
    );
  } finally {
    await eventStore.close();
    readModels.close();
    directory.remove();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
