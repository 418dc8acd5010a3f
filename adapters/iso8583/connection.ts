import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { assert } from '../../core/assert';
import { encodeFrame, FrameDecoder } from './framing';
import { describeForLog, type Iso8583Logger } from './logger';
import type { Iso8583Message } from './message';
import { packMessage, unpackMessage, type UnpackFailure } from './packager';

/**
 * One TCP connection speaking the profile, on either side (the switch's server and client, the bank simulator).
 * It frames, unpacks and packs; it bounds the work in flight by pausing the socket instead of queueing without
 * limit; and it drops a peer that cannot be framed, stays silent too long, or stops reading what we send.
 * What a message means is its owner's business (server.ts, client.ts).
 */

export type ConnectionLimits = {
  /** The largest frame body accepted or sent. */
  frameBodyBytesMax: number;
  /** Messages handed to the owner and not finished yet; at this many the socket stops reading. */
  inFlightMax: number;
  /** Nothing received for this long: the peer is gone or half-open, and the connection is dropped. */
  idleTimeoutMs: number;
  /** A frame begun but not completed within this long (a slow or stuck sender) drops the connection. */
  partialFrameTimeoutMs: number;
  /** Bytes queued for a peer that does not read them; beyond this the connection is dropped. */
  writeBufferBytesMax: number;
  /** Frames in a row that frame but do not parse; beyond this the peer is not speaking the profile. */
  malformedFramesInARowMax: number;
};

export const defaultConnectionLimits: ConnectionLimits = {
  frameBodyBytesMax: 8 * 1024,
  inFlightMax: 64,
  idleTimeoutMs: 120_000,
  partialFrameTimeoutMs: 10_000,
  writeBufferBytesMax: 1024 * 1024,
  malformedFramesInARowMax: 64,
};

export type CloseReason =
  | 'peer_closed'
  | 'socket_error'
  | 'idle_timeout'
  | 'partial_frame_timeout'
  | 'oversize_frame'
  | 'too_many_malformed_frames'
  | 'write_buffer_full'
  | 'buffer_overflow'
  | 'local_close';

export type ConnectionHandlers = {
  /** A message that parsed. A returned promise holds one in-flight slot until it settles; it must not reject. */
  onMessage(message: Iso8583Message, connection: Iso8583Connection): void | Promise<void>;
  /** A frame that framed but did not parse against the profile. */
  onMalformedFrame(failure: UnpackFailure, connection: Iso8583Connection): void;
  onClose(reason: CloseReason, connection: Iso8583Connection): void;
};

/** Bytes held unread while the socket is paused for in-flight work: a few socket chunks' worth. */
const PAUSED_READ_BUFFER_BYTES_MAX = 1024 * 1024;

let nextConnectionNumber = 1;

export class Iso8583Connection {
  readonly id: string;
  /** The peer's IP address, IPv4-mapped IPv6 addresses written as plain IPv4. */
  readonly peerAddress: string;
  private readonly socket: Socket;
  private readonly handlers: ConnectionHandlers;
  private readonly limits: ConnectionLimits;
  private readonly logger: Iso8583Logger;
  private readonly decoder: FrameDecoder;
  private readonly watchdog: NodeJS.Timeout;
  private inFlight = 0;
  private malformedInARow = 0;
  private lastReceivedAtMs: number;
  private partialFrameSinceMs: number | null = null;
  private closedReason: CloseReason | null = null;

  constructor(socket: Socket, handlers: ConnectionHandlers, limits: ConnectionLimits, logger: Iso8583Logger) {
    assert(limits.inFlightMax >= 1 && limits.malformedFramesInARowMax >= 1, 'connection limits are positive');
    this.id = `iso-${nextConnectionNumber++}`;
    this.socket = socket;
    this.handlers = handlers;
    this.limits = limits;
    this.logger = logger;
    this.peerAddress = normalizeAddress(socket.remoteAddress ?? '');
    this.decoder = new FrameDecoder(limits.frameBodyBytesMax);
    this.lastReceivedAtMs = performance.now();
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (error) => {
      this.logger.debug({ connection: this.id, err: error.message }, 'iso8583 socket error');
      this.close('socket_error');
    });
    socket.on('close', () => this.close('peer_closed'));
    const watchdogIntervalMs = Math.max(5, Math.floor(Math.min(limits.idleTimeoutMs, limits.partialFrameTimeoutMs) / 4));
    this.watchdog = setInterval(() => this.checkTimeouts(), watchdogIntervalMs);
    this.watchdog.unref();
  }

  get isOpen(): boolean {
    return this.closedReason === null;
  }

  get inFlightCount(): number {
    return this.inFlight;
  }

  /** Packs and writes a message. False when the connection is closed or the message does not fit the profile. */
  send(message: Iso8583Message): boolean {
    if (this.closedReason !== null) return false;
    let body: Buffer;
    try {
      body = packMessage(message);
    } catch (error) {
      // The server answers only with messages it checked against the profile, so this is a caller's bug made visible.
      this.logger.warn(
        { connection: this.id, message: describeForLog(message), err: (error as Error).message },
        'iso8583 message could not be packed',
      );
      return false;
    }
    return this.sendFrameBody(body);
  }

  /**
   * Writes one frame with this body as it is: a packed message, or (a simulator playing a broken peer) bytes
   * that are not one. False when the connection is closed or the body exceeds the frame limit.
   */
  sendFrameBody(body: Buffer): boolean {
    if (this.closedReason !== null) return false;
    if (body.length > this.limits.frameBodyBytesMax) {
      this.logger.error({ connection: this.id, bytes: body.length }, 'iso8583 message exceeds the frame limit');
      return false;
    }
    this.socket.write(encodeFrame(body, this.limits.frameBodyBytesMax));
    if (this.socket.writableLength > this.limits.writeBufferBytesMax) {
      this.close('write_buffer_full');
      return false;
    }
    return true;
  }

  close(reason: CloseReason): void {
    if (this.closedReason !== null) return;
    this.closedReason = reason;
    clearInterval(this.watchdog);
    if (reason === 'local_close') {
      // Let responses already written reach the peer; destroy anyway if it never acknowledges the end.
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 1_000).unref();
    } else {
      this.socket.destroy();
    }
    if (reason !== 'peer_closed' && reason !== 'local_close')
      this.logger.info({ connection: this.id, peer: this.peerAddress, reason }, 'iso8583 connection dropped');
    this.handlers.onClose(reason, this);
  }

  private receive(chunk: Buffer): void {
    if (this.closedReason !== null) return;
    this.lastReceivedAtMs = performance.now();
    this.decoder.push(chunk);
    this.pump();
  }

  /** Pulls frames while there is room for more work; pauses the socket when there is not. */
  private pump(): void {
    while (this.closedReason === null && this.inFlight < this.limits.inFlightMax) {
      const read = this.decoder.next();
      if (read.kind === 'incomplete') break;
      if (read.kind === 'oversize') {
        this.logger.warn({ connection: this.id, declaredBytes: read.declaredBytes }, 'iso8583 frame header over the limit');
        this.close('oversize_frame');
        return;
      }
      this.partialFrameSinceMs = null;
      this.dispatch(read.body);
    }
    if (this.closedReason !== null) return;
    if (this.inFlight >= this.limits.inFlightMax) {
      this.socket.pause();
      // While paused only the chunks already on their way arrive; a peer whose backlog grows past that is refused.
      if (this.decoder.bufferedBytes > PAUSED_READ_BUFFER_BYTES_MAX) this.close('buffer_overflow');
      return;
    }
    this.socket.resume();
    this.partialFrameSinceMs = this.decoder.bufferedBytes > 0 ? (this.partialFrameSinceMs ?? performance.now()) : null;
  }

  private dispatch(body: Buffer): void {
    const result = unpackMessage(body);
    if (!result.ok) {
      this.malformedInARow += 1;
      this.handlers.onMalformedFrame(result.failure, this);
      if (this.malformedInARow >= this.limits.malformedFramesInARowMax) this.close('too_many_malformed_frames');
      return;
    }
    this.malformedInARow = 0;
    const handling = this.handlers.onMessage(result.message, this);
    if (handling === undefined) return;
    this.inFlight += 1;
    handling
      .catch((error: unknown) =>
        this.logger.error({ connection: this.id, err: (error as Error).message }, 'iso8583 message handler failed'),
      )
      .finally(() => {
        this.inFlight -= 1;
        if (this.closedReason === null) this.pump();
      });
  }

  private checkTimeouts(): void {
    const nowMs = performance.now();
    if (nowMs - this.lastReceivedAtMs >= this.limits.idleTimeoutMs) {
      this.close('idle_timeout');
    } else if (this.partialFrameSinceMs !== null && nowMs - this.partialFrameSinceMs >= this.limits.partialFrameTimeoutMs) {
      this.close('partial_frame_timeout');
    }
  }
}

export function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
}
