/**
 * A process that writes to a ledger until it is killed: used by test/reliability/ledger-crash.test.ts.
 * Usage: tsx ledger-writer-process.ts <store file> <id prefix>
 * Prints `ok <transferId>` for every transfer only after the engine answered `ok` (i.e. after it is durable),
 * so the parent knows exactly what was acknowledged before the kill.
 */
import { SqliteEventStore } from '../../../adapters/eventstore-sqlite/sqlite-event-store';
import type { LedgerCommand } from '../../../core/ledger/commands';
import { createLedgerEngine } from '../../../core/ledger/ledger-engine';

const [path, prefix] = process.argv.slice(2);
if (path === undefined || prefix === undefined) throw new Error('usage: ledger-writer-process.ts <store file> <id prefix>');

const accounts = ['W1', 'W2', 'W3', 'W4'];

async function main(): Promise<void> {
  const store = new SqliteEventStore(path as string);
  const engine = createLedgerEngine({ ledger: 'PKR', store, now: () => new Date(), snapshotEveryEvents: 50 });
  await engine.start();
  await engine.submit(
    accounts.map((id, index): LedgerCommand => ({
      type: 'create_account',
      id,
      ledger: 'PKR',
      code: 'POSITION',
      owner: id,
      debitLimitMinor: index === 0 ? 5_000n : null,
    })),
  );
  let sequence = 0;
  for (;;) {
    const commands: LedgerCommand[] = [];
    for (let index = 0; index < 20; index += 1) {
      sequence += 1;
      const from = accounts[sequence % accounts.length] as string;
      const to = accounts[(sequence + 1) % accounts.length] as string;
      const id = `${prefix}-${sequence}`;
      if (sequence % 3 === 0) {
        commands.push({
          type: 'pending_transfer',
          id,
          ledger: 'PKR',
          debitAccountId: from,
          creditAccountId: to,
          amountMinor: BigInt(sequence % 50) + 1n,
          code: 'P2P',
          timeoutMs: 50,
        });
      } else if (sequence % 3 === 1 && sequence > 3) {
        commands.push({ type: 'post_pending', id, pendingId: `${prefix}-${sequence - 1}` });
      } else {
        commands.push({
          type: 'transfer',
          id,
          ledger: 'PKR',
          debitAccountId: from,
          creditAccountId: to,
          amountMinor: BigInt(sequence % 70) + 1n,
          code: sequence % 11 === 0 ? 'REVERSAL' : 'P2P',
        });
      }
    }
    const receipt = await engine.submit(commands);
    const acknowledged = commands
      .filter((_, index) => receipt.results[index] === 'ok')
      .map((command) => `ok ${(command as { id: string }).id}`);
    if (acknowledged.length > 0) process.stdout.write(`${acknowledged.join('\n')}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
