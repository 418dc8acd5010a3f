import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { runSwitchExpectingExit, testOperatorKey } from '../support/switch-process';
import { tempDir } from '../support/temp-dir';

const repositoryRoot = join(__dirname, '..', '..');

/** Holds a loopback port, as another program would, until closed. */
async function occupyPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('the blocking server has no port');
  return { port: address.port, server };
}

function release(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Runs the demo and resolves with its exit code and output. */
function runDemoExpectingExit(
  environment: Record<string, string>,
  timeoutMs = 60_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(repositoryRoot, 'node_modules', '.bin', 'tsx'), ['scripts/demo.ts', '--seconds', '1', '--exit'], {
      cwd: repositoryRoot,
      env: { PATH: process.env.PATH ?? '', ...environment },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the demo did not exit within ${timeoutMs} ms; stdout: ${stdout}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** What a person must see when a port is taken: the variable to change, in one line, and no stack trace. */
function expectOneLineNaming(stderr: string, variable: string, port: number): void {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(`port ${port}`);
  expect(lines[0]).toContain('already in use');
  expect(lines[0]).toContain(`set ${variable}`);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe('a port already in use', () => {
  it('npm run serve names HISAAB_PORT when the HTTP port is taken, and exits non-zero', async () => {
    const directory = tempDir('hisaab-port-');
    const blocker = await occupyPort();
    try {
      const result = await runSwitchExpectingExit({
        HISAAB_HOST: '127.0.0.1',
        HISAAB_PORT: String(blocker.port),
        HISAAB_DATA_DIR: directory.path,
        HISAAB_OPERATOR_KEY: testOperatorKey,
      });
      expect(result.code).toBe(2);
      expectOneLineNaming(result.stderr, 'HISAAB_PORT', blocker.port);
    } finally {
      await release(blocker.server);
      directory.remove();
    }
  });

  it('npm run serve with HISAAB_WORKERS=2 names HISAAB_PORT when the HTTP port is taken, and exits non-zero', async () => {
    const directory = tempDir('hisaab-port-');
    const blocker = await occupyPort();
    try {
      const result = await runSwitchExpectingExit(
        {
          HISAAB_HOST: '127.0.0.1',
          HISAAB_PORT: String(blocker.port),
          HISAAB_WORKERS: '2',
          HISAAB_DATA_DIR: directory.path,
          HISAAB_OPERATOR_KEY: testOperatorKey,
        },
        60_000,
      );
      expect(result.code).toBe(2);
      expectOneLineNaming(result.stderr, 'HISAAB_PORT', blocker.port);
    } finally {
      await release(blocker.server);
      directory.remove();
    }
  });

  it('npm run serve names HISAAB_ISO8583_PORT when the ISO 8583 port is taken, and exits non-zero', async () => {
    const directory = tempDir('hisaab-port-');
    const blocker = await occupyPort();
    try {
      const result = await runSwitchExpectingExit({
        HISAAB_HOST: '127.0.0.1',
        HISAAB_PORT: '0',
        HISAAB_ISO8583_PORT: String(blocker.port),
        HISAAB_DATA_DIR: directory.path,
        HISAAB_OPERATOR_KEY: testOperatorKey,
      });
      expect(result.code).toBe(2);
      expectOneLineNaming(result.stderr, 'HISAAB_ISO8583_PORT', blocker.port);
    } finally {
      await release(blocker.server);
      directory.remove();
    }
  });

  it('npm start (the demo) names HISAAB_PORT when its HTTP port is taken, and exits non-zero', async () => {
    const directory = tempDir('hisaab-port-');
    const blocker = await occupyPort();
    try {
      const result = await runDemoExpectingExit({ HISAAB_PORT: String(blocker.port), HISAAB_DATA_DIR: directory.path });
      expect(result.code).toBe(2);
      expectOneLineNaming(result.stderr, 'HISAAB_PORT', blocker.port);
    } finally {
      await release(blocker.server);
      directory.remove();
    }
  });
});
