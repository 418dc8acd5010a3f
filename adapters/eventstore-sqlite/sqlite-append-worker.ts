/**
 * The writer thread of a SqlitePipelinedAppender (sqlite-pipelined-appender.ts). It holds its own connection to the
 * store's file (WAL, synchronous=FULL, like every connection of the store) and writes the appends it is sent one
 * after another, each in one IMMEDIATE transaction and so one fsync, while the main thread goes on deciding. After a
 * failed append it refuses, unwritten, every later append of the same epoch: nothing decided on top of a failed
 * write reaches the log (see PipelinedAppender).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { assert } from '../../core/assert';
import { SqliteEventStore } from './sqlite-event-store';
import { describeAppendError, type AppendReply, type AppendRequest, type AppendWorkerData } from './sqlite-append-messages';

const port = parentPort;
assert(port !== null, 'the SQLite append writer runs in a worker thread');
const store = new SqliteEventStore((workerData as AppendWorkerData).path);
/** Appends of this epoch or an earlier one are refused: one of them failed. */
let fencedEpoch = -1;

port.on('message', (request: AppendRequest) => {
  if (request.kind === 'close') {
    void store.close().then(() => port.close());
    return;
  }
  port.postMessage(write(request.id, request.epoch, request.appends));
});

function write(id: number, epoch: number, appends: Extract<AppendRequest, { kind: 'append' }>['appends']): AppendReply {
  if (epoch <= fencedEpoch) return { id, outcome: 'fenced' };
  try {
    return { id, outcome: 'written', results: store.appendManySync(appends) };
  } catch (error) {
    fencedEpoch = epoch;
    return { id, outcome: 'failed', error: describeAppendError(error) };
  }
}
