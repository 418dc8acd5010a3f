import type Database from 'better-sqlite3';
import { SqliteSettlementReader } from '../adapters/readmodel-sqlite/projections/settlement-read-model';
import { SqliteParticipantStatisticsReader } from '../adapters/readmodel-sqlite/projections/participant-statistics-read-model';
import { SqlitePaymentStatisticsReader } from '../adapters/readmodel-sqlite/projections/statistics-read-model';
import { isDomainError } from '../core/errors';
import type { EventStore } from '../core/eventstore/event-store';
import type { LedgerEngine } from '../core/ledger/ledger-engine';
import { describeCloseSchedule, type CloseSchedule } from '../core/settlement/close-schedule';
import { CloseScheduler, type Timers } from '../core/settlement/close-scheduler';
import { SettlementService } from '../core/settlement/settlement-service';
import { assemble, type Assembled, type StartedParts } from './assembly';
import type { Logger } from './logger';
import type { RouteModule } from './route-kit';
import { reportRoutes } from './routes/reports';
import { settlementRoutes } from './routes/settlement';

export type SettlementModuleOptions = {
  store: EventStore;
  ledgers: readonly LedgerEngine[];
  /** The read-model database the settlement and statistics projections write (SqliteReadModelStore.database). */
  readModelDatabase: Database.Database;
  /** The projection runner's wait: settling reads obligations only once the read model has caught up. */
  waitForPosition: (position: bigint, timeoutMs: number) => Promise<void>;
  readModelWaitTimeoutMs: number;
  now: () => Date;
  logger: Logger;
  /** When windows close by themselves; null: only the operator closes them. */
  schedule: CloseSchedule | null;
  timers?: Timers;
};

export type SettlementModule = {
  routeModules: readonly RouteModule[];
  service: SettlementService;
  scheduler: CloseScheduler | null;
};

/**
 * Settlement and reports as the switch runs them: the first window of every currency opened before anything is
 * served, the close schedule started when configured, and the routes of issue 6. Stopping it stops the schedule
 * (a close in progress finishes first).
 */
export function assembleSettlement(options: SettlementModuleOptions): Promise<Assembled<SettlementModule>> {
  return assemble(options.logger, (parts) => startSettlement(options, parts));
}

async function startSettlement(options: SettlementModuleOptions, parts: StartedParts): Promise<SettlementModule> {
  const engines = new Map(options.ledgers.map((ledger) => [ledger.ledger as string, ledger]));
  const reader = new SqliteSettlementReader(options.readModelDatabase);
  const service = new SettlementService({
    store: options.store,
    ledgers: (currency) => engines.get(currency),
    reader,
    waitForReadModel: (position) => options.waitForPosition(position, options.readModelWaitTimeoutMs),
  });
  const currencies = [...engines.keys()];
  for (const currency of currencies) {
    await service.openFirstWindow(currency, {
      now: options.now(),
      actor: 'switch:settlement',
      correlationId: `open-first-window-${currency}`,
    });
  }
  let scheduler: CloseScheduler | null = null;
  if (options.schedule !== null && currencies.length > 0) {
    const schedule = options.schedule;
    scheduler = new CloseScheduler({
      schedule,
      currencies,
      now: options.now,
      ...(options.timers === undefined ? {} : { timers: options.timers }),
      close: async (currency) => {
        const closed = await service.closeWindow(
          { currency, closedBy: 'schedule', requestReference: null },
          { now: options.now(), actor: 'schedule:settlement', correlationId: `scheduled-close-${currency}` },
        );
        options.logger.info(
          { currency, closed: closed.closedWindowId, opened: closed.openedWindowId },
          'settlement window closed by schedule',
        );
      },
      onError: (currency, error) => {
        options.logger.error(
          { currency, code: isDomainError(error) ? error.code : undefined, err: error },
          'scheduled settlement close failed',
        );
      },
    });
    scheduler.start();
    const started = scheduler;
    parts.onStop('settlement close schedule', () => started.stop());
    options.logger.info(
      { schedule: describeCloseSchedule(schedule), nextCloseAt: scheduler.nextDueAt()?.toISOString() ?? null },
      'settlement close schedule running',
    );
  }
  return {
    routeModules: [
      settlementRoutes({ settlement: service, settlementReader: reader }),
      reportRoutes({
        statistics: new SqlitePaymentStatisticsReader(options.readModelDatabase),
        participantStatistics: new SqliteParticipantStatisticsReader(options.readModelDatabase),
      }),
    ],
    service,
    scheduler,
  };
}
