/**
 * `npm run profile:table -- <file.cpuprofile> [...]`: where a `node --cpu-prof` profile's time went, as the table the
 * README shows (self time by category, garbage collection among them, and the top functions), for a profile of a
 * bench rather than of the switch under load, e.g. the GC share of a 1M `bench:ledger` run (issue 18 item 3):
 *
 *   HISAAB_BENCH_ROUNDS=1 HISAAB_BENCH_TRANSFERS=1000000 HISAAB_BENCH_BATCH=8190 HISAAB_BENCH_IN_FLIGHT=1 \
 *     node --import tsx --cpu-prof --cpu-prof-dir /tmp/ledger-profile bench/ledger.bench.ts
 *   npm run profile:table -- $(ls -S /tmp/ledger-profile/*.cpuprofile | head -1)
 *
 * (`ls -S` puts the main thread's profile, the largest, first; tsx's module loader thread writes one too.)
 */
import { readFileSync } from 'node:fs';
import { breakdownOf, breakdownTable, cpuProfileSchema } from './cpu-profile';

function main(): void {
  const paths = process.argv.slice(2);
  if (paths.length === 0) throw new Error('profile:table takes one or more .cpuprofile files');
  const profiles = paths.map((path) => cpuProfileSchema.parse(JSON.parse(readFileSync(path, 'utf8'))));
  const breakdown = breakdownOf(profiles, undefined, process.cwd());
  const garbage = breakdown.categories.find((row) => row.category === 'GC');
  console.log(breakdownTable(breakdown));
  console.log(`\ngarbage collection: ${((garbage?.share ?? 0) * 100).toFixed(1)} % of ${(breakdown.busyMs / 1000).toFixed(1)} s busy`);
}

main();
