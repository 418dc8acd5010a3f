import { assert } from '../../core/assert';

/**
 * Framing for ISO 8583 over TCP (docs/ARCHITECTURE.md section 9): every message is preceded by a 2-byte big-endian
 * length that does not count itself. No TPDU.
 */

export const FRAME_HEADER_BYTES = 2;
/** The profile's limit; a header that declares more is refused before a byte of the body is read. */
export const FRAME_BODY_BYTES_MAX = 8 * 1024;

export function encodeFrame(body: Buffer, frameBodyBytesMax: number = FRAME_BODY_BYTES_MAX): Buffer {
  assert(body.length <= frameBodyBytesMax, `a frame body holds at most ${frameBodyBytesMax} bytes, got ${body.length}`);
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length);
  frame.writeUInt16BE(body.length, 0);
  body.copy(frame, FRAME_HEADER_BYTES);
  return frame;
}

export type FrameRead =
  | { readonly kind: 'frame'; readonly body: Buffer }
  | { readonly kind: 'incomplete' }
  /** The stream cannot be framed any further; the connection must be dropped. */
  | { readonly kind: 'oversize'; readonly declaredBytes: number };

/**
 * Cuts a TCP byte stream into frames. Bytes arrive in chunks of any size: a frame may span several chunks
 * and one chunk may hold several frames. The caller pushes chunks and pulls frames one at a time, so it can
 * stop pulling (and pause the socket) when it has enough work in flight.
 */
export class FrameDecoder {
  private readonly frameBodyBytesMax: number;
  private buffered: Buffer = Buffer.alloc(0);
  private refused = false;

  constructor(frameBodyBytesMax: number = FRAME_BODY_BYTES_MAX) {
    assert(
      Number.isSafeInteger(frameBodyBytesMax) && frameBodyBytesMax > 0 && frameBodyBytesMax <= 0xffff,
      'the frame limit fits a 2-byte header',
    );
    this.frameBodyBytesMax = frameBodyBytesMax;
  }

  push(chunk: Buffer): void {
    assert(!this.refused, 'no bytes are pushed after the stream was refused');
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
  }

  next(): FrameRead {
    if (this.buffered.length < FRAME_HEADER_BYTES) return { kind: 'incomplete' };
    const declaredBytes = this.buffered.readUInt16BE(0);
    if (declaredBytes > this.frameBodyBytesMax) {
      this.refused = true;
      this.buffered = Buffer.alloc(0);
      return { kind: 'oversize', declaredBytes };
    }
    const frameEnd = FRAME_HEADER_BYTES + declaredBytes;
    if (this.buffered.length < frameEnd) return { kind: 'incomplete' };
    // A copy, so that a retained message never pins the (possibly large) chunk it arrived in.
    const body = Buffer.from(this.buffered.subarray(FRAME_HEADER_BYTES, frameEnd));
    this.buffered = this.buffered.subarray(frameEnd);
    return { kind: 'frame', body };
  }

  /** Bytes received but not yet returned as a frame: a partial frame, or whole frames not pulled yet. */
  get bufferedBytes(): number {
    return this.buffered.length;
  }
}
