import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { spawnSwitch } from '../support/switch-process';
import { tempDir } from '../support/temp-dir';

const repositoryRoot = join(__dirname, '..', '..');

/** The README's quick start section, and its shell blocks in order. */
function quickStartBlocks(): string[] {
  const readme = readFileSync(join(repositoryRoot, 'README.md'), 'utf8');
  const start = readme.indexOf('## API quick start (curl)');
  if (start < 0) throw new Error('the README has no "## API quick start (curl)" section');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
}

/** A port that was free a moment ago (the OS hands out a fresh one each time). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address !== 'object') throw new Error('no port');
  return address.port;
}

function runShell(script: string, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { cwd: repositoryRoot, env: { ...process.env } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the quick start did not finish within ${timeoutMs} ms; output so far:\n${output}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/**
 * The README's quick start, run as a person pastes it into a terminal, against `npm run serve`'s entry point.
 * Only the addresses change (free ports and a temp dir instead of 8080, 9101, 9102 and ./data), so that the
 * test runs beside anything else on the machine.
 */
it('the README quick start onboards two wallets, pays, reads the payment back and finds /openapi.json', async () => {
  const blocks = quickStartBlocks();
  const [serve, ...commands] = blocks;
  expect(serve).toContain('HISAAB_OPERATOR_KEY=quickstart-operator-key-0001');
  expect(serve).toContain('npm run serve');
  const directory = tempDir('hisaab-quickstart-');
  const dataDir = join(directory.path, 'quickstart');
  const switchChild = await spawnSwitch({
    HISAAB_PORT: '0',
    HISAAB_DATA_DIR: dataDir,
    HISAAB_OPERATOR_KEY: 'quickstart-operator-key-0001',
  });
  try {
    const [margallaPort, raviPort] = [await freePort(), await freePort()];
    const script = commands
      .join('\n')
      .replaceAll('http://127.0.0.1:8080', switchChild.url)
      .replaceAll('127.0.0.1:9101', `127.0.0.1:${margallaPort}`)
      .replaceAll('--port 9101', `--port ${margallaPort}`)
      .replaceAll('127.0.0.1:9102', `127.0.0.1:${raviPort}`)
      .replaceAll('--port 9102', `--port ${raviPort}`)
      .replaceAll('data/quickstart', dataDir)
      .replace(/(?<![\w./-])data\//g, `${directory.path}/`);
    // Logs a previous run left, saying "listening": the wait must not take them for this run's simulators.
    for (const name of ['margalla', 'ravi']) {
      writeFileSync(join(directory.path, `${name}-wallet.log`), '{"pid":1,"msg":"listening","stale":true}\n');
    }
    // `set -m`: background jobs in their own process groups, as in an interactive terminal, so that the README's
    // `kill %1 %2` stops each simulator with its children.
    const run = await runShell(`set -m\n${script}\nkill %1 %2\nwait\n`, 120_000);
    expect(run.output).not.toContain('"error"');
    expect(run.output).not.toContain('"stale":true');
    expect(run.output).toMatch(/"msg":"listening"[\s\S]*"msg":"listening"/);
    expect(run.output).toContain('"name":"C***d B***i"');
    // The transfer's answer, and the reads as payer and payee.
    expect(
      run.output.match(
        /"amount":"1500\.00","currency":"PKR","purpose":"P2P"[^\n]*"state":"COMMITTED"|"state":"COMMITTED"[^\n]*"amount":"1500\.00"/g,
      ),
    ).toHaveLength(3);
    expect(run.output).toContain('"position":"1500.00"');
    expect(run.output).toContain('/v1/transfers/{id}');
    expect(run.output).toContain('/openapi.json');
    expect(run.output).toMatch(/ledger-PKR: .* every invariant holds/);
  } finally {
    await switchChild.stop('SIGTERM');
    directory.remove();
  }
});
