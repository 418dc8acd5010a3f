/**
 * A ledger writer with its records pipelined (recordsInFlightMax 2: the next batch is decided while the last is
 * written by the SQLite store's writer thread), for test/reliability/pipelined-ledger-crash.test.ts.
 * Usage: node --import tsx pipelined-ledger-child.ts <store file> <id prefix> <kill point>
 *
 * Four submitters keep submits in flight; each submit holds linked pairs (`<id>-a` then `<id>-b`, all or nothing)
 * and single transfers. `ok <id>` is printed for every transfer only once the engine answered `ok` (durable).
 *
 * The kill point is `<where>:<n>`; the process SIGKILLs itself
 * - `decided:<n>`: at the n-th record handed to the writer while an earlier one is still being written, before
 *   this one is sent: a batch decided on a state that is not durable yet, and not written;
 * - `sent:<n>`: just after the n-th record was handed to the writer thread (it may be half written);
 * - `durable:<n>`: when the n-th record's write is durable, before the engine answers its submits.
 * Only the appender's public call is wrapped; the engine, the writer thread and the store are the real ones.
 */
import { SqlitePipelinedAppender } from '../../../adapters/eventstore-sqlite/sqlite-pipelined-appender';
import { SqliteEventStore } from '../../../adapters/eventstore-sqlite/sqlite-event-store';
import type { AppendResult, StreamAppend } from '../../../core/eventstore/event-store';
import type { LedgerCommand } from '../../../core/ledger/commands';
import { createLedgerEngine } from '../../../core/ledger/ledger-engine';
import { runChild } from './child-process-lifecycle';

const [path, prefix, killPoint] = process.argv.slice(2);
if (path === undefined || prefix === undefined || killPoint === undefined)
  throw new Error('usage: pipelined-ledger-child.ts <store file> <id prefix> <decided|sent|durable>:<n>');
const [where, countText] = killPoint.split(':');
const killAt = Number(countText);
if ((where !== 'decided' && where !== 'sent' && where !== 'durable') || !Number.isSafeInteger(killAt) || killAt < 1)
  throw new Error('the kill point is decided:<n>, sent:<n> or durable:<n> with n ≥ 1');

const accounts = ['P1', 'P2', 'P3', 'P4', 'P5'];
const submitters = 4;
const pairsPerSubmit = 6;
const singlesPerSubmit = 8;

function die(): never {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable: SIGKILL was sent');
}

function installKillPoint(): void {
  let unanswered = 0;
  let overlapping = 0;
  let sent = 0;
  /* eslint-disable @typescript-eslint/unbound-method -- the original is called with the appender as `this`. */
  const appendMany = SqlitePipelinedAppender.prototype.appendMany;
  SqlitePipelinedAppender.prototype.appendMany = function (
    this: SqlitePipelinedAppender,
    appends: readonly StreamAppend[],
  ): Promise<AppendResult[]> {
    /* eslint-enable @typescript-eslint/unbound-method */
    if (unanswered > 0) {
      overlapping += 1;
      process.stdout.write(`overlap ${overlapping}\n`);
      if (where === 'decided' && overlapping === killAt) die();
    }
    sent += 1;
    const number = sent;
    unanswered += 1;
    const written = appendMany.call(this, appends).finally(() => (unanswered -= 1));
    if (where === 'sent' && number === killAt) die();
    if (where !== 'durable') return written;
    return written.then((results) => {
      if (number === killAt) die();
      return results;
    });
  };
}

function commandsOf(submit: number): LedgerCommand[] {
  const commands: LedgerCommand[] = [];
  const account = (offset: number) => accounts[(submit + offset) % accounts.length] as string;
  for (let pair = 0; pair < pairsPerSubmit; pair += 1) {
    const id = `${prefix}-${submit}-c${pair}`;
    const leg = (suffix: string, from: string, to: string, amountMinor: bigint, linked: boolean): LedgerCommand => ({
      type: 'transfer',
      id: `${id}-${suffix}`,
      ledger: 'PKR',
      debitAccountId: from,
      creditAccountId: to,
      amountMinor,
      code: 'P2P',
      ...(linked ? { linked: true } : {}),
    });
    commands.push(leg('a', account(pair), account(pair + 1), BigInt(pair + 1) * 100n, true));
    commands.push(leg('b', account(pair + 1), account(pair + 2), BigInt(pair + 1) * 10n, false));
  }
  for (let single = 0; single < singlesPerSubmit; single += 1) {
    commands.push({
      type: 'transfer',
      id: `${prefix}-${submit}-s${single}`,
      ledger: 'PKR',
      debitAccountId: account(single + 3),
      creditAccountId: account(single + 4),
      amountMinor: BigInt((submit % 90) + single + 1),
      code: 'P2P',
    });
  }
  return commands;
}

async function main(): Promise<void> {
  installKillPoint();
  const store = new SqliteEventStore(path as string);
  // One submit per tick (batchCommandsMax is a submit's size): with four submitters, more than one tick's worth
  // waits, so the next tick is decided while the last one is written.
  const engine = createLedgerEngine({
    ledger: 'PKR',
    store,
    now: () => new Date(),
    snapshotEveryEvents: 100,
    recordsInFlightMax: 2,
    batchCommandsMax: 2 * pairsPerSubmit + singlesPerSubmit,
  });
  await engine.start();
  await engine.submit(
    accounts.map((id): LedgerCommand => ({
      type: 'create_account',
      id,
      ledger: 'PKR',
      code: 'POSITION',
      owner: id,
      debitLimitMinor: null,
    })),
  );
  let nextSubmit = 0;
  const submitter = async (): Promise<void> => {
    for (;;) {
      const commands = commandsOf(nextSubmit);
      nextSubmit += 1;
      const receipt = await engine.submit(commands);
      const acknowledged = commands
        .filter((_, index) => receipt.results[index] === 'ok')
        .map((command) => `ok ${(command as { id: string }).id}`);
      if (acknowledged.length > 0) process.stdout.write(`${acknowledged.join('\n')}\n`);
    }
  };
  await Promise.all(Array.from({ length: submitters }, submitter));
}

runChild(main);
