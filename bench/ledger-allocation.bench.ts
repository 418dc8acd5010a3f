/**
 * `npm run bench:ledger-allocation`: the bytes the ledger decider allocates on the JS heap per transfer (issue 18
 * item 3, "decide without garbage"), the probe behind the GC share that `npm run bench:ledger -- --cpu-prof` shows.
 * It runs the engine's hot path, `decideCommands` writing rows into a `LedgerRecordEncoder`, on commands made before
 * the measurement (the client's garbage is not the decider's), over 10,000 accounts with a hot payer as in
 * `bench:ledger`, and reads V8's heap use around each batch after a full collection. Batches during which a
 * collection ran anyway are dropped. Prints the median bytes per transfer for single-phase transfers and for
 * two-phase ones (a reservation and its post), and as its last line one JSON object.
 *
 * Options: `-- --root <checkout>` measures another checkout's decider (its core/ledger modules; the functions used
 * here have kept their signatures), e.g. the base of a change; `-- --profile` also samples the allocations (V8's
 * sampling heap profiler, collected objects included) and prints the functions that allocate most per transfer.
 */
import { Session } from 'node:inspector/promises';
import { basename, join, resolve } from 'node:path';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { LedgerCommand } from '../core/ledger/commands';
import { xorshiftRandom } from './support/xorshift-random';

type DecideBatchModule = typeof import('../core/ledger/decide-batch');
type LedgerStateModule = typeof import('../core/ledger/ledger-state');
type EncoderModule = typeof import('../core/ledger/ledger-record-encoder');
type LedgerState = ReturnType<LedgerStateModule['initialState']>;
type Encoder = InstanceType<EncoderModule['LedgerRecordEncoder']>;

// A full collection before each batch, so that the batch's allocations are all that the heap grows by.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const accountCount = 10_000;
const hotSpotShare = 0.7;
/** Transfers per measured batch: their garbage must fit the young generation, so that no collection runs meanwhile. */
const batchTransfers = 1024;
const warmUpBatches = 100;
const measuredBatches = 60;
const nowMs = Date.parse('2026-12-04T12:00:00.000Z');

function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at === -1 ? undefined : process.argv[at + 1];
}

const accountIds = Array.from({ length: accountCount }, (_, index) => `acct-${index.toString().padStart(5, '0')}`);

type Drawn = { debitAccountId: string; creditAccountId: string; amountMinor: bigint };

function draw(next: () => number): Drawn {
  const debitIndex = next() < hotSpotShare ? 0 : Math.floor(next() * accountCount);
  let creditIndex = Math.floor(next() * accountCount);
  if (creditIndex === debitIndex) creditIndex = (creditIndex + 1) % accountCount;
  return {
    debitAccountId: accountIds[debitIndex] as string,
    creditAccountId: accountIds[creditIndex] as string,
    amountMinor: BigInt(100 + Math.floor(next() * 1_000_000)),
  };
}

/** Single-phase batches; ids are short so that they are flat strings, as a client's parsed JSON gives them. */
function singlePhaseBatches(count: number, next: () => number, first: number): LedgerCommand[][] {
  return Array.from({ length: count }, (_, batch) =>
    Array.from({ length: batchTransfers }, (_, index): LedgerCommand => {
      const drawn = draw(next);
      return { type: 'transfer', id: `s${first + batch * batchTransfers + index}`, ledger: 'PKR', code: 'P2P', ...drawn };
    }),
  );
}

/** Two-phase batches: reservations, then their posts (each its own batch, as bench:ledger submits them). */
function twoPhaseBatches(count: number, next: () => number, first: number): [LedgerCommand[], LedgerCommand[]][] {
  return Array.from({ length: count }, (_, batch) => {
    const ids = Array.from({ length: batchTransfers / 2 }, (_, index) => `${first + batch * batchTransfers + index}`);
    const reserves = ids.map((id): LedgerCommand => ({
      type: 'pending_transfer',
      id: `r${id}`,
      ledger: 'PKR',
      code: 'P2P',
      timeoutMs: 60_000,
      ...draw(next),
    }));
    const posts = ids.map((id): LedgerCommand => ({ type: 'post_pending', id: `q${id}`, pendingId: `r${id}` }));
    return [reserves, posts];
  });
}

type Decider = { decideCommands: DecideBatchModule['decideCommands']; state: LedgerState; encoder: Encoder };

/** Decides one batch into a fresh record, as a tick does; the results must all be `ok`. */
function decide(decider: Decider, commands: readonly LedgerCommand[]): void {
  decider.encoder.begin(decider.state.eventCount);
  const results = decider.decideCommands(decider.state, commands, { nowMs }, decider.encoder);
  for (const result of results) if (result !== 'ok') throw new Error(`a probe transfer was refused: ${result}`);
}

type Sample = { bytes: number; startedMs: number; endedMs: number };

/** Heap bytes allocated while deciding the batch (after a full collection), and when it ran. */
function measured(decider: Decider, commands: readonly LedgerCommand[]): Sample {
  decider.encoder.begin(decider.state.eventCount);
  collectGarbage();
  const startedMs = performance.now();
  const before = getHeapStatistics().used_heap_size;
  const results = decider.decideCommands(decider.state, commands, { nowMs }, decider.encoder);
  const after = getHeapStatistics().used_heap_size;
  const endedMs = performance.now();
  for (const result of results) if (result !== 'ok') throw new Error(`a probe transfer was refused: ${result}`);
  decider.encoder.finish();
  return { bytes: after - before, startedMs, endedMs };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

type AllocationSite = { name: string; bytes: number };

/** The functions that allocated most while `run` ran, by V8's sampling heap profiler (objects since collected included). */
async function allocationSites(run: () => void): Promise<AllocationSite[]> {
  const session = new Session();
  session.connect();
  // Not in @types/node's protocol types yet, but V8 takes them: without them, young garbage would not be counted.
  const parameters: { samplingInterval: number } & Record<string, unknown> = {
    samplingInterval: 256,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  };
  await session.post('HeapProfiler.startSampling', parameters);
  run();
  const { profile } = await session.post('HeapProfiler.stopSampling');
  session.disconnect();
  const bytesBySite = new Map<string, number>();
  const visit = (node: typeof profile.head): void => {
    const frame = node.callFrame;
    const name = `${frame.functionName || '(anonymous)'} ${frame.url === '' ? '' : `${basename(frame.url)}:${frame.lineNumber + 1}`}`;
    bytesBySite.set(name, (bytesBySite.get(name) ?? 0) + node.selfSize);
    for (const child of node.children) visit(child);
  };
  visit(profile.head);
  return [...bytesBySite.entries()].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
}

async function main(): Promise<void> {
  const root = resolve(option('--root') ?? join(__dirname, '..'));
  // An absolute path, not a file URL: tsx may turn the import into a require, which takes paths only.
  const load = async <T>(path: string): Promise<T> => (await import(join(root, path))) as T;
  const { decideCommands } = await load<DecideBatchModule>('core/ledger/decide-batch.ts');
  const { initialState } = await load<LedgerStateModule>('core/ledger/ledger-state.ts');
  const { LedgerRecordEncoder } = await load<EncoderModule>('core/ledger/ledger-record-encoder.ts');
  const decider: Decider = { decideCommands, state: initialState('PKR'), encoder: new LedgerRecordEncoder() };
  const accounts = accountIds.map((id, index): LedgerCommand => ({
    type: 'create_account',
    id,
    ledger: 'PKR',
    code: 'POSITION',
    owner: `participant-${index}`,
    debitLimitMinor: 10n ** 15n,
  }));
  for (let start = 0; start < accounts.length; start += 8190) decide(decider, accounts.slice(start, start + 8190));

  const collections: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) collections.push(entry.startTime);
  });
  observer.observe({ entryTypes: ['gc'] });

  const next = xorshiftRandom(1000);
  const singleWarmUp = singlePhaseBatches(warmUpBatches, next, 0);
  const singleMeasured = singlePhaseBatches(measuredBatches, next, warmUpBatches * batchTransfers);
  const twoWarmUp = twoPhaseBatches(warmUpBatches, next, 0);
  const twoMeasured = twoPhaseBatches(measuredBatches, next, warmUpBatches * batchTransfers);
  // Warm up both paths first, so that what is measured is the optimised code the engine runs in steady state.
  for (let batch = 0; batch < warmUpBatches; batch += 1) {
    decide(decider, singleWarmUp[batch] as LedgerCommand[]);
    const [reserves, posts] = twoWarmUp[batch] as [LedgerCommand[], LedgerCommand[]];
    decide(decider, reserves);
    decide(decider, posts);
  }
  const single: Sample[] = [];
  const twoPhase: Sample[][] = [];
  for (let batch = 0; batch < measuredBatches; batch += 1) {
    single.push(measured(decider, singleMeasured[batch] as LedgerCommand[]));
    const [reserves, posts] = twoMeasured[batch] as [LedgerCommand[], LedgerCommand[]];
    twoPhase.push([measured(decider, reserves), measured(decider, posts)]);
  }
  // Observer entries arrive asynchronously: let them come in before judging which batches a collection disturbed.
  await new Promise((done) => setTimeout(done, 200));
  observer.disconnect();
  const undisturbed = (sample: Sample): boolean =>
    sample.bytes >= 0 && !collections.some((startMs) => startMs >= sample.startedMs && startMs <= sample.endedMs);
  const singleBytes = single.filter(undisturbed).map((sample) => sample.bytes / batchTransfers);
  const twoPhaseBytes = twoPhase
    .filter((pair) => pair.every(undisturbed))
    .map(([reserve, post]) => ((reserve as Sample).bytes + (post as Sample).bytes) / (batchTransfers / 2));
  const figures = {
    root,
    single_phase_bytes_per_transfer: Math.round(median(singleBytes) * 10) / 10,
    two_phase_bytes_per_transfer: Math.round(median(twoPhaseBytes) * 10) / 10,
    single_phase_batches: singleBytes.length,
    two_phase_batches: twoPhaseBytes.length,
    batch_transfers: batchTransfers,
  };
  console.log(`decider allocation, ${root}: median of ${singleBytes.length} and ${twoPhaseBytes.length} undisturbed batches`);
  console.log(`single-phase: ${figures.single_phase_bytes_per_transfer} bytes per transfer`);
  console.log(`two-phase:    ${figures.two_phase_bytes_per_transfer} bytes per transfer (a reservation and its post)`);

  if (process.argv.includes('--profile')) {
    const profiled = singlePhaseBatches(20, next, (warmUpBatches + measuredBatches) * batchTransfers);
    const profiledTwo = twoPhaseBatches(20, next, (warmUpBatches + measuredBatches) * batchTransfers);
    const sites = await allocationSites(() => {
      for (const commands of profiled) decide(decider, commands);
    });
    const twoSites = await allocationSites(() => {
      for (const [reserves, posts] of profiledTwo) {
        decide(decider, reserves);
        decide(decider, posts);
      }
    });
    const transfers = 20 * batchTransfers;
    for (const [title, list, count] of [
      ['single-phase', sites, transfers],
      ['two-phase', twoSites, transfers / 2],
    ] as const) {
      console.log(`${title}: where it allocates (sampled, bytes per transfer)`);
      for (const site of list.slice(0, 12)) console.log(`  ${(site.bytes / count).toFixed(1).padStart(8)}  ${site.name}`);
    }
  }
  console.log(JSON.stringify(figures));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
