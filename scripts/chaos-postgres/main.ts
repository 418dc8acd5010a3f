import { runFailover } from './failover';

/**
 * `npm run chaos:postgres [-- --burst-ms N --outage-ms N]`: the PostgreSQL failover drill (scripts/chaos-postgres/
 * failover.ts). Prints what happened and one JSON line; exits 0 when nothing acknowledged was lost, nothing was
 * written twice, the switch never answered 500 and `npm run verify` passed on the new primary, 1 otherwise.
 */
function numberArgument(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  if (index === -1) return fallback;
  const value = Number(process.argv[index + 1]);
  if (!Number.isInteger(value) || value < 100 || value > 600_000) throw new Error(`${name} takes milliseconds from 100 to 600000`);
  return value;
}

async function main(): Promise<number> {
  const report = await runFailover({
    burstMs: numberArgument('--burst-ms', 5_000),
    outageMs: numberArgument('--outage-ms', 2_000),
    log: (line) => console.log(`chaos:postgres: ${line}`),
  });
  console.log(`chaos:postgres: answers while no primary was there: ${JSON.stringify(report.answersDuringOutage)}`);
  console.log(`chaos:postgres: time from the kill to the first acknowledged write: ${String(report.killToFirstWriteMs)} ms`);
  console.log(JSON.stringify({ chaos: 'postgres', ...report }));
  return report.passed ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
