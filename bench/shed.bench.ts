/**
 * `npm run bench:shed [-- --root DIR]`: what refusing one payment costs the switch (issue 14, item 5). A child
 * process serves the switch's real edge app (`createEdgeApp`: admission, request id and log at info level to a file,
 * body parsers, error handler) over the real HTTP server, with one payment slot (HISAAB_MONEY_PATH_IN_FLIGHT_MAX 1)
 * held by a payment that never finishes; a client in this process then posts payments over keep-alive connections
 * for a few seconds, every one of them shed with 503. The child reports the CPU time it spent and the answers it
 * sent: **CPU microseconds per shed answer**. In the same run, interleaved, the reference: a bare node:http server
 * answering the same 503 from a prebuilt buffer (the floor any admission pays: parsing HTTP, writing the answer).
 * The ratio of the two is the figure that holds on a busy machine. `--root DIR` measures another checkout's app
 * (before and after). Options: --seconds (4), --connections (32), --rounds (3).
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { EdgeDependencies, RouteModule } from '../api/route-kit';

type Report = { port: number };
type Measured = { cpuMicros: number; answered: number };

const role = process.env.HISAAB_SHED_BENCH_ROLE;

if (role === 'app' || role === 'floor') void serveChild(role);
else void main();

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      root: { type: 'string', default: process.cwd() },
      seconds: { type: 'string', default: '4' },
      connections: { type: 'string', default: '32' },
      rounds: { type: 'string', default: '3' },
    },
  });
  const seconds = boundedNumber(values.seconds, 1, 60, '--seconds');
  const connections = boundedNumber(values.connections, 1, 512, '--connections');
  const rounds = boundedNumber(values.rounds, 1, 20, '--rounds');
  const root = resolve(values.root);
  const results: { app: number; floor: number }[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const app = await measure('app', root, seconds, connections);
    const floor = await measure('floor', root, seconds, connections);
    const appMicros = app.cpuMicros / app.answered;
    const floorMicros = floor.cpuMicros / floor.answered;
    results.push({ app: appMicros, floor: floorMicros });
    console.log(
      `round ${round + 1}: app ${appMicros.toFixed(1)} µs CPU per shed answer (${app.answered} answers), floor ${floorMicros.toFixed(1)} µs (${floor.answered}), ratio ${(appMicros / floorMicros).toFixed(2)}`,
    );
  }
  const ratios = results.map((result) => result.app / result.floor).sort((a, b) => a - b);
  const median = ratios[Math.floor(ratios.length / 2)] as number;
  const appMedian = results.map((result) => result.app).sort((a, b) => a - b)[Math.floor(results.length / 2)] as number;
  console.log(
    JSON.stringify({ root, rounds, seconds, connections, appMicrosPerShed: round1(appMedian), ratioToFloor: round1(median, 100) }),
  );
}

function round1(value: number, factor = 10): number {
  return Math.round(value * factor) / factor;
}

function boundedNumber(text: string, minimum: number, maximum: number, name: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < minimum || value > maximum) {
    console.error(`${name} takes a whole number from ${minimum} to ${maximum}; got ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return value;
}

async function measure(kind: 'app' | 'floor', root: string, seconds: number, connections: number): Promise<Measured> {
  const child = fork(__filename, [], {
    cwd: root,
    env: { ...process.env, HISAAB_SHED_BENCH_ROLE: kind, HISAAB_SHED_BENCH_ROOT: root },
    // HISAAB_SHED_BENCH_PROFILE=DIR writes each child's .cpuprofile there (where a shed answer's time goes).
    execArgv: [
      '--import',
      'tsx',
      ...(process.env.HISAAB_SHED_BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.HISAAB_SHED_BENCH_PROFILE] : []),
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const [report] = (await once(child, 'message')) as [Report];
    const agent = new Agent({ keepAlive: true, maxSockets: connections });
    // The held payment: it takes the one slot and is never answered.
    const holder = request({
      port: report.port,
      host: '127.0.0.1',
      method: 'POST',
      path: '/v1/transfers',
      agent: new Agent(),
      headers: { 'content-type': 'application/json' },
    });
    holder.on('error', () => undefined);
    holder.end('{"hold":true}');
    await new Promise((resolveWait) => setTimeout(resolveWait, 300));
    // Warm up, then measure from the child's own CPU clock.
    await drive(report.port, agent, connections, 500);
    child.send('start');
    await drive(report.port, agent, connections, seconds * 1000);
    child.send('stop');
    const [measured] = (await once(child, 'message')) as [Measured];
    agent.destroy();
    holder.destroy();
    await once(child, 'exit');
    return measured;
  } finally {
    child.kill('SIGKILL');
  }
}

async function drive(port: number, agent: Agent, connections: number, durationMs: number): Promise<void> {
  const until = performance.now() + durationMs;
  const body = JSON.stringify({ id: '8a4c1f62-0f0c-4b0e-9a59-6f1f0f7c2b11', amount: '100.00', currency: 'PKR' });
  const loop = async () => {
    while (performance.now() < until) {
      await new Promise<void>((resolveAnswer, reject) => {
        const outgoing = request(
          {
            port,
            host: '127.0.0.1',
            method: 'POST',
            path: '/v1/transfers',
            agent,
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          },
          (answer) => {
            if (answer.statusCode !== 503) reject(new Error(`expected 503, got ${answer.statusCode}`));
            answer.resume();
            answer.on('end', () => resolveAnswer());
          },
        );
        outgoing.on('error', reject);
        outgoing.end(body);
      });
    }
  };
  await Promise.all(Array.from({ length: connections }, loop));
}

async function serveChild(kind: 'app' | 'floor'): Promise<void> {
  const root = process.env.HISAAB_SHED_BENCH_ROOT as string;
  const { createServer } = await import('node:http');
  let answered = 0;
  let server: import('node:http').Server;
  if (kind === 'floor') {
    const body = Buffer.from('{"error":{"code":"OVERLOADED","message":"shed","details":[]}}');
    server = createServer((_request, response) => {
      response.writeHead(503, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': body.length, 'Retry-After': '1' });
      response.end(body);
    });
  } else {
    // Another checkout's modules (--root), typed as this checkout's: the functions used here have the same shape.
    const load = async <Module>(path: string): Promise<Module> => (await import(pathToFileURL(join(root, path)).href)) as Module;
    const { createEdgeApp } = await load<typeof import('../api/app')>('api/app.ts');
    const { createHttpServer } = await load<typeof import('../api/http-server')>('api/http-server.ts');
    const { createSwitchMetrics } = await load<typeof import('../api/metrics')>('api/metrics.ts');
    const { createLogger } = await load<typeof import('../api/logger')>('api/logger.ts');
    const pino = (await import('pino')).default;
    const logger = createLogger(
      'info',
      pino.destination({ dest: join(root, 'test-results', `shed-bench-${process.pid}.log`), mkdir: true, sync: false }),
    );
    // Only what the edge app reaches before a payment is shed; the route modules' dependencies are never called.
    const dependencies = {
      config: { currencies: ['PKR'], readYourWritesTimeoutMs: 1000, moneyPathInFlightMax: 1 },
      logger,
      metrics: createSwitchMetrics(),
      now: () => new Date(),
    } as unknown as EdgeDependencies;
    // A payment route that never answers: the first payment holds the one slot, so every later one is shed.
    const hold: RouteModule<EdgeDependencies> = (router) => router.post('/v1/transfers', () => undefined);
    server = createHttpServer(createEdgeApp(dependencies, [hold]));
  }
  server.on('request', (_request, response) => response.once('finish', () => (answered += 1)));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  let started: NodeJS.CpuUsage = process.cpuUsage();
  let answeredAtStart = 0;
  process.on('message', (message) => {
    if (message === 'start') {
      started = process.cpuUsage();
      answeredAtStart = answered;
    } else if (message === 'stop') {
      const used = process.cpuUsage(started);
      const measured: Measured = { cpuMicros: used.user + used.system, answered: answered - answeredAtStart };
      // Exits by itself once the figures are sent, so that a profile (HISAAB_SHED_BENCH_PROFILE) is written.
      process.send?.(measured, undefined, undefined, () => process.exit(0));
    }
  });
  process.send?.({ port: typeof address === 'object' && address !== null ? address.port : 0 } satisfies Report);
}
