import { createServer, type Server } from 'node:net';
import { loadConfig } from '../../../api/config';
import { portProblemMessage } from '../../../api/port-in-use';

/** The error Node gives when listening fails, produced for real by listening twice on one port. */
async function listenFailure(port: number): Promise<{ error: unknown; holder: Server }> {
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', () => resolve()));
  const address = holder.address();
  if (address === null || typeof address !== 'object') throw new Error('no port');
  const second = createServer();
  const error = await new Promise<unknown>((resolve) => {
    second.once('error', resolve);
    second.listen(address.port, '127.0.0.1');
  });
  return { error, holder };
}

const configWith = (environment: Record<string, string>) =>
  loadConfig({
    HISAAB_OPERATOR_KEY: 'operator-test-key-0123456789abcdef',
    HISAAB_DATA_DIR: '/tmp/unused',
    HISAAB_HOST: '127.0.0.1',
    ...environment,
  });

describe('portProblemMessage', () => {
  it('names both variables when they name the same port, since either may be the one to change', async () => {
    const { error, holder } = await listenFailure(0);
    try {
      const port = String((error as { port: number }).port);
      const message = portProblemMessage(error, configWith({ HISAAB_PORT: port, HISAAB_ISO8583_PORT: port }));
      expect(message).toBe(
        `port ${port} on 127.0.0.1 (the HTTP API or the ISO 8583 channel for banks) is already in use; set HISAAB_PORT or HISAAB_ISO8583_PORT to a free port (0 picks one), or stop the program that holds it`,
      );
    } finally {
      holder.close();
    }
  });

  it('names HISAAB_HOST when the host to listen on is not an address this machine can resolve', async () => {
    const config = configWith({ HISAAB_HOST: 'no-such-host.invalid' });
    // The error Node gives, for real: listening on a name the resolver does not know.
    const error = await new Promise<unknown>((resolve) => {
      const server = createServer();
      server.once('error', resolve);
      server.listen(0, config.host);
    });
    expect(portProblemMessage(error, config)).toBe(
      'HISAAB_HOST "no-such-host.invalid" is not an address or host name of this machine; set HISAAB_HOST to one of its addresses (default 0.0.0.0, every interface; 127.0.0.1 this machine only)',
    );
  });

  it('leaves every other failure to its full report', () => {
    expect(portProblemMessage(new Error('disk full'), configWith({}))).toBeNull();
    expect(
      portProblemMessage(
        Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', syscall: 'connect', port: 8080 }),
        configWith({}),
      ),
    ).toBeNull();
  });
});
