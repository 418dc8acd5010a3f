import { runSwitchExpectingExit, testOperatorKey } from '../support/switch-process';
import { tempDir } from '../support/temp-dir';

it('refuses to start with a close schedule it cannot follow, saying why', async () => {
  const directory = tempDir('hisaab-settlement-schedule-');
  try {
    const result = await runSwitchExpectingExit({
      HISAAB_PORT: '0',
      HISAAB_ISO8583_PORT: '0',
      HISAAB_DATA_DIR: directory.path,
      HISAAB_OPERATOR_KEY: testOperatorKey,
      HISAAB_SETTLEMENT_CLOSE_CRON: '0 0 * * * *',
    });
    // A configuration error like any other bad variable: one sentence, no stack trace, exit code 2.
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('hisaab: refusing to start: HISAAB_SETTLEMENT_CLOSE_CRON needs 5 fields');
    expect(result.stdout).not.toContain('"msg":"listening"');
  } finally {
    directory.remove();
  }
});
