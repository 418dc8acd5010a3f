import cluster from 'node:cluster';
import { startClusterPrimary, writerUrlVariable } from './cluster/cluster-primary';
import { startFrontEndWorker } from './cluster/front-end-worker';
import { ConfigError, loadConfig, type SwitchConfig } from './config';
import { createLogger, type Logger } from './logger';
import { portProblemMessage } from './port-in-use';
import { startSwitch } from './switch';

/**
 * `npm run serve`: the switch, configured by the environment (HISAAB_PORT, HISAAB_DATA_DIR, HISAAB_OPERATOR_KEY,
 * HISAAB_EVENTSTORE, HISAAB_WORKERS). Logs {"msg":"listening"} when it serves; SIGTERM or SIGINT stop it
 * gracefully. With HISAAB_WORKERS above 1 this process is the writer and forks the front-end workers, which run
 * this same file (api/cluster/).
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
  if (cluster.isWorker) {
    await runFrontEndWorker(config, logger);
    return;
  }
  let running: { close(this: void): Promise<void> };
  try {
    running = config.workers > 1 ? await startClusterPrimary(config, logger) : await startSwitch({ config, logger });
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

/**
 * A front-end worker forked by the writer. It lives as long as its IPC channel: when the writer stops the workers,
 * or dies, the channel closes, commands still waiting are answered 503, and the worker finishes and exits.
 */
async function runFrontEndWorker(config: SwitchConfig, logger: Logger): Promise<void> {
  const writerUrl = process.env[writerUrlVariable];
  if (writerUrl === undefined) throw new ConfigError(`${writerUrlVariable} is set by the writer process for its workers only`);
  const send = process.send?.bind(process);
  if (send === undefined) throw new ConfigError('a front-end worker runs only as a child of the writer process');
  let worker: Awaited<ReturnType<typeof startFrontEndWorker>>;
  try {
    worker = await startFrontEndWorker({
      config,
      logger: logger.child({ workerPid: process.pid }),
      writerUrl,
      channel: {
        // After the writer is gone a send fails; the callback keeps that from being an 'error' event that kills
        // the worker before it has answered its clients (the 'disconnect' handler below answers them 503).
        send: (message) =>
          void send(message, undefined, undefined, (error: Error | null) => {
            if (error !== null) logger.warn({ err: error }, 'could not send commands to the ledger writer');
          }),
        onMessage: (listener) => process.on('message', listener),
        connected: () => process.connected,
      },
    });
  } catch (error) {
    // The writer tells the operator, once, for all its workers: each would hit the same taken port.
    const portProblem = portProblemMessage(error, config);
    if (portProblem === null) throw error;
    send({ type: 'hisaab.worker.refused', message: portProblem }, undefined, undefined, () => process.exit(2));
    return;
  }
  send({ type: 'hisaab.worker.ready', port: worker.provides.port, iso8583Port: worker.provides.iso8583Port });
  let stopping = false;
  const stop = (reason: string, exitCode: number): void => {
    if (stopping) return;
    stopping = true;
    worker.provides.link.failAll('the ledger writer is gone');
    logger.info({ reason, workerPid: process.pid }, 'front-end worker stopping');
    void worker.stop().finally(() => process.exit(exitCode));
  };
  process.on('disconnect', () => stop('the writer closed the channel', 0));
  process.on('SIGTERM', () => stop('SIGTERM', 0));
  process.on('SIGINT', () => stop('SIGINT', 0));
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
