import fc from 'fast-check';
import { performance } from 'node:perf_hooks';
import { judgeFrame } from './frame-judge';
import { applyCase, baseFrames, FUZZ_INSTITUTION_ID, fuzzCase, type GeneratedFrame } from './generated-frames';
import { SlowFrames } from './slow-frames';

/**
 * The million-frame phase: frames drawn in chunks (each chunk its own seed, derived from the run's), each judged
 * in-process (frame-judge.ts) and timed. Every frame over the bound (and the slowest) is timed again, best of
 * five (slow-frames.ts), so that a pause of the machine (another process, a garbage collection) is not mistaken for
 * a frame that takes long by itself, nor hides one: a frame that hangs the parser is slow every time.
 */

export type Violation = { readonly phase: string; readonly mutation: string; readonly frameHex: string; readonly problems: string[] };

export type InProcessResult = {
  frames: number;
  baseFrames: number;
  framesPerSecond: number;
  elapsedMs: number;
  outcomes: Record<string, number>;
  mutations: Record<string, number>;
  /** The slowest first timing of any frame (a pause of the machine, as often as not). */
  slowestFrameMs: number;
  /** The slowest frame by itself: of the frames timed again, the largest best-of-five. */
  slowestFrameRetimedMs: number;
  slowestFrame: { mutation: string; frameHex: string; firstMs: number } | null;
  /** Frames whose first timing was over the bound, each timed again. */
  framesOverBound: number;
  violationCount: number;
  violations: Violation[];
};

const chunkFrames = 10_000;
const baseFrameCount = 512;
const violationsKeptMax = 20;
const retimings = 5;
/** Frames over the bound kept to be timed again: a frame slow by itself stays among the slowest this many. */
const slowFramesKeptMax = 1_000;
/** How bytes arrive: whole frames, and frames cut into small TCP-like chunks. */
const chunkSizes = [0xffff, 3, 17, 0xffff];

export function count(table: Record<string, number>, key: string): void {
  table[key] = (table[key] ?? 0) + 1;
}

/** A fraction of the frames arrives on a connection that has not signed on, where financial messages get 05. */
function signedOnFor(index: number): string | null {
  return index % 8 === 7 ? null : FUZZ_INSTITUTION_ID;
}

function timed(frame: GeneratedFrame, index: number): { elapsedMs: number; outcomes: string[]; violations: string[] } {
  const startMs = performance.now();
  const verdict = judgeFrame(frame, signedOnFor(index), chunkSizes[index % chunkSizes.length] ?? 0xffff);
  return { elapsedMs: performance.now() - startMs, ...verdict };
}

export function runInProcess(input: {
  frames: number;
  seed: number;
  frameTimeMaxMs: number;
  onProgress?: (done: number) => void;
}): InProcessResult {
  const bases = baseFrames(input.seed, baseFrameCount);
  const result: InProcessResult = {
    frames: 0,
    baseFrames: bases.length,
    framesPerSecond: 0,
    elapsedMs: 0,
    outcomes: {},
    mutations: {},
    slowestFrameMs: 0,
    slowestFrameRetimedMs: 0,
    slowestFrame: null,
    framesOverBound: 0,
    violationCount: 0,
    violations: [],
  };
  const slowFrames = new SlowFrames<{ frame: GeneratedFrame; index: number }>(input.frameTimeMaxMs, slowFramesKeptMax);
  const startMs = performance.now();
  for (let chunk = 0; result.frames < input.frames; chunk += 1) {
    const cases = fc.sample(fuzzCase(bases.length), {
      seed: input.seed + chunk,
      numRuns: Math.min(chunkFrames, input.frames - result.frames),
    });
    for (const fuzz of cases) {
      const index = result.frames;
      const frame = applyCase(bases, fuzz);
      const judged = timed(frame, index);
      result.frames += 1;
      count(result.mutations, frame.mutation);
      for (const outcome of judged.outcomes) count(result.outcomes, outcome);
      result.slowestFrameMs = Math.max(result.slowestFrameMs, judged.elapsedMs);
      slowFrames.offer({ frame, index }, judged.elapsedMs);
      if (judged.violations.length > 0) {
        result.violationCount += 1;
        if (result.violations.length < violationsKeptMax)
          result.violations.push({
            phase: 'in-process',
            mutation: frame.mutation,
            frameHex: frame.body.toString('hex'),
            problems: judged.violations,
          });
      }
    }
    input.onProgress?.(result.frames);
  }
  result.elapsedMs = Math.round(performance.now() - startMs);
  result.framesPerSecond = Math.round(result.frames / (result.elapsedMs / 1000));
  result.framesOverBound = slowFrames.framesOverBound;
  const worst = slowFrames.retime(({ frame, index }) => timed(frame, index).elapsedMs, retimings);
  if (worst !== null) {
    result.slowestFrameRetimedMs = worst.retimedMs;
    result.slowestFrame = {
      mutation: worst.frame.frame.mutation,
      frameHex: worst.frame.frame.body.toString('hex'),
      firstMs: worst.firstMs,
    };
  }
  return result;
}
