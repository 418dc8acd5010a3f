/**
 * `npm run fuzz:iso8583 [-- --frames N --tcp-frames N --seed N --frame-time-max-ms MS --out DIR]`: the ISO 8583
 * framing, parser and inbound rules under generated frames (issue 14, item 3).
 *
 * Phase 1, in-process (default 1,000,000 frames): valid 0200/0220/0420/0800 frames from the real packager,
 * mutated field by field, and random frames, through the frame decoder, the parser, the server's inbound decision
 * and the answer it would write; each frame checked against the README's rules and timed (every frame over
 * --frame-time-max-ms at first is timed again, best of five, and must then stay under it). Phase 2, real TCP (default 20,000 frames): the switch
 * (`api/main.ts`) on loopback with a fresh data dir, a bank signed on to its ISO 8583 port sending the same
 * kind of frames; every answer must be the documented one or the connection dropped for a documented reason,
 * and afterwards the switch still answers an echo, no participant's position moved and `npm run verify` is clean.
 *
 * Writes test-results/fuzz-iso8583-<time>.json, prints one summary line, exits 1 on any violation.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runInProcess, type InProcessResult } from './fuzz-iso8583/in-process-campaign';
import { FUZZ_INSTITUTION_ID, FUZZ_PAYEE_ALIAS } from './fuzz-iso8583/generated-frames';
import { FuzzPeer } from './fuzz-iso8583/fuzz-peer';
import { runOverTcp, type TcpResult } from './fuzz-iso8583/tcp-campaign';
import { callJson, startSwitchChild, type StartedSwitch } from './switch-child';

const repositoryRoot = resolve(__dirname, '..');
const operatorKey = 'fuzz-operator-key-0123456789abcdef';
const settleTimeoutMs = 20_000;

export type IsoFuzzOptions = { frames: number; tcpFrames: number; seed: number; frameTimeMaxMs: number; outDirectory: string };

export function parseIsoFuzzArguments(argv: readonly string[]): IsoFuzzOptions {
  const options: IsoFuzzOptions = {
    frames: 1_000_000,
    tcpFrames: 20_000,
    seed: Math.floor(Math.random() * 2 ** 31),
    frameTimeMaxMs: 50,
    outDirectory: join(repositoryRoot, 'test-results'),
  };
  for (let index = 0; index < argv.length; index += 2) {
    const flag = argv[index];
    const text = argv[index + 1] ?? '';
    if (flag === '--out') {
      if (text === '') throw new Error('--out needs a directory');
      options.outDirectory = resolve(text);
      continue;
    }
    const value = Number(text);
    const least = flag === '--frames' || flag === '--frame-time-max-ms' ? 1 : 0;
    if (!Number.isSafeInteger(value) || value < least || value > 100_000_000)
      throw new Error(`${flag} needs a whole number from ${least} to 100000000, got "${text}"`);
    if (flag === '--frames') options.frames = value;
    else if (flag === '--tcp-frames') options.tcpFrames = value;
    else if (flag === '--seed') options.seed = value;
    else if (flag === '--frame-time-max-ms') options.frameTimeMaxMs = value;
    else throw new Error(`unknown flag ${flag}: use --frames, --tcp-frames, --seed, --frame-time-max-ms, --out`);
  }
  return options;
}

type Positions = Record<string, { position: unknown; reserved: unknown; liquidity: unknown }>;

type AfterChecks = {
  echoAnswered: boolean;
  positionsUnchanged: boolean;
  verifyClean: boolean;
  switchExitedByItself: boolean;
  problems: string[];
};

type TcpPhase = { result: TcpResult; after: AfterChecks };

async function positionsOf(url: string): Promise<Positions> {
  const page = await callJson(url, operatorKey, 'GET', '/v1/participants?limit=100');
  const positions: Positions = {};
  for (const participant of page.participants as Record<string, unknown>[])
    positions[String(participant.id)] = {
      position: participant.position,
      reserved: participant.reserved,
      liquidity: participant.liquidity,
    };
  return positions;
}

/** The fuzzing bank (DE32 600001 from loopback) and a wallet that owns the alias base transfers pay, both unreachable as payees. */
async function seedParticipants(url: string): Promise<void> {
  const unreachable = 'http://127.0.0.1:9';
  await callJson(url, operatorKey, 'POST', '/v1/participants', {
    id: 'FUZZBANK',
    name: 'Fuzzing Bank',
    type: 'BANK',
    bankCode: 'FUZZ',
    currency: 'PKR',
    netDebitCap: '1000000.00',
    endpoints: { iso8583: '127.0.0.1:9', institutionId: FUZZ_INSTITUTION_ID },
  });
  await callJson(url, operatorKey, 'POST', '/v1/participants', {
    id: 'PAYEEWALLET',
    name: 'Payee Wallet',
    type: 'WALLET',
    bankCode: 'PAYW',
    currency: 'PKR',
    netDebitCap: '1000000.00',
    endpoints: { creditUrl: `${unreachable}/credit`, reversalUrl: `${unreachable}/reversal` },
  });
  const issued = await callJson(url, operatorKey, 'POST', '/v1/participants/PAYEEWALLET/keys');
  await callJson(url, String(issued.key), 'POST', '/v1/aliases', {
    type: 'MSISDN',
    value: FUZZ_PAYEE_ALIAS,
    account: { type: 'WALLET', value: 'WPAYEE0001' },
    name: 'Payee Customer',
  });
}

async function echoAnswered(port: number): Promise<boolean> {
  const peer = await FuzzPeer.connect(port);
  try {
    peer.send({ mti: '0800', fields: { 7: '1203101530', 11: '700001', 41: 'AFTER001', 70: '301' } });
    return await peer.waitFor((inbox) => inbox.some((message) => message.mti === '0810' && message.fields[39] === '00'), 10_000);
  } finally {
    peer.destroy();
  }
}

async function positionsSettle(url: string, before: Positions): Promise<boolean> {
  const deadlineMs = Date.now() + settleTimeoutMs;
  for (;;) {
    // Transfers still in flight hold a reservation until the payee deadline and the sweeper end them.
    if (JSON.stringify(await positionsOf(url)) === JSON.stringify(before)) return true;
    if (Date.now() > deadlineMs) return false;
    await new Promise((resolveWait) => setTimeout(resolveWait, 250));
  }
}

function verifyClean(dataDir: string): boolean {
  const run = spawnSync(
    join(repositoryRoot, 'node_modules', '.bin', 'tsx'),
    [join(repositoryRoot, 'scripts', 'verify.ts'), '--data-dir', dataDir],
    {
      cwd: repositoryRoot,
      encoding: 'utf8',
    },
  );
  if (run.status !== 0) console.error(run.stdout, run.stderr);
  return run.status === 0;
}

async function tcpPhase(options: IsoFuzzOptions): Promise<TcpPhase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hisaab-fuzz-iso-'));
  let started: StartedSwitch | null = null;
  try {
    started = await startSwitchChild({ dataDir, operatorKey });
    const port = started.iso8583Port;
    if (port === null) throw new Error('the switch did not announce its ISO 8583 port');
    await seedParticipants(started.url);
    const before = await positionsOf(started.url);
    const result = await runOverTcp({
      frames: options.tcpFrames,
      seed: options.seed,
      port,
      onProgress: (done) => {
        if (done % 5000 === 0) console.log(`fuzz:iso8583 tcp: ${done} frames`);
      },
    });
    const after: AfterChecks = {
      echoAnswered: !started.crashed() && (await echoAnswered(port)),
      positionsUnchanged: !started.crashed() && (await positionsSettle(started.url, before)),
      verifyClean: false,
      switchExitedByItself: started.crashed(),
      problems: [],
    };
    await started.stop();
    after.verifyClean = verifyClean(dataDir);
    if (!after.echoAnswered) after.problems.push('the switch did not answer an echo after the campaign');
    if (!after.positionsUnchanged) after.problems.push('a participant position, reservation or liquidity changed');
    if (!after.verifyClean) after.problems.push('npm run verify found a broken invariant');
    if (after.switchExitedByItself) after.problems.push('the switch exited during the campaign');
    return { result, after };
  } finally {
    await started?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function isoSummaryLine(options: IsoFuzzOptions, inProcess: InProcessResult, tcp: TcpPhase | null, passed: boolean): string {
  const inProcessPart =
    `${inProcess.frames} frames in-process (${inProcess.framesPerSecond}/s), ${inProcess.violationCount} violations, ` +
    `slowest frame ${inProcess.slowestFrameRetimedMs.toFixed(3)} ms (bound ${options.frameTimeMaxMs} ms; ${inProcess.framesOverBound} over it at first, ` +
    `each timed again; slowest first timing ${inProcess.slowestFrameMs.toFixed(1)} ms)`;
  const tcpPart =
    tcp === null
      ? 'no TCP phase'
      : `${tcp.result.frames} frames over TCP on ${tcp.result.connections} connections, ${tcp.result.violationCount} violations, ` +
        `echo ${tcp.after.echoAnswered ? 'answered' : 'UNANSWERED'}, positions ${tcp.after.positionsUnchanged ? 'unchanged' : 'CHANGED'}, verify ${tcp.after.verifyClean ? 'clean' : 'FAILED'}`;
  return `fuzz:iso8583 ${passed ? 'passed' : 'FAILED'} (seed ${options.seed}) - ${inProcessPart}; ${tcpPart}`;
}

async function main(): Promise<void> {
  const options = parseIsoFuzzArguments(process.argv.slice(2));
  console.log(`fuzz:iso8583: seed ${options.seed}, ${options.frames} frames in-process, ${options.tcpFrames} over TCP`);
  const inProcess = runInProcess({
    frames: options.frames,
    seed: options.seed,
    frameTimeMaxMs: options.frameTimeMaxMs,
    onProgress: (done) => {
      if (done % 100_000 === 0) console.log(`fuzz:iso8583 in-process: ${done} frames`);
    },
  });
  const tcp = options.tcpFrames > 0 ? await tcpPhase(options) : null;
  const passed =
    inProcess.violationCount === 0 &&
    inProcess.slowestFrameRetimedMs <= options.frameTimeMaxMs &&
    (tcp === null || (tcp.result.violationCount === 0 && tcp.after.problems.length === 0));
  const line = isoSummaryLine(options, inProcess, tcp, passed);
  mkdirSync(options.outDirectory, { recursive: true });
  const path = join(options.outDirectory, `fuzz-iso8583-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(path, `${JSON.stringify({ passed, summary: line, options, inProcess, tcp }, null, 2)}\n`);
  console.log(line);
  console.log(`fuzz:iso8583: result written to ${path}`);
  process.exitCode = passed ? 0 : 1;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
