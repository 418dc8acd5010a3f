import { join } from 'node:path';
import { childScript, TsxChild } from '../support/tsx-child';
import { tempDir } from '../support/temp-dir';

describe('a chargeback across a SIGKILL between the resolution and the posting', () => {
  it('is posted exactly once by recovery, with one credit to the claimant', async () => {
    const directory = tempDir('hisaab-dispute-crash-');
    try {
      const eventsPath = join(directory.path, 'events.db');
      const crashing = new TsxChild(childScript('dispute-chargeback-child.ts'), [eventsPath, 'crash']);
      const resolvedLine = await crashing.waitForLine((line) => line.startsWith('resolved '), 30_000);
      const exit = await crashing.exited;
      // tsx runs the script as its own child: the killed script makes tsx exit with 128 + 9.
      expect(exit.signal === 'SIGKILL' || exit.code === 137).toBe(true);
      expect(crashing.lines).not.toContain('not killed');
      const disputeId = resolvedLine.slice('resolved '.length);

      const recovering = new TsxChild(childScript('dispute-chargeback-child.ts'), [eventsPath, 'recover', disputeId]);
      await recovering.waitForLine((line) => line === 'done', 30_000);
      await recovering.exited;
      expect(recovering.lines).toContain('chargebacks 1');
      expect(recovering.lines).toContain('ledger 10000');
      // MARGALLA's position was credited once: by the chargeback of 100.00, nothing else.
      expect(recovering.lines).toContain('claimant 10000');
      expect(recovering.lines).toContain(`credits 1 CHARGEBACK_CREDIT:chargeback-${disputeId}`);
    } finally {
      directory.remove();
    }
  });

  it('killed after the posting, as the credit is queued: recovery posts nothing more and queues the credit once', async () => {
    const directory = tempDir('hisaab-dispute-crash-');
    try {
      const eventsPath = join(directory.path, 'events.db');
      const crashing = new TsxChild(childScript('dispute-chargeback-child.ts'), [eventsPath, 'crash-after-posting']);
      const postedLine = await crashing.waitForLine((line) => line.startsWith('posted '), 30_000);
      await crashing.exited;
      const disputeId = postedLine.slice('posted '.length);
      const recovering = new TsxChild(childScript('dispute-chargeback-child.ts'), [eventsPath, 'recover', disputeId]);
      await recovering.waitForLine((line) => line === 'done', 30_000);
      await recovering.exited;
      expect(recovering.lines).toContain('chargebacks 1');
      expect(recovering.lines).toContain('claimant 10000');
      expect(recovering.lines).toContain(`credits 1 CHARGEBACK_CREDIT:chargeback-${disputeId}`);
    } finally {
      directory.remove();
    }
  });
});
