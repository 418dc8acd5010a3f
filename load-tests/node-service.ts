import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** The repository root: services are started from it, as `npm run serve` is. */
export const repositoryRoot = join(__dirname, '..');

/** Start-up (tsx compiles on first import, read models catch up) must answer within this, or the run stops. */
const readyTimeoutMs = 60_000;
const readyPollIntervalMs = 100;
/** After SIGTERM, how long the service has to stop (the switch's own shutdown timeout in the rig is 5 s). */
const stopTimeoutMs = 20_000;
/** Output quoted in error messages: the log file's tail. */
const outputTailBytesMax = 16 * 1024;

export type NodeServiceOptions = {
  /** The TypeScript entry, relative to the repository root (`api/main.ts`). */
  entry: string;
  /** Node flags before the entry (`--cpu-prof`, ...). */
  nodeFlags?: readonly string[];
  /** The whole environment of the service besides PATH, HOME and TMPDIR: nothing leaks from the caller's shell. */
  environment: Readonly<Record<string, string>>;
  port: number;
  /** A GET answered 200 once the service serves (`/healthz`). */
  readyPath: string;
  /** Its stdout and stderr, appended: a file, so that the runner's event loop never carries the service's logs. */
  logFile: string;
};

export type NodeService = {
  url: string;
  pid: number;
  /** SIGTERM, then the process's exit is awaited (SIGKILL to its process group after stopTimeoutMs); safe to call twice. */
  close(): Promise<void>;
  /** SIGKILL to its process group at once (a crash, for the reliability campaigns), then its exit is awaited. */
  kill(): Promise<void>;
};

/**
 * A TypeScript entry in its own Node process, exactly as `npm run serve` runs api/main.ts (`node --import tsx`,
 * without the tsx CLI's relay process, so that node flags such as --cpu-prof apply to the service itself),
 * resolved once its ready path answers 200. The process leads its own process group: whatever worker processes
 * it forks are in the group, and the group is killed if the service does not stop by itself.
 */
export async function startNodeService(options: NodeServiceOptions): Promise<NodeService> {
  const environment: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    TMPDIR: process.env.TMPDIR ?? '',
    ...options.environment,
  };
  const logDescriptor = openSync(options.logFile, 'a', 0o600);
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [...(options.nodeFlags ?? []), '--import', 'tsx', options.entry], {
      cwd: repositoryRoot,
      env: environment,
      stdio: ['ignore', logDescriptor, logDescriptor],
      detached: true,
    });
  } finally {
    closeSync(logDescriptor);
  }
  const output = (): string => fileTail(options.logFile);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('error', () => undefined);
  const url = `http://127.0.0.1:${options.port}`;
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => (closing ??= stopChild(child, exited));
  try {
    await waitUntilReady(`${url}${options.readyPath}`, child, output);
  } catch (error) {
    await close();
    throw error;
  }
  if (child.pid === undefined) throw new Error(`${options.entry} has no process id`);
  const pid = child.pid;
  const kill = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await exited;
  };
  return { url, pid, close, kill };
}

async function waitUntilReady(readyUrl: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the service ended before it served (${String(child.exitCode ?? child.signalCode)}); its last output:\n${output()}`);
    }
    try {
      const response = await fetch(readyUrl, { signal: AbortSignal.timeout(1_000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // Not listening yet: poll again.
    }
    await new Promise((resolve) => setTimeout(resolve, readyPollIntervalMs));
  }
  throw new Error(`${readyUrl} did not answer 200 within ${readyTimeoutMs} ms; the service's last output:\n${output()}`);
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const pid = child.pid;
  child.kill('SIGTERM');
  const killTimer = setTimeout(() => {
    try {
      // The negative pid names the group the service leads: its own workers go with it.
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }, stopTimeoutMs);
  await exited;
  clearTimeout(killTimer);
}

/**
 * A TCP port free on 127.0.0.1 now: the service is told it by number, since a service with several worker
 * processes cannot report one port 0 picked for it. Another process could take it in between; the service then
 * fails to start with a clear message, and the run stops.
 */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address !== null && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function fileTail(path: string): string {
  try {
    const size = statSync(path).size;
    const length = Math.min(size, outputTailBytesMax);
    const buffer = Buffer.alloc(length);
    const descriptor = openSync(path, 'r');
    try {
      readSync(descriptor, buffer, 0, length, size - length);
    } finally {
      closeSync(descriptor);
    }
    return buffer.toString('utf8');
  } catch (error) {
    return `(no output: ${error instanceof Error ? error.message : String(error)})`;
  }
}
