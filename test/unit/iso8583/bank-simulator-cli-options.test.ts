import { CliOptionsError, parseCliOptions } from '../../../simulators/bank/cli-options';

describe('the bank simulator command line', () => {
  it('reads flags, with decimal opening balances turned into minor units', () => {
    const options = parseCliOptions(
      [
        '--institution-id',
        '600001',
        '--port',
        '9583',
        '--account',
        'PK36SCBL0000001123456702=1500.50',
        '--account',
        '923001234567=0',
        '--switch',
        '127.0.0.1:8583',
        '--accept-institution',
        '999999',
      ],
      {},
    );
    expect(options).toEqual({
      host: '127.0.0.1',
      port: 9583,
      institutionId: '600001',
      accounts: [
        ['PK36SCBL0000001123456702', 150_050n],
        ['923001234567', 0n],
      ],
      acceptedInstitutionIds: ['999999'],
      switchAddress: { host: '127.0.0.1', port: 8583 },
    });
  });

  it('falls back to HISAAB_BANK_* variables', () => {
    const options = parseCliOptions([], {
      HISAAB_BANK_INSTITUTION_ID: '600002',
      HISAAB_BANK_PORT: '0',
      HISAAB_BANK_ACCOUNTS: 'A1=1.00,A2=2',
      HISAAB_BANK_SWITCH: 'switch.local:8583',
    });
    expect(options).toMatchObject({
      institutionId: '600002',
      port: 0,
      accounts: [
        ['A1', 100n],
        ['A2', 200n],
      ],
      acceptedInstitutionIds: undefined,
      switchAddress: { host: 'switch.local', port: 8583 },
    });
  });

  it.each([
    [['--port', '1'], /--institution-id: an institution id \(DE32\) is 1 to 11 digits/],
    [['--institution-id', '60A'], /1 to 11 digits/],
    [['--institution-id', '1', '--port', '70000'], /--port: a port is a whole number from 0 to 65535/],
    [['--institution-id', '1', '--account', 'PK1=12.345'], /--account PK1: PKR amounts have at most 2 digits/],
    [['--institution-id', '1', '--account', 'PK1'], /ACCOUNT=BALANCE/],
    [['--institution-id', '1', '--switch', 'nowhere'], /HOST:PORT/],
  ])('refuses %j with a sentence', (argv, message) => {
    expect(() => parseCliOptions(argv, {})).toThrow(CliOptionsError);
    expect(() => parseCliOptions(argv, {})).toThrow(message);
  });

  it('refuses an unknown flag', () => {
    expect(() => parseCliOptions(['--institution-id', '1', '--colour', 'red'], {})).toThrow(/Unknown option '--colour'/);
  });
});
