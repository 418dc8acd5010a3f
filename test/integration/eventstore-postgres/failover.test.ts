import { runFailover } from '../../../scripts/chaos-postgres/failover';

/**
 * The short version of `npm run chaos:postgres` (issue 19, item 3): a primary and a synchronous standby, the
 * switch in front through a two-host connection string, the primary SIGKILLed mid-burst and the standby promoted.
 */
describe('PostgreSQL failover under load', () => {
  it('loses no acknowledged transfer (REQUEST, ADVICE, batches, reversals), writes none twice, answers 503 (never 500) meanwhile, and verify passes on the new primary', async () => {
    const lines: string[] = [];
    const report = await runFailover({ burstMs: 3_000, outageMs: 1_500, log: (line) => lines.push(line) });
    expect(report.acknowledgedBeforeKill).toBeGreaterThan(0);
    expect(report.missingOnNewPrimary).toEqual([]);
    expect(report.duplicated).toEqual([]);
    expect(report.stateMismatches).toEqual([]);
    expect(report.unfinished).toEqual([]);
    expect(report.serverErrors).toBe(0);
    expect(report.verifyExitCode).toBe(0);
    expect(report.killToFirstWriteMs).not.toBeNull();
    // Whatever was sent while no primary was there was refused as unavailable (or got no answer), never half-done.
    // A batch is answered 200 with each item's outcome: its items were refused as unavailable too.
    for (const answer of Object.keys(report.answersDuringOutage))
      expect(answer).toMatch(
        /^(503 STORE_UNAVAILABLE|0 NO_ANSWER|batch 200 STORE_UNAVAILABLE|batch 503 STORE_UNAVAILABLE|batch 0 NO_ANSWER)$/,
      );
    expect(report.passed).toBe(true);
  }, 120_000);
});
