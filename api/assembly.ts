import type { Logger } from './logger';

/**
 * One module of the switch as the composition root (api/switch.ts) starts it: what it provides to the modules
 * started after it, and how to stop it. Each assembly function builds one module from the configuration and what
 * it depends on, and answers with this.
 */
export type Assembled<Provides> = { provides: Provides; stop: () => Promise<void> };

type StartedPart = { name: string; stop: () => Promise<void> | void };

/**
 * What has started, in order, so that it stops in reverse: on close, and when start-up fails half-way. A module
 * whose own start fails has stopped its parts itself (see `assemble`), so only whole modules are recorded here.
 */
export class StartedParts {
  private readonly started: StartedPart[] = [];

  constructor(private readonly logger: Logger) {}

  /** Starts a module, records its stop, and resolves with what it provides. */
  async start<Provides>(name: string, assembly: () => Promise<Assembled<Provides>>): Promise<Provides> {
    const startedAtMs = performance.now();
    const module = await assembly();
    // Start-up time is published (npm run bench:startup): the log says which module took it.
    this.logger.info({ module: name, durationMs: Math.round(performance.now() - startedAtMs) }, 'module started');
    this.started.push({ name, stop: () => module.stop() });
    return module.provides;
  }

  /** Records how to stop a part started in place (a timer, a store handle) too small to be a module of its own. */
  onStop(name: string, stop: () => Promise<void> | void): void {
    this.started.push({ name, stop });
  }

  /** Stops everything started, last first. A part that fails to stop is logged, and the rest still stop. */
  async stopAll(): Promise<void> {
    for (const part of this.started.splice(0).reverse()) {
      try {
        await part.stop();
      } catch (error) {
        this.logger.error({ err: error, part: part.name }, 'error while closing');
      }
    }
  }
}

/**
 * Runs the steps of one assembly with its own record of started parts: resolves with what the module provides
 * and a stop that stops those parts in reverse. When a step fails, the parts started so far are stopped before
 * the error goes on, so a failed start leaves nothing running.
 */
export async function assemble<Provides>(logger: Logger, steps: (parts: StartedParts) => Promise<Provides>): Promise<Assembled<Provides>> {
  const parts = new StartedParts(logger);
  try {
    const provides = await steps(parts);
    return { provides, stop: () => parts.stopAll() };
  } catch (error) {
    await parts.stopAll();
    throw error;
  }
}
