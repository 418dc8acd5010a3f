import { createServer, type Server } from 'node:net';
import { startTestSwitch } from '../../support/switch-process';
import { tempDir } from '../../support/temp-dir';

function listenOn(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

function closed(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

function portOf(server: Server): number {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on a TCP port');
  return address.port;
}

/**
 * The HTTP server starts last, after the ISO 8583 port is open and every module before it runs. When it cannot
 * listen, the start fails and everything started so far is stopped: the bank port is free again, and the data dir
 * starts a switch as if nothing had happened.
 */
it('stops every module started so far when the start fails half-way', async () => {
  const directory = tempDir('hisaab-assembly-');
  const occupied = await listenOn(0);
  const isoProbe = await listenOn(0);
  const iso8583Port = portOf(isoProbe);
  await closed(isoProbe);
  try {
    await expect(
      startTestSwitch({
        dataDir: directory.path,
        environment: { HISAAB_PORT: String(portOf(occupied)), HISAAB_ISO8583_PORT: String(iso8583Port) },
      }),
    ).rejects.toThrow(/EADDRINUSE/);
    await closed(await listenOn(iso8583Port));
    const restarted = await startTestSwitch({ dataDir: directory.path, environment: { HISAAB_ISO8583_PORT: String(iso8583Port) } });
    try {
      expect(restarted.running.iso8583Port).toBe(iso8583Port);
      expect((await restarted.client.get('/healthz')).status).toBe(200);
    } finally {
      await restarted.stop();
    }
  } finally {
    await closed(occupied);
    directory.remove();
  }
});
