import { parseIsoFuzzArguments } from '../../../scripts/fuzz-iso8583';

describe('fuzz:iso8583 arguments', () => {
  it('defaults to a million frames in-process and 20,000 over TCP, under a 50 ms bound per frame', () => {
    expect(parseIsoFuzzArguments([])).toMatchObject({ frames: 1_000_000, tcpFrames: 20_000, frameTimeMaxMs: 50 });
    expect(parseIsoFuzzArguments(['--frames', '10', '--tcp-frames', '0', '--seed', '3'])).toMatchObject({
      frames: 10,
      tcpFrames: 0,
      seed: 3,
    });
  });

  it('refuses a flag it does not know, and a count that is not a whole number in range', () => {
    expect(() => parseIsoFuzzArguments(['--frames', '0'])).toThrow(/--frames needs a whole number from 1/);
    expect(() => parseIsoFuzzArguments(['--frames', '1.5'])).toThrow(/whole number/);
    expect(() => parseIsoFuzzArguments(['--workers', '4'])).toThrow(/unknown flag --workers/);
    expect(() => parseIsoFuzzArguments(['--out'])).toThrow(/--out needs a directory/);
  });
});
