import { createInterface } from 'node:readline';
import pino from 'pino';
import { BankHostSimulator } from './bank-host-simulator';
import { CliOptionsError, parseCliOptions } from './cli-options';
import { runCommand } from './control-commands';

/**
 * The bank host simulator as a process: `tsx simulators/bank/main.ts --institution-id 600001 --port 9583
 * --account PK36SCBL0000001123456702=1500.00 [--switch 127.0.0.1:8583]`. It prints one JSON line when
 * listening (with the port, for `--port 0`), one when signed on to the switch, and one per stdin command.
 */
async function main(): Promise<void> {
  let options: ReturnType<typeof parseCliOptions>;
  try {
    options = parseCliOptions(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof CliOptionsError || (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`bank simulator: ${(error as Error).message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = pino({ level: process.env['HISAAB_LOG_LEVEL'] ?? 'warn' }, pino.destination(2));
  const simulator = new BankHostSimulator({
    institutionId: options.institutionId,
    host: options.host,
    port: options.port,
    accounts: options.accounts,
    ...(options.acceptedInstitutionIds === undefined ? {} : { acceptedInstitutionIds: options.acceptedInstitutionIds }),
    logger,
  });
  const address = await simulator.start();
  print({ event: 'listening', host: options.host, port: address.port, institutionId: options.institutionId });
  if (options.switchAddress !== null) {
    const signedOn = await simulator.connectToSwitch({ ...options.switchAddress, readyTimeoutMs: 30_000 });
    print({ event: signedOn ? 'signed_on' : 'sign_on_pending', switch: `${options.switchAddress.host}:${options.switchAddress.port}` });
  }

  // Commands run one at a time, in order, so their replies come back in the order they were given.
  let commands = Promise.resolve();
  createInterface({ input: process.stdin }).on('line', (line) => {
    const command = line.trim().slice(0, 80);
    commands = commands
      .then(async () => print({ command, ...(await runCommand(simulator, line)) }))
      .catch((error: unknown) => print({ command, ok: false, error: (error as Error).message }));
  });

  const shutdown = (): void => {
    void simulator.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

function print(value: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? inner.toString() : inner))}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bank simulator failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
