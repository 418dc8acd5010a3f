/**
 * `npm run profile:transfers [-- --scenario request|advice|lookup --seconds N --vus N --workers N --lookup-rate N]`:
 * where the switch's time goes under one load: `request` (the default) is load:transfers's REQUEST-mode transfers,
 * `advice` the same to ADVICE payees, `lookup` bench:http's `GET /v1/transfers/{id}` at a constant arrival rate. The switch runs as `npm run serve` starts it, with `node --cpu-prof` (one
 * .cpuprofile per process: with --workers N (default HISAAB_WORKERS, else 1) the cluster's primary, the writer,
 * writes its own and so does every front-end worker, which inherits the flag); k6 drives transfers.k6.js against
 * it; the profiles' self time is attributed to categories (cpu-profile.ts) over the k6 run only, start-up and
 * onboarding left out. Prints the table and the top functions of all processes summed and, with workers, of the
 * writer alone and of the workers together; saves the raw profile(s) and the breakdowns under load-tests/results/,
 * and the breakdowns as one JSON object on the last line.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { breakdownOf, breakdownTable, cpuProfileSchema, roleOfProfile, type CpuProfile, type SampleWindow } from './cpu-profile';
import { transferByIdScriptPath, transfersScriptPath } from './k6-process';
import {
  figuresHeader,
  figuresRow,
  machine,
  parseFlags,
  resultsDirectory,
  runLoadCommand,
  say,
  type LoadRun,
  type Scenario,
  workersFromEnvironment,
  writeResultFile,
} from './load-runner';
import { assertNever } from '../core/assert';
import type { LoadNetwork } from './load-network';
import { repositoryRoot } from './node-service';
import { metricValues } from './switch-sampler';

const profiledScenarios = ['request', 'advice', 'lookup'] as const;
type ProfiledScenario = (typeof profiledScenarios)[number];

/** `--scenario NAME` taken out of the arguments (the other flags are numbers, for parseFlags). */
function scenarioFlag(argv: readonly string[]): { scenario: ProfiledScenario; rest: string[] } {
  const at = argv.indexOf('--scenario');
  if (at < 0) return { scenario: 'request', rest: [...argv] };
  const named = argv[at + 1] ?? '';
  const scenario = profiledScenarios.find((known) => known === named);
  if (scenario === undefined) throw new Error(`--scenario takes one of ${profiledScenarios.join(', ')}, got ${JSON.stringify(named)}`);
  return { scenario, rest: [...argv.slice(0, at), ...argv.slice(at + 2)] };
}

/** Transfers the lookup scenario reads, committed before it starts (as bench:http does). */
const lookupTransfers = 64;

const { scenario, rest: numericArguments } = scenarioFlag(process.argv.slice(2));
const options = parseFlags(numericArguments, {
  seconds: { description: 'of load', min: 1, max: 300, fallback: 20 },
  vus: { description: 'virtual users', min: 1, max: 256, fallback: 32 },
  workers: {
    description: 'processes of the switch: 1 is one process, more a writer and front-end workers',
    min: 1,
    max: 64,
    fallback: workersFromEnvironment(process.env),
  },
  'lookup-rate': { description: 'GETs per second asked (lookup scenario)', min: 1, max: 20_000, fallback: 5_000 },
});

runLoadCommand(
  'profile:transfers',
  async (run) => {
    const profileDirectory = join(run.workDirectory, 'cpu-profiles');
    mkdirSync(profileDirectory);
    const network = await run.startNetwork({
      withAdviceWallets: scenario === 'advice',
      nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${profileDirectory}`],
    });
    let figures;
    let window: SampleWindow;
    let cpuSeconds: number;
    try {
      const scenarioToRun = await profiledScenario(run, network);
      say(`switch at ${network.switchUrl} under --cpu-prof; ${scenarioToRun.what}`);
      const cpuSecondsBefore = await switchCpuSeconds(network.switchUrl);
      const fromMicroseconds = Number(process.hrtime.bigint() / 1000n);
      figures = await run.measure(scenarioToRun.k6);
      window = { fromMicroseconds, toMicroseconds: Number(process.hrtime.bigint() / 1000n) };
      cpuSeconds = (await switchCpuSeconds(network.switchUrl)) - cpuSecondsBefore;
    } finally {
      // The profiles are written when the switch's processes exit.
      await network.close();
    }
    const files = readdirSync(profileDirectory).filter((name) => name.endsWith('.cpuprofile'));
    if (files.length === 0) throw new Error(`the switch wrote no .cpuprofile into ${profileDirectory}`);
    const profiles = files.map((name) => cpuProfileSchema.parse(JSON.parse(readFileSync(join(profileDirectory, name), 'utf8')) as unknown));
    let sampleWindow: SampleWindow | undefined = window;
    if (breakdownOf(profiles, window, repositoryRoot).busyMs === 0) {
      // The profile's clock is not this process's (it should be: both are the monotonic clock): the whole profile, said so.
      say("warning: no sample fell inside the k6 run's window; the breakdown covers the switch's whole life, start-up included");
      sampleWindow = undefined;
    }
    const breakdown = breakdownOf(profiles, sampleWindow, repositoryRoot);
    // With workers, the question is what the one writer spends its time on: it is the part that does not scale out.
    const ofRole = (role: ReturnType<typeof roleOfProfile>): CpuProfile[] =>
      profiles.filter((profile) => roleOfProfile(profile, sampleWindow) === role);
    const byProcess =
      run.workers > 1
        ? {
            writer: breakdownOf(ofRole('writer'), sampleWindow, repositoryRoot),
            frontEndWorkers: breakdownOf(ofRole('front-end worker'), sampleWindow, repositoryRoot),
          }
        : null;
    const recordedAt = new Date().toISOString();
    mkdirSync(resultsDirectory, { recursive: true });
    const saved = files.map((name, index) => {
      const target = join(resultsDirectory, `${recordedAt.replace(/\.\d{3}Z$/, 'Z').replace(/:/g, '-')}-${index}.cpuprofile`);
      copyFileSync(join(profileDirectory, name), target);
      return target;
    });
    say(figuresHeader);
    say(figuresRow('switch (profiled)', figures));
    // Busy time per request answered: what one request costs the switch's processes, whatever else the machine ran.
    const busyMsPerRequest = figures.requests === 0 ? null : Math.round((breakdown.busyMs / figures.requests) * 1000) / 1000;
    say(`switch busy ${breakdown.busyMs.toFixed(0)} ms for ${figures.requests} requests: ${String(busyMsPerRequest)} ms per request`);
    // CPU time the kernel counted (user and system) does not grow when the process waits for a core; busy time does.
    const cpuMsPerRequest = figures.requests === 0 ? null : Math.round(((cpuSeconds * 1000) / figures.requests) * 1000) / 1000;
    say(
      `switch process CPU ${(cpuSeconds * 1000).toFixed(0)} ms (the writer's alone with workers): ${String(cpuMsPerRequest)} ms per request`,
    );
    say('');
    say(breakdownTable(breakdown));
    say('');
    if (byProcess !== null) {
      say(`the writer alone (${ofRole('writer').length} profile):`);
      say(breakdownTable(byProcess.writer));
      say('');
      say(`the front-end workers together (${ofRole('front-end worker').length} profiles):`);
      say(breakdownTable(byProcess.frontEndWorkers));
      say('');
    }
    const result = {
      recordedAt,
      command: `npm run profile:transfers -- --scenario ${scenario} --seconds ${options.seconds} --vus ${options.vus} --workers ${options.workers}${scenario === 'lookup' ? ` --lookup-rate ${options['lookup-rate']}` : ''}`,
      ...machine(run.k6Version, run.workers),
      scenario,
      load: figures,
      busyMsPerRequest,
      cpuMsPerRequest,
      profiles: files.length,
      breakdown,
      ...(byProcess === null ? {} : { byProcess }),
    };
    say(`profile(s) saved to ${saved.join(', ')}`);
    say(`breakdown written to ${writeResultFile(recordedAt, '.profile.json', `${JSON.stringify(result, null, 2)}\n`)}`);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  },
  { workers: options.workers },
);

/** The k6 scenario of `--scenario`, against the network's own wallets. */
async function profiledScenario(run: LoadRun, network: LoadNetwork): Promise<{ what: string; k6: Scenario }> {
  const load = { vus: options.vus, durationSeconds: options.seconds };
  switch (scenario) {
    case 'request':
      return {
        what: `${options.vus} virtual users for ${options.seconds} s of REQUEST-mode transfers`,
        k6: { label: 'profiled-switch', scriptPath: transfersScriptPath, seed: network.seed, ...load },
      };
    case 'advice': {
      if (network.adviceSeed === null) throw new Error('the network was started without its ADVICE wallets');
      return {
        what: `${options.vus} virtual users for ${options.seconds} s of ADVICE-mode transfers`,
        k6: { label: 'profiled-switch', scriptPath: transfersScriptPath, seed: network.adviceSeed, ...load },
      };
    }
    case 'lookup': {
      const lookupFile = await run.writeLookupFile(network.seed, lookupTransfers);
      const rate = options['lookup-rate'];
      return {
        what: `GET /v1/transfers/{id} at ${rate}/s for ${options.seconds} s (at most 256 virtual users)`,
        k6: {
          label: 'profiled-switch',
          scriptPath: transferByIdScriptPath,
          vus: 256,
          durationSeconds: options.seconds,
          environment: { HISAAB_LOAD_LOOKUP_FILE: lookupFile, HISAAB_LOAD_RATE: String(rate) },
        },
      };
    }
    default:
      return assertNever(scenario);
  }
}

/** The switch's process_cpu_seconds_total (user and system; the cluster's primary only) from its /metrics. */
async function switchCpuSeconds(switchUrl: string): Promise<number> {
  const response = await fetch(`${switchUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
  const seconds = metricValues(await response.text(), 'process_cpu_seconds_total')[0]?.value;
  if (seconds === undefined) throw new Error("the switch's /metrics has no process_cpu_seconds_total");
  return seconds;
}
