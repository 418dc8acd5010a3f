/**
 * How a crash-test child starts and stops: the test reads its stdout lines, SIGKILLs it at a kill point, or asks it to
 * stop with SIGTERM and waits for "stopped".
 */

/** Runs the child's main; a failure is written to stderr (which the test shows) and exits non-zero. */
export function runChild(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}

/** Keeps the child alive like a server, even with nothing left to do, until SIGTERM; then stops and says "stopped". */
export function serveUntilSigterm(stop: () => Promise<void>): void {
  const keepAlive = setInterval(() => undefined, 60_000);
  process.once('SIGTERM', () => {
    clearInterval(keepAlive);
    void stop().then(() => process.stdout.write('stopped\n'));
  });
}
