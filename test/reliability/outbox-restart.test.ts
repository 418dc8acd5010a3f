import { join } from 'node:path';
import { SqliteEventStore } from '../../adapters/eventstore-sqlite/sqlite-event-store';
import type { WalletSimulator } from '../../simulators/wallet/wallet-simulator';
import { startCreditedWallet } from '../support/credited-wallet';
import { childScript, TsxChild } from '../support/tsx-child';
import { tempDir } from '../support/temp-dir';
import { outboxChildMessage } from './children/outbox-child-messages';

const deliveryCount = 20;
const signingSecret = 'whsec_outbox_restart';
const walletNumber = '03001234567';
const openingBalanceMinor = 1_000_000n;

describe('outbox across a SIGKILL (a reversal queued is a reversal delivered, once)', () => {
  let directory: ReturnType<typeof tempDir>;
  let wallet: WalletSimulator;
  let eventsPath: string;
  const children: TsxChild[] = [];

  const startChild = (): TsxChild => {
    const child = new TsxChild(childScript('outbox-child.ts'), [eventsPath, wallet.url, signingSecret, String(deliveryCount)]);
    children.push(child);
    return child;
  };
  const transferIds = Array.from({ length: deliveryCount }, (_unused, index) => outboxChildMessage(index).transferId);
  // 1.00 + 2.00 + … + 20.00, credited by the transfers the reversals undo.
  const creditedMinor = BigInt((deliveryCount * (deliveryCount + 1)) / 2) * 100n;

  beforeEach(async () => {
    directory = tempDir('hisaab-outbox-restart-');
    eventsPath = join(directory.path, 'events.db');
    // The transfers that timed out: the wallet did credit them; the reversals must undo each exactly once.
    wallet = await startCreditedWallet({ deliveryCount, signingSecret, walletNumber, openingBalanceMinor });
    expect(wallet.balanceOf(walletNumber)).toBe(openingBalanceMinor + creditedMinor);
  });

  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.process.exitCode === null && child.process.signalCode === null) {
        const pidLine = child.lines.find((line) => line.startsWith('pid '));
        if (pidLine !== undefined) killQuietly(Number(pidLine.slice('pid '.length)));
        child.kill();
      }
      await child.exited;
    }
    await wallet.close();
    directory.remove();
  });

  /** SIGKILLs the script's own process (tsx runs it as a child of the wrapper that TsxChild spawned). */
  const killHard = async (child: TsxChild): Promise<void> => {
    const pidLine = await child.waitForLine((line) => line.startsWith('pid '), 10_000);
    process.kill(Number(pidLine.slice('pid '.length)), 'SIGKILL');
    await child.exited;
    expect(child.lines.includes('stopped')).toBe(false);
  };

  const finishDelivering = async (child: TsxChild): Promise<void> => {
    const delivered = new Set<string>();
    await child.waitForLine((line) => {
      if (line.startsWith('delivered ')) delivered.add(line.slice('delivered '.length));
      return delivered.size === deliveryCount;
    }, 20_000);
    child.process.kill('SIGTERM');
    await child.waitForLine((line) => line === 'stopped', 10_000);
    expect((await child.exited).code).toBe(0);
  };

  const outboxEvents = async () => {
    const store = new SqliteEventStore(eventsPath);
    try {
      return await store.readStream('outbox-wallet-http', 0n, 10_000);
    } finally {
      await store.close();
    }
  };

  it('delivers every reversal queued while the wallet was down, after the queueing process was killed', async () => {
    await wallet.refuseConnections();
    const first = startChild();
    await first.waitForLine((line) => line === `queued ${deliveryCount} of ${deliveryCount}`, 20_000);
    await first.waitForLine((line) => line.startsWith('failed '), 10_000);
    await killHard(first);
    expect(wallet.received()).toHaveLength(deliveryCount);

    await wallet.acceptConnections();
    const second = startChild();
    await second.waitForLine((line) => line === `started ${deliveryCount}`, 20_000);
    // The producer queues the same reversals again after its crash: nothing new is queued.
    await second.waitForLine((line) => line === `queued 0 of ${deliveryCount}`, 20_000);
    await finishDelivering(second);

    const reversals = wallet.received('REVERSAL');
    expect(reversals.map((message) => message.transferId).sort()).toEqual([...transferIds].sort());
    expect(reversals.every((message) => message.signature === 'VALID' && message.answeredStatus === 200)).toBe(true);
    expect(wallet.balanceOf(walletNumber)).toBe(openingBalanceMinor);
    const events = await outboxEvents();
    expect(events.filter((event) => event.type === 'DeliveryQueued')).toHaveLength(deliveryCount);
    expect(new Set(events.filter((event) => event.type === 'DeliverySucceeded').map((event) => event.data['deliveryId'])).size).toBe(
      deliveryCount,
    );
    expect(events.filter((event) => event.type === 'DeliverySucceeded')).toHaveLength(deliveryCount);
  });

  it('redelivers what was in flight when killed, and the wallet applies each reversal once', async () => {
    wallet.setMode({ mode: 'slow', delayMs: 5_000 }, ['REVERSAL']);
    const first = startChild();
    await first.waitForLine((line) => line === `queued ${deliveryCount} of ${deliveryCount}`, 20_000);
    const deadline = Date.now() + 10_000;
    while (wallet.received('REVERSAL').length < 4 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    await killHard(first);
    // The wallet processed these reversals, but the killed outbox never heard that it did.
    const processedBeforeKill = wallet.received('REVERSAL').length;
    expect(processedBeforeKill).toBeGreaterThanOrEqual(4);

    wallet.setMode({ mode: 'accept' });
    const second = startChild();
    await finishDelivering(second);

    const reversals = wallet.received('REVERSAL');
    expect(new Set(reversals.map((message) => message.transferId))).toEqual(new Set(transferIds));
    expect(reversals.length).toBe(deliveryCount + processedBeforeKill);
    expect(wallet.balanceOf(walletNumber)).toBe(openingBalanceMinor);
    for (const transferId of transferIds) expect(wallet.creditRecord(transferId)?.state).toBe('REVERSED');
    const events = await outboxEvents();
    expect(events.filter((event) => event.type === 'DeliverySucceeded')).toHaveLength(deliveryCount);
  });
});

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
