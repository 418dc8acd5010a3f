import { connect, type Socket } from 'node:net';
import { encodeFrame, FrameDecoder } from '../../adapters/iso8583/framing';
import type { Iso8583Message } from '../../adapters/iso8583/message';
import { packMessage, unpackMessage } from '../../adapters/iso8583/packager';

/**
 * The TCP phase's bank host: it writes exactly the bytes it is given and reads back what the switch answers,
 * without any channel logic of its own. Answers that do not parse are kept: each one is a violation.
 */
export class FuzzPeer {
  private readonly socket: Socket;
  private readonly decoder = new FrameDecoder(0xffff);
  private readonly inbox: Iso8583Message[] = [];
  private wake: (() => void) | null = null;
  readonly unparseableAnswers: string[] = [];
  private closed = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.decoder.push(chunk);
      for (let read = this.decoder.next(); read.kind === 'frame'; read = this.decoder.next()) {
        const result = unpackMessage(read.body);
        if (result.ok) this.inbox.push(result.message);
        else this.unparseableAnswers.push(`${result.failure.code}: ${read.body.toString('hex')}`);
      }
      this.notify();
    });
    socket.on('error', () => undefined);
    socket.once('close', () => {
      this.closed = true;
      this.notify();
    });
  }

  static connect(port: number): Promise<FuzzPeer> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => resolve(new FuzzPeer(socket)));
      socket.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  send(message: Iso8583Message): void {
    this.write(encodeFrame(packMessage(message)));
  }

  write(bytes: Buffer): void {
    if (!this.closed) this.socket.write(bytes);
  }

  /** Waits until `done` holds for the messages received so far (which it may consume), the connection closes, or the time runs out. */
  async waitFor(done: (inbox: Iso8583Message[]) => boolean, timeoutMs: number): Promise<boolean> {
    const deadlineMs = Date.now() + timeoutMs;
    for (;;) {
      if (done(this.inbox)) return true;
      if (this.closed) return false;
      const remainingMs = deadlineMs - Date.now();
      if (remainingMs <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remainingMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  destroy(): void {
    this.socket.destroy();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
