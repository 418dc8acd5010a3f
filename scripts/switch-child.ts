import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';

/**
 * The real switch (`api/main.ts`) as a child process on loopback, for the fuzzing campaigns: they attack it from
 * outside, as a bank host or an HTTP client would, and a crash shows as the process exiting.
 */

const repositoryRoot = resolve(__dirname, '..');
const listeningTimeoutMs = 60_000;

export type StartedSwitch = {
  url: string;
  /** The ISO 8583 port, when the switch announced one. */
  iso8583Port: number | null;
  child: ChildProcess;
  exited: Promise<number | null>;
  /** True once the process exited by itself (not through stop()). */
  crashed(): boolean;
  stop(): Promise<void>;
};

export function startSwitchChild(input: {
  dataDir: string;
  operatorKey: string;
  environment?: Record<string, string>;
}): Promise<StartedSwitch> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repositoryRoot, 'api', 'main.ts')], {
    cwd: repositoryRoot,
    env: {
      PATH: process.env.PATH ?? '',
      HISAAB_HOST: '127.0.0.1',
      HISAAB_PORT: '0',
      HISAAB_ISO8583_PORT: '0',
      HISAAB_DATA_DIR: input.dataDir,
      HISAAB_OPERATOR_KEY: input.operatorKey,
      HISAAB_PAYEE_DEADLINE_MS: '500',
      HISAAB_LOG_LEVEL: 'info',
      ...input.environment,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stopping = false;
  let exitedByItself = false;
  const exited = new Promise<number | null>((resolveExit) =>
    child.once('exit', (code) => {
      exitedByItself = !stopping;
      resolveExit(code);
    }),
  );
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => reject(new Error(`the switch did not listen within ${listeningTimeoutMs} ms`)), listeningTimeoutMs);
    void exited.then(() => reject(new Error('the switch exited before it listened')));
    let iso8583Port: number | null = null;
    let pending = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const port = /"port":(\d+)/.exec(line)?.[1];
        if (port === undefined) continue;
        // The ISO 8583 port listens before the HTTP port announces the switch ready.
        if (/"msg":"iso8583 server listening"/.test(line)) iso8583Port = Number(port);
        if (!/"msg":"listening"/.test(line)) continue;
        clearTimeout(timer);
        resolveStart({
          url: `http://127.0.0.1:${port}`,
          iso8583Port,
          child,
          exited,
          crashed: () => exitedByItself,
          async stop() {
            stopping = true;
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
            await exited;
          },
        });
      }
    });
  });
}

/** One JSON call as the given key; anything but 2xx is an error (seeding must succeed). */
export async function callJson(url: string, key: string, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = (await response.json()) as Record<string, unknown>;
  if (response.status >= 300) throw new Error(`seeding: ${method} ${path} answered ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}
