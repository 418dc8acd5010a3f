import fc from 'fast-check';
import { encodeFrame, FRAME_BODY_BYTES_MAX, FrameDecoder } from '../../../adapters/iso8583/framing';

function frames(decoder: FrameDecoder): Buffer[] {
  const bodies: Buffer[] = [];
  for (;;) {
    const read = decoder.next();
    if (read.kind !== 'frame') return bodies;
    bodies.push(read.body);
  }
}

describe('length-prefixed framing', () => {
  it('writes a 2-byte big-endian length that does not count itself', () => {
    const frame = encodeFrame(Buffer.from('0800abc'));
    expect([...frame.subarray(0, 2)]).toEqual([0, 7]);
    expect(frame.subarray(2).toString('latin1')).toBe('0800abc');
    expect(encodeFrame(Buffer.alloc(300)).readUInt16BE(0)).toBe(300);
  });

  it('joins a frame split across chunks, down to single bytes', () => {
    const decoder = new FrameDecoder();
    const frame = encodeFrame(Buffer.from('hello, bank'));
    for (const byte of frame.subarray(0, frame.length - 1)) {
      decoder.push(Buffer.from([byte]));
      expect(decoder.next()).toEqual({ kind: 'incomplete' });
    }
    decoder.push(frame.subarray(frame.length - 1));
    expect(frames(decoder).map((body) => body.toString())).toEqual(['hello, bank']);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('cuts several frames out of one chunk and keeps the partial tail', () => {
    const decoder = new FrameDecoder();
    const third = encodeFrame(Buffer.from('three'));
    decoder.push(Buffer.concat([encodeFrame(Buffer.from('one')), encodeFrame(Buffer.from('two')), third.subarray(0, 3)]));
    expect(frames(decoder).map((body) => body.toString())).toEqual(['one', 'two']);
    expect(decoder.bufferedBytes).toBe(3);
    decoder.push(third.subarray(3));
    expect(frames(decoder).map((body) => body.toString())).toEqual(['three']);
  });

  it('passes a zero-length frame through for the parser to refuse', () => {
    const decoder = new FrameDecoder();
    decoder.push(Buffer.from([0, 0]));
    const read = decoder.next();
    expect(read.kind).toBe('frame');
    expect(read.kind === 'frame' && read.body.length).toBe(0);
  });

  it('accepts a body of exactly 8 KiB and refuses a header over it before any body byte arrives', () => {
    const decoder = new FrameDecoder();
    decoder.push(encodeFrame(Buffer.alloc(FRAME_BODY_BYTES_MAX, 0x30)));
    expect(frames(decoder)[0]?.length).toBe(FRAME_BODY_BYTES_MAX);

    const refusing = new FrameDecoder();
    refusing.push(Buffer.from([0x20, 0x01]));
    expect(refusing.next()).toEqual({ kind: 'oversize', declaredBytes: FRAME_BODY_BYTES_MAX + 1 });
    expect(refusing.bufferedBytes).toBe(0);
    expect(() => refusing.push(Buffer.from('x'))).toThrow(/invariant/);
  });

  it('refuses to write a body larger than the limit', () => {
    expect(() => encodeFrame(Buffer.alloc(FRAME_BODY_BYTES_MAX + 1))).toThrow(/at most 8192 bytes/);
  });

  it('recovers exactly the bodies sent, however the stream is chunked', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 0, maxLength: 300 }), { minLength: 1, maxLength: 20 }),
        fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 50 }),
        (bodies, cuts) => {
          const stream = Buffer.concat(bodies.map((body) => encodeFrame(Buffer.from(body))));
          const decoder = new FrameDecoder();
          const received: Buffer[] = [];
          let offset = 0;
          for (let index = 0; offset < stream.length; index++) {
            const size = cuts[index % cuts.length] ?? 1;
            decoder.push(stream.subarray(offset, offset + size));
            offset += size;
            received.push(...frames(decoder));
          }
          expect(received.map((body) => body.toString('hex'))).toEqual(bodies.map((body) => Buffer.from(body).toString('hex')));
          expect(decoder.bufferedBytes).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });
});
