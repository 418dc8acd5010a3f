import { ConfigError, loadConfig, operatorKeyLengthMin, workersMax } from '../../../api/config';

/** The least environment the switch starts with: everything else has a default. */
const required = { HISAAB_OPERATOR_KEY: 'operator-test-key-0123456789abcdef' };

function refusal(environment: Record<string, string>): string {
  try {
    loadConfig({ ...required, ...environment });
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('the configuration was accepted');
}

describe('settlement close schedule from the environment', () => {
  it('runs no schedule unless configured, blanks included', () => {
    expect(loadConfig(required).settlementCloseSchedule).toBeNull();
    expect(
      loadConfig({ ...required, HISAAB_SETTLEMENT_CLOSE_CRON: '  ', HISAAB_SETTLEMENT_CLOSE_INTERVAL_MS: '' }).settlementCloseSchedule,
    ).toBeNull();
  });

  it('reads a 5-field cron in Pakistan time by default', () =>
    expect(loadConfig({ ...required, HISAAB_SETTLEMENT_CLOSE_CRON: ' 0 */4 * * * ' }).settlementCloseSchedule).toEqual({
      kind: 'cron',
      expression: '0 */4 * * *',
      timezone: 'Asia/Karachi',
    }));

  it('reads the cron in the time zone given', () =>
    expect(
      loadConfig({ ...required, HISAAB_SETTLEMENT_CLOSE_CRON: '0 17 * * *', HISAAB_SETTLEMENT_TIMEZONE: 'UTC' }).settlementCloseSchedule,
    ).toEqual({
      kind: 'cron',
      expression: '0 17 * * *',
      timezone: 'UTC',
    }));

  it('reads an interval in milliseconds', () =>
    expect(loadConfig({ ...required, HISAAB_SETTLEMENT_CLOSE_INTERVAL_MS: '3600000' }).settlementCloseSchedule).toEqual({
      kind: 'interval',
      intervalMs: 3_600_000,
    }));

  it.each([
    [
      { HISAAB_SETTLEMENT_CLOSE_CRON: '0 * * * *', HISAAB_SETTLEMENT_CLOSE_INTERVAL_MS: '60000' },
      'set HISAAB_SETTLEMENT_CLOSE_CRON or HISAAB_SETTLEMENT_CLOSE_INTERVAL_MS, not both',
    ],
    [{ HISAAB_SETTLEMENT_CLOSE_CRON: '0 0 * * * *' }, 'HISAAB_SETTLEMENT_CLOSE_CRON needs 5 fields'],
    [{ HISAAB_SETTLEMENT_CLOSE_CRON: '61 * * * *' }, 'HISAAB_SETTLEMENT_CLOSE_CRON "61 * * * *" is not a cron expression'],
    [{ HISAAB_SETTLEMENT_CLOSE_CRON: '0 0 30 2 *' }, 'HISAAB_SETTLEMENT_CLOSE_CRON "0 0 30 2 *" never fires'],
    [{ HISAAB_SETTLEMENT_CLOSE_CRON: `0 0 * * ${'1,'.repeat(100)}1` }, 'HISAAB_SETTLEMENT_CLOSE_CRON has at most 200 characters'],
    [
      { HISAAB_SETTLEMENT_CLOSE_CRON: '0 * * * *', HISAAB_SETTLEMENT_TIMEZONE: 'Mars/Olympus' },
      'HISAAB_SETTLEMENT_TIMEZONE "Mars/Olympus" is not an IANA time zone',
    ],
    [
      { HISAAB_SETTLEMENT_CLOSE_INTERVAL_MS: '10' },
      'HISAAB_SETTLEMENT_CLOSE_INTERVAL_MS must be a whole number from 1000 to 2678400000, got "10"',
    ],
    [{ HISAAB_SETTLEMENT_CLOSE_INTERVAL_MS: '1e6' }, 'HISAAB_SETTLEMENT_CLOSE_INTERVAL_MS must be a whole number from 1000'],
    [{ HISAAB_SETTLEMENT_CLOSE_INTERVAL_MS: '2678400001' }, 'HISAAB_SETTLEMENT_CLOSE_INTERVAL_MS must be a whole number from 1000'],
  ])('refuses %j with a sentence naming the variable', (environment, sentence) => expect(refusal(environment)).toContain(sentence));

  it('reads the time zone only with a cron, as it always has', () =>
    expect(
      loadConfig({ ...required, HISAAB_SETTLEMENT_CLOSE_INTERVAL_MS: '60000', HISAAB_SETTLEMENT_TIMEZONE: 'Mars/Olympus' })
        .settlementCloseSchedule,
    ).toEqual({
      kind: 'interval',
      intervalMs: 60_000,
    }));

  it('reports a bad schedule together with every other bad value', () => {
    const message = refusal({ HISAAB_PORT: 'eighty', HISAAB_SETTLEMENT_CLOSE_INTERVAL_MS: 'hourly' });
    expect(message).toContain('HISAAB_PORT must be a whole number');
    expect(message).toContain('HISAAB_SETTLEMENT_CLOSE_INTERVAL_MS must be a whole number');
  });
});

describe('loadConfig: the operator key', () => {
  const base = { HISAAB_DATA_DIR: '/tmp/hisaab-config-test' };

  it('refuses a key shorter than the minimum, naming the rule, the reason and the length it got', () => {
    expect(() => loadConfig({ ...base, HISAAB_OPERATOR_KEY: 'short12' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, HISAAB_OPERATOR_KEY: 'short12' })).toThrow(
      `HISAAB_OPERATOR_KEY must be at least ${operatorKeyLengthMin} characters (it guards every operator action); got 7`,
    );
  });

  it('accepts a key of exactly the minimum length', () => {
    const key = 'k'.repeat(operatorKeyLengthMin);
    expect(loadConfig({ ...base, HISAAB_OPERATOR_KEY: key }).operatorKey).toBe(key);
  });

  it('never quotes the key itself in the refusal', () => {
    try {
      loadConfig({ ...base, HISAAB_OPERATOR_KEY: 'secret-ish' });
      throw new Error('expected a refusal');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).not.toContain('secret-ish');
    }
  });
});

describe('every variable a bad value names', () => {
  it.each([
    [{ HISAAB_LOG_LEVEL: 'verbose' }, 'HISAAB_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; got "verbose"'],
    [{ HISAAB_OPERATOR_KEY: '' }, "HISAAB_OPERATOR_KEY is required: set it to the operator's bearer key (a long random string)"],
  ])('refuses %j with one sentence naming it', (environment, sentence) => expect(refusal(environment)).toBe(sentence));
});

it('takes an empty variable as unset, as the README says', () => {
  const config = loadConfig({ ...required, HISAAB_LOG_LEVEL: '', HISAAB_ISO8583_INSTITUTION_ID: '', HISAAB_PORT: '', HISAAB_HOST: '' });
  expect([config.logLevel, config.iso8583InstitutionId, config.port, config.host]).toEqual(['info', '999999', 8080, '0.0.0.0']);
});

describe('loadConfig: HISAAB_WORKERS', () => {
  it('runs one process unless told otherwise, and takes 0 to the maximum', () => {
    expect(loadConfig(required).workers).toBe(1);
    expect(loadConfig({ ...required, HISAAB_WORKERS: '0' }).workers).toBe(0);
    expect(loadConfig({ ...required, HISAAB_WORKERS: String(workersMax) }).workers).toBe(workersMax);
  });

  it.each(['-1', '65', '2.5', 'all'])('refuses %s, naming the variable and the range', (value) =>
    expect(refusal({ HISAAB_WORKERS: value })).toContain(`HISAAB_WORKERS must be a whole number from 0 to ${workersMax}`),
  );
});

describe('loadConfig: HISAAB_LEDGER_TRANSFERS_REMEMBERED_EVENTS', () => {
  it("leaves the ledger's own default unless set, blanks included, and takes 10,000 to 100,000,000", () => {
    expect(loadConfig(required).ledgerTransfersRememberedEvents).toBeUndefined();
    expect(loadConfig({ ...required, HISAAB_LEDGER_TRANSFERS_REMEMBERED_EVENTS: '' }).ledgerTransfersRememberedEvents).toBeUndefined();
    expect(loadConfig({ ...required, HISAAB_LEDGER_TRANSFERS_REMEMBERED_EVENTS: '50000' }).ledgerTransfersRememberedEvents).toBe(50_000);
    expect(loadConfig({ ...required, HISAAB_LEDGER_TRANSFERS_REMEMBERED_EVENTS: '100000000' }).ledgerTransfersRememberedEvents).toBe(
      100_000_000,
    );
  });

  it.each(['9999', '100000001', '1e6', 'all'])('refuses %s, naming the variable and the range', (value) =>
    expect(refusal({ HISAAB_LEDGER_TRANSFERS_REMEMBERED_EVENTS: value })).toContain(
      'HISAAB_LEDGER_TRANSFERS_REMEMBERED_EVENTS must be a whole number from 10000 to 100000000',
    ),
  );
});

describe('loadConfig: HISAAB_PAYERS_REMEMBERED', () => {
  it("leaves the personal-data store's default unless set, and takes 1,000 to 10,000,000", () => {
    expect(loadConfig(required).payerReferencesRemembered).toBeUndefined();
    expect(loadConfig({ ...required, HISAAB_PAYERS_REMEMBERED: '5000' }).payerReferencesRemembered).toBe(5_000);
    expect(refusal({ HISAAB_PAYERS_REMEMBERED: '999' })).toContain('HISAAB_PAYERS_REMEMBERED must be a whole number from 1000 to 10000000');
  });
});

describe('loadConfig: online dispute resolution', () => {
  it('takes issue 12 defaults: 500000.00 cap, 120 days, 5bd and 1bd, no holidays', () => {
    expect(loadConfig(required).disputes).toEqual({
      capMinor: 50_000_000n,
      claimDays: 120,
      respondWithin: { kind: 'businessDays', days: 5 },
      debitedNotCreditedRespondWithin: { kind: 'businessDays', days: 1 },
      holidays: [],
    });
  });

  it('reads every variable', () => {
    expect(
      loadConfig({
        ...required,
        HISAAB_ODR_CAP: '1000.50',
        HISAAB_ODR_CLAIM_DAYS: '30',
        HISAAB_ODR_RESPOND_WITHIN: 'PT30S',
        HISAAB_ODR_DNC_RESPOND_WITHIN: '2bd',
        HISAAB_HOLIDAYS: '2026-03-23,2026-08-14',
      }).disputes,
    ).toEqual({
      capMinor: 100_050n,
      claimDays: 30,
      respondWithin: { kind: 'duration', durationMs: 30_000 },
      debitedNotCreditedRespondWithin: { kind: 'businessDays', days: 2 },
      holidays: ['2026-03-23', '2026-08-14'],
    });
  });

  it('names each bad variable in one refusal', () => {
    const message = refusal({
      HISAAB_ODR_CAP: '-5',
      HISAAB_ODR_CLAIM_DAYS: '0',
      HISAAB_ODR_RESPOND_WITHIN: '5 days',
      HISAAB_ODR_DNC_RESPOND_WITHIN: 'P',
      HISAAB_HOLIDAYS: '2026-13-01',
    });
    for (const variable of [
      'HISAAB_ODR_CAP',
      'HISAAB_ODR_CLAIM_DAYS',
      'HISAAB_ODR_RESPOND_WITHIN',
      'HISAAB_ODR_DNC_RESPOND_WITHIN',
      'HISAAB_HOLIDAYS',
    ]) {
      expect(message).toContain(variable);
    }
  });
});
