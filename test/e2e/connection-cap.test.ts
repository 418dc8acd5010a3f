/**
 * The per-process socket cap (HISAAB_MAX_CONNECTIONS, api/connection-cap.ts): with as many clients' connections
 * open as the cap allows a port, a new one is closed at accept without an answer, while the connections already
 * open keep working, and once one closes a new one is served again. The real switch, real TCP sockets on both
 * the HTTP port and the ISO 8583 port.
 */
import { connect, type Socket } from 'node:net';
import { connectionShares } from '../../api/connection-cap';
import { startTestSwitch, type TestSwitch } from '../support/switch-process';
import { waitUntil } from '../support/wait-until';

const maxConnections = 8;
const shares = connectionShares(maxConnections);
/** A refused connection is closed at once; this only bounds the wait for a switch on a loaded machine. */
const answerTimeoutMs = 10_000;

let testSwitch: TestSwitch;
const openSockets: Socket[] = [];

beforeAll(async () => {
  testSwitch = await startTestSwitch({ environment: { HISAAB_MAX_CONNECTIONS: String(maxConnections) } });
});

afterAll(async () => {
  for (const socket of openSockets) socket.destroy();
  await testSwitch.close();
});

/** A TCP connection to a port of the switch, connected (the kernel completes the handshake before node accepts). */
function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
    openSockets.push(socket);
  });
}

type Exchange = { kind: 'answered'; text: string } | { kind: 'closed'; text: string };

/**
 * Writes a keep-alive GET on the socket and waits for either a whole answer (its headers and the body its
 * Content-Length announces) or the connection's end; a refused connection ends without a byte.
 */
function exchange(socket: Socket, path: string): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => finish(() => reject(new Error(`no answer and no close within ${answerTimeoutMs} ms`))), answerTimeoutMs);
    const finish = (settle: () => void): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.off('error', onError);
      settle();
    };
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('latin1');
      const headerEnd = text.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: (\d+)/i.exec(text)?.[1];
      if (headerEnd !== -1 && length !== undefined && text.length >= headerEnd + 4 + Number(length))
        finish(() => resolve({ kind: 'answered', text }));
    };
    const onClose = (): void => finish(() => resolve({ kind: 'closed', text }));
    // A connection closed at accept may be reset rather than ended when the request is already on its way.
    const onError = (): void => finish(() => resolve({ kind: 'closed', text }));
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.once('error', onError);
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n`);
  });
}

function httpPort(): number {
  return Number(new URL(testSwitch.url).port);
}

async function answered(socket: Socket, path: string): Promise<string> {
  const result = await exchange(socket, path);
  expect(result.kind).toBe('answered');
  expect(result.text.startsWith('HTTP/1.1 200')).toBe(true);
  return result.text;
}

it('closes an HTTP connection past its share of the cap at accept, and keeps the open ones serving', async () => {
  expect(shares).toEqual({ http: 6, iso8583: 2 });
  // The whole HTTP share held by keep-alive connections, each having been answered once (so each is counted).
  const held: Socket[] = [];
  for (let index = 0; index < shares.http; index += 1) {
    const socket = await open(httpPort());
    await answered(socket, '/healthz');
    held.push(socket);
  }
  const extra = await open(httpPort());
  const refused = await exchange(extra, '/healthz');
  expect(refused).toEqual({ kind: 'closed', text: '' });
  // The connections already open still work, and the refusal is counted on the metrics.
  const first = held[0];
  if (first === undefined) throw new Error('connections are held');
  const metrics = await answered(first, '/metrics');
  expect(metrics).toMatch(/^hisaab_connections_dropped_total\{port="http"\} 1$/m);
  for (const socket of held) await answered(socket, '/healthz');
  // One closed frees its place: a new connection is served again.
  held.pop()?.destroy();
  await waitUntil(
    async () => {
      const socket = await open(httpPort());
      const result = await exchange(socket, '/healthz');
      if (result.kind === 'answered') return true;
      socket.destroy();
      return false;
    },
    'a new HTTP connection is served once one of the held ones closed',
    answerTimeoutMs,
  );
  for (const socket of held) socket.destroy();
}, 60_000);

it('closes an ISO 8583 connection past its share of the cap at accept, and keeps the open ones', async () => {
  const server = testSwitch.running.transfers.bankChannel.inboundServer;
  if (server === null) throw new Error('the switch listens for banks over ISO 8583');
  const port = testSwitch.running.iso8583Port;
  const refusedBefore = server.statistics().connectionsRefused;
  const held: Socket[] = [];
  for (let index = 0; index < shares.iso8583; index += 1) held.push(await open(port));
  await waitUntil(() => server.connectionCount === shares.iso8583, 'the ISO 8583 server holds its whole share', answerTimeoutMs);
  const heldClosed = held.map(() => false);
  held.forEach((socket, index) => socket.once('close', () => (heldClosed[index] = true)));
  const extra = await open(port);
  const extraEnded = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), answerTimeoutMs);
    extra.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
    extra.on('error', () => undefined);
  });
  expect(extraEnded).toBe(true);
  expect(server.statistics().connectionsRefused).toBe(refusedBefore + 1);
  expect(server.connectionCount).toBe(shares.iso8583);
  expect(heldClosed).toEqual(held.map(() => false));
  for (const socket of held) socket.destroy();
}, 60_000);
