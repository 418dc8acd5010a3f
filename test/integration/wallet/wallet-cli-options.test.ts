import { parseWalletCliOptions, WalletCliOptionsError } from '../../../simulators/wallet/cli-options';

/** `npm run sim:wallet` as the README's quick start calls it. */
describe('the wallet simulator command line', () => {
  it('reads the quick start flags: participant, port, signing secret and customers with spaces in their names', () => {
    const options = parseWalletCliOptions(
      [
        '--participant',
        'MARGALLA',
        '--port',
        '9101',
        '--signing-secret',
        'whsec_abcdefghijklmnop0123',
        '--customer',
        'MRGL000001:923001111111:Ayesha Khan:100000.00',
        '--customer',
        'MRGL000002:923001111112:Bilal: the Second:0',
      ],
      {},
    );
    expect(options).toEqual({
      participantId: 'MARGALLA',
      host: '127.0.0.1',
      port: 9101,
      currency: 'PKR',
      signingSecrets: ['whsec_abcdefghijklmnop0123'],
      accounts: [
        { walletNumber: 'MRGL000001', msisdn: '923001111111', name: 'Ayesha Khan', balanceMinor: 10_000_000n },
        { walletNumber: 'MRGL000002', msisdn: '923001111112', name: 'Bilal: the Second', balanceMinor: 0n },
      ],
      switchConnection: null,
    });
  });

  it('still reads the WALLET_* environment, flags first', () => {
    const options = parseWalletCliOptions(['--port', '0'], {
      WALLET_PARTICIPANT_ID: 'RAVI',
      WALLET_PORT: '9102',
      WALLET_ACCOUNTS: JSON.stringify([{ walletNumber: 'RAVI000001', msisdn: '923002222221', name: 'Chand Bibi', balance: '5.50' }]),
      HISAAB_SWITCH_URL: 'http://127.0.0.1:8080',
      WALLET_PARTICIPANT_KEY: 'hk_test',
    });
    expect(options.participantId).toBe('RAVI');
    expect(options.port).toBe(0);
    expect(options.accounts).toEqual([{ walletNumber: 'RAVI000001', msisdn: '923002222221', name: 'Chand Bibi', balanceMinor: 550n }]);
    expect(options.switchConnection).toEqual({ switchUrl: 'http://127.0.0.1:8080', participantKey: 'hk_test' });
  });

  it.each([
    [['--port', '9101'], /--participant: a participant id/],
    [['--participant', 'MARGALLA', '--port', '70000'], /--port: a port is a whole number/],
    [['--participant', 'MARGALLA', '--customer', 'MRGL000001:Ayesha'], /--customer takes WALLET_NUMBER:MSISDN:NAME:BALANCE/],
    [['--participant', 'MARGALLA', '--customer', 'MRGL000001:923001111111:Ayesha Khan:12.345'], /--customer MRGL000001: /],
    [['--participant', 'MARGALLA', '--key', 'hk_test'], /--switch-url and --key go together/],
    // What `field signingSecret` prints for a key that was not the participant's first: its signingSecret is null.
    [['--participant', 'MARGALLA', '--signing-secret', 'null'], /--signing-secret: a signing secret is the whsec_/],
    [
      ['--participant', 'MARGALLA', '--signing-secret', 'whsec_abcdefghijklmnop0123,undefined'],
      /--signing-secret: a signing secret is the whsec_/,
    ],
  ])('refuses %j with a message naming the flag', (argv, message) => {
    expect(() => parseWalletCliOptions(argv, {})).toThrow(WalletCliOptionsError);
    expect(() => parseWalletCliOptions(argv, {})).toThrow(message);
  });
});
