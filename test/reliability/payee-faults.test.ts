import { join } from 'node:path';
import { runPayeeFaultsCampaign } from '../../scripts/payee-faults/campaign';
import { tempDir } from '../support/temp-dir';

/**
 * `npm run faults` in short (issue 14 item 2): the switch as its own process, two wallets over HTTP and two bank
 * hosts over ISO 8583 each failing 10 % of messages five ways (slow past the deadline, decline, drop, garbage,
 * 5xx/96), transfers both ways, a SIGKILL and restart in the middle, then the payees healed. Every promise holds:
 * each transfer final by its deadline + 1 s (or the restart + 1 s if the kill caught it), every answer standing,
 * every reversal and advice delivered, the payees' books equal to the switch's, the ledger verified.
 */
let directory: { path: string; remove: () => void };

beforeAll(() => {
  directory = tempDir('hisaab-faults-test-');
});

afterAll(() => {
  directory.remove();
});

it('keeps every promise to payees that fail five ways, across a SIGKILL of the switch', async () => {
  const result = await runPayeeFaultsCampaign(
    { transfers: 60, seed: 14, faultPercent: 10, payeeDeadlineMs: 1_000, concurrency: 6 },
    join(directory.path, 'switch.log'),
  );
  expect(result.violations).toEqual([]);
  expect(result.violationCount).toBe(0);
  // The campaign proves something only if the faults, the restart and the deliveries really happened.
  const drawn = Object.values(result.faultsDrawn);
  for (const fault of ['slow', 'decline', 'drop', 'garbage'])
    expect(drawn.reduce((sum, counts) => sum + (counts[fault] ?? 0), 0)).toBeGreaterThan(0);
  // The fifth fault has a name per kind of payee: a wallet's 500 ('error'), a bank's 96 ('systemError').
  expect(drawn.reduce((sum, counts) => sum + (counts['error'] ?? 0) + (counts['systemError'] ?? 0), 0)).toBeGreaterThan(0);
  expect(result.restart).not.toBeNull();
  expect(result.transfers.committed).toBeGreaterThan(0);
  expect(result.transfers.aborted).toBeGreaterThan(0);
  expect(result.deliveries.reversals).toBeGreaterThan(0);
  expect(result.deliveries.advices).toBeGreaterThan(0);
  expect(result.books.every((books) => books.equal)).toBe(true);
  expect(result.ledgerVerified).toBe(true);
}, 180_000);
