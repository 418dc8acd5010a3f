import { connect, type Socket } from 'node:net';
import { connect as connectTls, type ConnectionOptions } from 'node:tls';
import { encodeFrame, FrameDecoder } from '../../../adapters/iso8583/framing';
import type { Iso8583Message } from '../../../adapters/iso8583/message';
import { packMessage, unpackMessage } from '../../../adapters/iso8583/packager';

/**
 * A bare TCP peer for the tests: it writes exactly the bytes a test gives it (well-formed or not) and reads
 * the frames that come back, without any of the channel logic under test.
 */
export class RawIsoPeer {
  private readonly socket: Socket;
  private readonly decoder = new FrameDecoder(0xffff);
  private readonly received: Iso8583Message[] = [];
  private readonly waiters: Array<(message: Iso8583Message) => void> = [];
  /** Frames from the side under test that did not parse: every test expects none. */
  readonly unparseableFrames: string[] = [];
  private closedFlag = false;
  private readonly closedPromise: Promise<void>;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.decoder.push(chunk);
      for (let read = this.decoder.next(); read.kind === 'frame'; read = this.decoder.next()) {
        const result = unpackMessage(read.body);
        if (!result.ok) {
          this.unparseableFrames.push(result.failure.message);
          continue;
        }
        const waiter = this.waiters.shift();
        if (waiter !== undefined) waiter(result.message);
        else this.received.push(result.message);
      }
    });
    socket.on('error', () => undefined);
    this.closedPromise = new Promise((resolve) =>
      socket.once('close', () => {
        this.closedFlag = true;
        resolve();
      }),
    );
  }

  static connect(port: number): Promise<RawIsoPeer> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => resolve(new RawIsoPeer(socket)));
      socket.once('error', reject);
    });
  }

  /** Over TLS (the switch's port with HISAAB_TLS_CERT): resolves once the client's side of the handshake is done. */
  static connectTls(port: number, options: ConnectionOptions): Promise<RawIsoPeer> {
    return new Promise((resolve, reject) => {
      const socket = connectTls({ host: '127.0.0.1', port, servername: 'localhost', ...options });
      socket.once('secureConnect', () => resolve(new RawIsoPeer(socket)));
      socket.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.closedFlag;
  }

  send(message: Iso8583Message): void {
    this.sendBytes(encodeFrame(packMessage(message)));
  }

  sendBytes(bytes: Buffer): void {
    if (!this.closedFlag) this.socket.write(bytes);
  }

  sendFrame(body: Buffer): void {
    const header = Buffer.alloc(2);
    header.writeUInt16BE(body.length);
    this.sendBytes(Buffer.concat([header, body]));
  }

  nextMessage(timeoutMs = 2_000): Promise<Iso8583Message> {
    const ready = this.received.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const index = this.waiters.indexOf(deliver);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(new Error(`no message within ${timeoutMs} ms`));
      }, timeoutMs);
      const deliver = (message: Iso8583Message): void => {
        clearTimeout(timer);
        resolve(message);
      };
      this.waiters.push(deliver);
    });
  }

  /** Resolves with nothing if no message arrives within the time: for asserting silence. */
  async noMessageWithin(timeoutMs: number): Promise<Iso8583Message | null> {
    try {
      return await this.nextMessage(timeoutMs);
    } catch {
      return null;
    }
  }

  async exchange(message: Iso8583Message, timeoutMs = 2_000): Promise<Iso8583Message> {
    this.send(message);
    return this.nextMessage(timeoutMs);
  }

  /** Resolves true when the other side closes the connection within the time. */
  async closedWithin(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const result = await Promise.race([this.closedPromise.then(() => true), timeout]);
    clearTimeout(timer);
    return result;
  }

  destroy(): void {
    this.socket.destroy();
  }
}
