import { isProjectionError } from './projection-errors';
import type { ProjectionRunner } from './projection-runner';

/**
 * Waits until the runner's read models reach `head`, calling `onProgress` after every `stallMs` they moved; fails
 * only when a whole `stallMs` passes with no progress (a stuck or failing projection), or at once when the runner
 * fails. Not a bound on the whole catch-up: a read model rebuilt from a long log (a projection whose version
 * changed, a deleted read-model file) may take minutes, and a switch that refuses to start while it is making
 * progress helps nobody.
 */
export async function waitForCatchUp<Tx>(
  runner: ProjectionRunner<Tx>,
  head: bigint,
  stallMs: number,
  onProgress: (position: bigint, head: bigint) => void,
): Promise<void> {
  let lastPosition = runner.position();
  for (;;) {
    try {
      await runner.waitForPosition(head, stallMs);
      return;
    } catch (error) {
      const position = runner.position();
      if (!isProjectionError(error, 'PROJECTION_WAIT_TIMEOUT') || position === lastPosition) throw error;
      onProgress(position, head);
      lastPosition = position;
    }
  }
}
