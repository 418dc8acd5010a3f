/**
 * `npm run profile:transfers [-- --seconds N --vus N]`: where the switch's time goes under the REQUEST-mode load
 * of load:transfers. The switch runs as `npm run serve` starts it, with `node --cpu-prof` (one .cpuprofile per
 * process, so a switch with HISAAB_WORKERS gets one per worker, all summed); k6 drives transfers.k6.js against it;
 * the profiles' self time is attributed to categories (cpu-profile.ts) over the k6 run only, start-up and
 * onboarding left out. Prints the table and the top functions, saves the raw profile(s) and the breakdown under
 * load-tests/results/, and the breakdown as one JSON object on the last line.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { breakdownOf, breakdownTable, cpuProfileSchema, type SampleWindow } from './cpu-profile';
import { transfersScriptPath } from './k6-process';
import { figuresHeader, figuresRow, machine, parseFlags, resultsDirectory, runLoadCommand, say, writeResultFile } from './load-runner';
import { repositoryRoot } from './node-service';

runLoadCommand('profile:transfers', async (run) => {
  const options = parseFlags(process.argv.slice(2), {
    seconds: { description: 'of load', min: 1, max: 300, fallback: 20 },
    vus: { description: 'virtual users', min: 1, max: 256, fallback: 32 },
  });
  const profileDirectory = join(run.workDirectory, 'cpu-profiles');
  mkdirSync(profileDirectory);
  const network = await run.startNetwork({ withAdviceWallets: false, nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${profileDirectory}`] });
  let figures;
  let window: SampleWindow;
  try {
    say(`switch at ${network.switchUrl} under --cpu-prof; ${options.vus} virtual users for ${options.seconds} s of REQUEST-mode transfers`);
    const fromMicroseconds = Number(process.hrtime.bigint() / 1000n);
    figures = await run.measure({
      label: 'profiled-switch',
      scriptPath: transfersScriptPath,
      seed: network.seed,
      vus: options.vus,
      durationSeconds: options.seconds,
    });
    window = { fromMicroseconds, toMicroseconds: Number(process.hrtime.bigint() / 1000n) };
  } finally {
    // The profiles are written when the switch's processes exit.
    await network.close();
  }
  const files = readdirSync(profileDirectory).filter((name) => name.endsWith('.cpuprofile'));
  if (files.length === 0) throw new Error(`the switch wrote no .cpuprofile into ${profileDirectory}`);
  const profiles = files.map((name) => cpuProfileSchema.parse(JSON.parse(readFileSync(join(profileDirectory, name), 'utf8')) as unknown));
  let breakdown = breakdownOf(profiles, window, repositoryRoot);
  if (breakdown.busyMs === 0) {
    // The profile's clock is not this process's (it should be: both are the monotonic clock): the whole profile, said so.
    say("warning: no sample fell inside the k6 run's window; the breakdown covers the switch's whole life, start-up included");
    breakdown = breakdownOf(profiles, undefined, repositoryRoot);
  }
  const recordedAt = new Date().toISOString();
  mkdirSync(resultsDirectory, { recursive: true });
  const saved = files.map((name, index) => {
    const target = join(resultsDirectory, `${recordedAt.replace(/\.\d{3}Z$/, 'Z').replace(/:/g, '-')}-${index}.cpuprofile`);
    copyFileSync(join(profileDirectory, name), target);
    return target;
  });
  say(figuresHeader);
  say(figuresRow('switch (profiled)', figures));
  say('');
  say(breakdownTable(breakdown));
  say('');
  const result = {
    recordedAt,
    command: `npm run profile:transfers -- --seconds ${options.seconds} --vus ${options.vus}`,
    ...machine(run.k6Version, run.workers),
    load: figures,
    profiles: files.length,
    breakdown,
  };
  say(`profile(s) saved to ${saved.join(', ')}`);
  say(`breakdown written to ${writeResultFile(recordedAt, '.profile.json', `${JSON.stringify(result, null, 2)}\n`)}`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return 0;
});
