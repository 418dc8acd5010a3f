import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HttpClient, errorCode } from '../support/http-client';
import { participantBody, runSwitchExpectingExit, spawnSwitch, testOperatorKey } from '../support/switch-process';
import { tempDir } from '../support/temp-dir';

/** The switch as `npm run serve` runs it: a child process configured by the environment. */
describe('npm run serve', () => {
  it('refuses to start without HISAAB_OPERATOR_KEY, saying so', async () => {
    const directory = tempDir('hisaab-serve-');
    try {
      const result = await runSwitchExpectingExit({ HISAAB_PORT: '0', HISAAB_DATA_DIR: directory.path });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('HISAAB_OPERATOR_KEY is required');
      expect(result.stdout).not.toContain('listening');
    } finally {
      directory.remove();
    }
  });

  it('refuses a weak operator key, a bad port and an unknown event store, all in one message', async () => {
    const result = await runSwitchExpectingExit({ HISAAB_PORT: '70000', HISAAB_OPERATOR_KEY: 'short', HISAAB_EVENTSTORE: 'mysql://db' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('HISAAB_OPERATOR_KEY must be at least 16 characters (it guards every operator action); got 5');
    // A refusal of the configuration is a sentence for the operator, not a crash.
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stderr).toContain('HISAAB_PORT must be a whole number from 0 to 65535');
    expect(result.stderr).toContain(
      'HISAAB_EVENTSTORE must be sqlite:<path>, a postgres:// (or postgresql://) connection string, or an esdb://',
    );
  });

  it('refuses a data dir that is a file, or a host it cannot resolve, in one line naming the variable', async () => {
    const directory = tempDir('hisaab-serve-');
    try {
      const file = join(directory.path, 'a-file');
      writeFileSync(file, 'not a directory');
      const dataDirIsFile = await runSwitchExpectingExit({ HISAAB_PORT: '0', HISAAB_OPERATOR_KEY: testOperatorKey, HISAAB_DATA_DIR: file });
      expect(dataDirIsFile.code).toBe(2);
      expect(dataDirIsFile.stderr).toBe(`hisaab: refusing to start: HISAAB_DATA_DIR ${file} is not a directory\n`);
      const unknownHost = await runSwitchExpectingExit({
        HISAAB_PORT: '0',
        HISAAB_OPERATOR_KEY: testOperatorKey,
        HISAAB_DATA_DIR: join(directory.path, 'data'),
        HISAAB_HOST: 'no-such-host.invalid',
      });
      expect(unknownHost.code).toBe(2);
      expect(unknownHost.stderr).toMatch(/^hisaab: refusing to start: HISAAB_HOST "no-such-host.invalid" is not an address [^\n]*\n$/);
    } finally {
      directory.remove();
    }
  });

  it('logs "listening", serves, stops on SIGTERM, and continues where it stopped after a restart', async () => {
    const directory = tempDir('hisaab-serve-');
    const environment = { HISAAB_PORT: '0', HISAAB_DATA_DIR: directory.path, HISAAB_OPERATOR_KEY: testOperatorKey };
    try {
      const first = await spawnSwitch(environment);
      const listening = first.lines.find((line) => (line as { msg?: string }).msg === 'listening');
      expect(listening).toMatchObject({ level: 'info', msg: 'listening', port: first.port });
      const client = new HttpClient(first.url);
      expect((await client.post('/v1/participants', { key: testOperatorKey, body: participantBody('MARGALLA', 'MRGL') })).status).toBe(201);
      const { key } = (await client.post('/v1/participants/MARGALLA/keys', { key: testOperatorKey })).body as { key: string };
      const funded = await client.post('/v1/participants/MARGALLA/funds', {
        key: testOperatorKey,
        body: { direction: 'IN', amount: '1234.56', reference: 'RTGS-1' },
        headers: { 'idempotency-key': 'serve-funds-1' },
      });
      expect(funded.status).toBe(201);
      expect(await first.stop('SIGTERM')).toBe(0);
      expect(first.lines).toContainEqual(expect.objectContaining({ msg: 'stopped' }));

      // Same data dir, with the event store named explicitly this time: the same file.
      const second = await spawnSwitch({ ...environment, HISAAB_EVENTSTORE: `sqlite:${join(directory.path, 'hisaab.db')}` });
      try {
        const again = new HttpClient(second.url);
        const participant = await again.get('/v1/participants/MARGALLA', { key });
        expect(participant.status).toBe(200);
        expect(participant.body).toMatchObject({ id: 'MARGALLA', liquidity: '1234.56', netDebitCap: '1000000.00' });
        const duplicate = await again.post('/v1/participants', { key: testOperatorKey, body: participantBody('MARGALLA', 'MRGL') });
        expect(errorCode(duplicate)).toBe('PARTICIPANT_EXISTS');
        const replay = await again.post('/v1/participants/MARGALLA/funds', {
          key: testOperatorKey,
          body: { direction: 'IN', amount: '1234.56', reference: 'RTGS-1' },
          headers: { 'idempotency-key': 'serve-funds-1' },
        });
        expect(replay.status).toBe(201);
        expect((await again.get('/v1/participants/MARGALLA', { key })).body).toMatchObject({ liquidity: '1234.56' });
      } finally {
        expect(await second.stop('SIGTERM')).toBe(0);
      }
    } finally {
      directory.remove();
    }
  });
});
