import { ConfigError, loadConfig, type SwitchConfig } from './config';
import { createLogger } from './logger';
import { portProblemMessage } from './port-in-use';
import { startSwitch, type RunningSwitch } from './switch';

/**
 * `npm run serve`: the switch, configured by the environment (HISAAB_PORT, HISAAB_DATA_DIR, HISAAB_OPERATOR_KEY,
 * HISAAB_EVENTSTORE). Logs {"msg":"listening"} when it serves; SIGTERM or SIGINT stop it gracefully.
 */
async function main(): Promise<void> {
  let config: SwitchConfig;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`hisaab: refusing to start: ${error.message}\n`);
    process.exit(2);
  }
  const logger = createLogger(config.logLevel);
  let running: RunningSwitch;
  try {
    running = await startSwitch({ config, logger });
  } catch (error) {
    // A taken port is the operator's to fix: one line naming the variable, not a stack trace.
    const portProblem = portProblemMessage(error, config);
    if (portProblem === null) throw error;
    process.stderr.write(`hisaab: refusing to start: ${portProblem}\n`);
    process.exit(2);
  }
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    running.close().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  // A configuration found wrong only once the data dir is open (the master key, say) is still a configuration error.
  if (error instanceof ConfigError) {
    process.stderr.write(`hisaab: refusing to start: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`hisaab: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
