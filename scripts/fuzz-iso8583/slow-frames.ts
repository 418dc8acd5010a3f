/**
 * The frames to time again before a hang is ruled out. A first timing over the bound is either a pause of the
 * machine (another process, a garbage collection) or a frame that is slow by itself, and only timing it again tells
 * which. Every frame over the bound is kept for that, not only the slowest: one pause longer than a slow frame would
 * otherwise hide it, since the slowest first timing would be the pause and the slow frame never timed again.
 *
 * Bounded: past `keptMax` frames over the bound, the slowest `keptMax` are kept (a frame slow by itself is slow
 * every time, so it stays among the slowest). The slowest frame of all is always kept, so that a run with nothing
 * over the bound still reports its slowest frame timed again.
 */
export type RetimedFrame<Frame> = { frame: Frame; firstMs: number; retimedMs: number };

export class SlowFrames<Frame> {
  private readonly overBound: { frame: Frame; firstMs: number }[] = [];
  private slowest: { frame: Frame; firstMs: number } | null = null;
  private overBoundCount = 0;

  constructor(
    private readonly boundMs: number,
    private readonly keptMax: number,
  ) {
    if (!(boundMs > 0) || !Number.isSafeInteger(keptMax) || keptMax < 1)
      throw new Error(`SlowFrames needs a positive bound and keeps at least one frame, not ${boundMs} ms and ${keptMax}`);
  }

  /** How many frames' first timing was over the bound. */
  get framesOverBound(): number {
    return this.overBoundCount;
  }

  /** The first timing of one frame. */
  offer(frame: Frame, firstMs: number): void {
    if (this.slowest === null || firstMs > this.slowest.firstMs) this.slowest = { frame, firstMs };
    if (firstMs <= this.boundMs) return;
    this.overBoundCount += 1;
    if (this.overBound.length < this.keptMax) {
      this.overBound.push({ frame, firstMs });
      return;
    }
    // Rare (each such frame took longer than the bound): a scan of the kept frames is cheap beside it.
    let fastestIndex = 0;
    for (let index = 1; index < this.overBound.length; index += 1)
      if (this.overBound[index]!.firstMs < this.overBound[fastestIndex]!.firstMs) fastestIndex = index;
    if (firstMs > this.overBound[fastestIndex]!.firstMs) this.overBound[fastestIndex] = { frame, firstMs };
  }

  /**
   * Times each kept frame again, best of `timings` (a pause hits one timing, not every one), and returns the frame
   * whose best timing is the slowest: the time a frame takes by itself. Null when no frame was offered.
   */
  retime(time: (frame: Frame) => number, timings: number): RetimedFrame<Frame> | null {
    const candidates = [...this.overBound];
    if (this.slowest !== null && !candidates.some((candidate) => candidate.frame === this.slowest!.frame)) candidates.push(this.slowest);
    let worst: RetimedFrame<Frame> | null = null;
    for (const { frame, firstMs } of candidates) {
      const retimedMs = Math.min(...Array.from({ length: Math.max(1, timings) }, () => time(frame)));
      if (worst === null || retimedMs > worst.retimedMs) worst = { frame, firstMs, retimedMs };
    }
    return worst;
  }
}
