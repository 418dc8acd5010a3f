import { resolve } from 'node:path';
import { z } from 'zod';
import { selectEventStore, type EventStoreSelection } from '../adapters/eventstore-factory';
import {
  closeIntervalMsMax,
  closeIntervalMsMin,
  closeScheduleTimezoneDefault,
  cronExpressionProblem,
  isTimeZone,
  type CloseSchedule,
} from '../core/settlement/close-schedule';
import { defaultTunables, transfersRememberedEventsMax } from '../core/ledger/ledger-limits';
import { payerReferencesRememberedDefault } from '../core/personal-data/personal-data-event-store';
import { masterKeyBytes } from '../core/secrets/secret-box';
import { parseHolidays, parseResponseWindow, type ResponseWindow } from '../core/disputes/dispute-deadline';
import { parseAmount, type CurrencyCode } from '../core/money';
import { enabledCurrenciesSchema, fxQuoteTtlSecondsDefault, fxQuoteTtlSecondsMax } from './currency-settings';
import {
  moneyPathInFlightMaxDefault,
  moneyPathInFlightMaxLimit,
  moneyPathLoopDelayMaxMsDefault,
  moneyPathLoopDelayMaxMsLimit,
} from './money-path-admission';
import { rateLimitSettingsDefault, type RateLimitSettings } from './rate-limit/rate-limit-settings';
import { ratePerSecondMax } from './rate-limit/token-buckets';
import { loadTlsSettings, type TlsSettings } from './tls-settings';
import { connectionCapLimits, connectionsAllowedBy, defaultMaxConnections, openFilesSoftLimit } from './connection-cap';

/** The operator key guards everything; a short one could be guessed. */
export const operatorKeyLengthMin = 16;
export const operatorKeyLengthMax = 256;

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export type SwitchConfig = {
  port: number;
  host: string;
  dataDir: string;
  operatorKey: string;
  eventStore: EventStoreSelection;
  logLevel: (typeof logLevels)[number];
  /** How long a write waits for the read model to show it before answering (read-your-writes). */
  readYourWritesTimeoutMs: number;
  /**
   * HISAAB_MONEY_PATH_IN_FLIGHT_MAX: payments (POST /v1/transfers and batches) one process works on at once; past
   * it a new one is answered 503 OVERLOADED with Retry-After before any work (api/money-path-admission.ts).
   */
  moneyPathInFlightMax: number;
  /**
   * HISAAB_MONEY_PATH_LOOP_DELAY_MAX_MS: event-loop delay (ms) past which new payments are shed too, whatever the
   * count in flight; 0 turns it off (api/money-path-admission.ts).
   */
  moneyPathLoopDelayMaxMs: number;
  /**
   * HISAAB_MAX_CONNECTIONS: clients' sockets one process holds open, HTTP and ISO 8583 together; past it a new
   * connection is closed at accept (api/connection-cap.ts). The default is sized from the open-files limit.
   */
  maxConnections: number;
  /** How long SIGTERM waits for requests in flight before closing anyway. */
  shutdownTimeoutMs: number;
  /** How long a payee's provider has to answer a credit request before the transfer aborts (issue 4: 10 s). */
  payeeDeadlineMs: number;
  /** The TCP port bank hosts connect to over ISO 8583 (issue 5: default 8583; 0 picks a free one). */
  iso8583Port: number;
  /** The switch's own DE32 towards banks: what it signs on with and puts on its 0200/0220/0420. */
  iso8583InstitutionId: string;
  /**
   * When settlement windows close by themselves: HISAAB_SETTLEMENT_CLOSE_CRON read in HISAAB_SETTLEMENT_TIMEZONE,
   * or HISAAB_SETTLEMENT_CLOSE_INTERVAL_MS; null (neither set): only the operator closes them.
   */
  settlementCloseSchedule: CloseSchedule | null;
  /**
   * HISAAB_MASTER_KEY: seals the participants' signing secrets at rest (32 bytes). Absent: the switch keeps a
   * generated one in the data dir (api/master-key.ts) and warns that production should supply its own.
   */
  masterKey?: Buffer;
  /**
   * HISAAB_WORKERS: front-end worker processes serving the public ports (api/cluster/); 0 or 1 runs the whole
   * switch in one process, as tests and small deployments do.
   */
  workers: number;
  /**
   * HISAAB_PUBLIC_URL: where customers reach the switch's pay pages (`payUrl` is under it), as an origin with an
   * optional path prefix and no trailing slash. Null (unset): http://localhost:<the port the switch listens on>.
   */
  publicUrl: string | null;
  /**
   * HISAAB_TLS_CERT, HISAAB_TLS_KEY and HISAAB_TLS_CLIENT_CA (api/tls-settings.ts): HTTPS and ISO 8583 over TLS, and
   * with a client CA mutual TLS. Null (the default): plain HTTP and TCP, as behind a TLS-terminating proxy.
   */
  tls: TlsSettings | null;
  /**
   * Rate limits (issue 15, item 3; api/rate-limit/): HISAAB_RATE_LIMIT_PER_KEY, HISAAB_RATE_LIMIT_PAY_PAGE_PER_ADDRESS and
   * HISAAB_RATE_LIMIT_UNAUTHENTICATED_PER_ADDRESS, in requests per second for the whole switch.
   */
  rateLimits: RateLimitSettings;
  /** Online dispute resolution (issue 12): the cap, the claim window, the respondents' deadlines and the holidays. */
  disputes: DisputeSettings;
  /** HISAAB_CURRENCIES (api/currency-settings.ts): the currencies the switch runs a ledger for, PKR always among them. */
  currencies: readonly CurrencyCode[];
  /** HISAAB_FX_QUOTE_TTL_SECONDS: how long an FX quote locks its rate (default 60). */
  fxQuoteTtlSeconds: number;
  /**
   * HISAAB_LEDGER_TRANSFERS_REMEMBERED_EVENTS: how many ledger events back each ledger remembers a transfer id
   * (its id window, core/ledger/transfer-id-window.ts). Absent: the engine's default, 10,000,000, whose window grows
   * to about 304 MiB per ledger once full; a shorter one holds less and starts faster, and forgets ids sooner.
   */
  ledgerTransfersRememberedEvents?: number;
  /**
   * HISAAB_PAYERS_REMEMBERED: how many recent transfers' payer subjects the personal-data store keeps in memory to
   * seal their deliveries (core/personal-data/personal-data-event-store.ts; ~260 bytes each). Absent: 100,000.
   */
  payerReferencesRemembered?: number;
};

export type DisputeSettings = {
  /** HISAAB_ODR_CAP (default 500000.00 PKR): the largest claim ODR takes, in minor units. */
  capMinor: bigint;
  /** HISAAB_ODR_CLAIM_DAYS (default 120): how many days after a transfer a claim may be opened. */
  claimDays: number;
  /** HISAAB_ODR_RESPOND_WITHIN (default 5bd). */
  respondWithin: ResponseWindow;
  /** HISAAB_ODR_DNC_RESPOND_WITHIN (default 1bd): the turnaround for DEBITED_NOT_CREDITED. */
  debitedNotCreditedRespondWithin: ResponseWindow;
  /** HISAAB_HOLIDAYS: dates (YYYY-MM-DD) that are not business days in Asia/Karachi. */
  holidays: readonly string[];
};

export const disputeSettingsDefault: DisputeSettings = {
  capMinor: 50_000_000n,
  claimDays: 120,
  respondWithin: { kind: 'businessDays', days: 5 },
  debitedNotCreditedRespondWithin: { kind: 'businessDays', days: 1 },
  holidays: [],
};

/** The longest claim window: the issue's default is 120 days, and no scheme keeps claims open for more than a couple of years. */
const claimDaysMax = 730;

/** The shortest id window the switch takes: shorter would forget a transfer id within seconds at a busy rate. */
const transfersRememberedEventsMin = 10_000;

/** The most payer subjects the personal-data store may keep in memory: 10,000,000 is about 2.5 GB of heap. */
const payersRememberedMax = 10_000_000;

/** Front-end workers at most: more than any machine's useful cores, few enough to bound the writer's IPC fan-in. */
export const workersMax = 64;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const integer = (name: string, fallback: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((value, context) => {
      if (value === undefined || value === '') return fallback;
      const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
      if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
        context.addIssue({ code: 'custom', message: `${name} must be a whole number from ${min} to ${max}, got "${value.slice(0, 20)}"` });
        return z.NEVER;
      }
      return parsed;
    });

/** 32 bytes in standard or URL-safe base64 (`openssl rand -base64 32`). */
const masterKeySchema = z
  .string()
  .optional()
  .transform((value, context) => {
    if (value === undefined || value === '') return undefined;
    const trimmed = value.trim();
    const decoded = /^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed) ? Buffer.from(trimmed, 'base64') : Buffer.alloc(0);
    if (decoded.length !== masterKeyBytes) {
      context.addIssue({
        code: 'custom',
        message: `HISAAB_MASTER_KEY must be ${masterKeyBytes} bytes in base64 (44 characters, e.g. from "openssl rand -base64 32")`,
      });
      return z.NEVER;
    }
    return decoded;
  });

/** An absolute http(s) URL without query or fragment; a trailing slash is dropped. */
const publicUrlSchema = z
  .string()
  .optional()
  .transform((value, context) => {
    if (value === undefined || value === '') return undefined;
    let url: URL | null = null;
    try {
      url = new URL(value);
    } catch {
      url = null;
    }
    if (
      url === null ||
      (url.protocol !== 'http:' && url.protocol !== 'https:') ||
      url.search !== '' ||
      url.hash !== '' ||
      value.length > 512
    ) {
      context.addIssue({
        code: 'custom',
        message: `HISAAB_PUBLIC_URL must be an absolute http(s) URL without query or fragment, such as https://pay.example.pk; got "${value.slice(0, 40)}"`,
      });
      return z.NEVER;
    }
    return value.replace(/\/+$/, '');
  });

/** A variable set to the empty string counts as unset, as it does for every other variable. */
const emptyAsUnset = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema);

const environmentSchema = z.object({
  HISAAB_PORT: integer('HISAAB_PORT', 8080, 0, 65535),
  HISAAB_HOST: z.string().optional(),
  HISAAB_DATA_DIR: z.string().optional(),
  // Set but empty counts as not set: the one sentence is then that it is required.
  HISAAB_OPERATOR_KEY: emptyAsUnset(
    z
      .string({ error: "HISAAB_OPERATOR_KEY is required: set it to the operator's bearer key (a long random string)" })
      // The message names the rule and the length it got, never the key itself.
      .min(operatorKeyLengthMin, {
        error: (issue) =>
          `HISAAB_OPERATOR_KEY must be at least ${operatorKeyLengthMin} characters (it guards every operator action); got ${typeof issue.input === 'string' ? issue.input.length : 0}`,
      })
      .max(operatorKeyLengthMax, {
        error: (issue) =>
          `HISAAB_OPERATOR_KEY must be at most ${operatorKeyLengthMax} characters; got ${typeof issue.input === 'string' ? issue.input.length : 0}`,
      })
      .regex(/^[\x21-\x7e]+$/, 'HISAAB_OPERATOR_KEY must be printable ASCII without spaces'),
  ),
  HISAAB_EVENTSTORE: z.string().optional(),
  HISAAB_LOG_LEVEL: emptyAsUnset(
    z
      .enum(logLevels, {
        error: (issue) =>
          `HISAAB_LOG_LEVEL must be one of ${logLevels.join(', ')}; got ${JSON.stringify(String(issue.input).slice(0, 20))}`,
      })
      .optional(),
  ),
  HISAAB_READ_YOUR_WRITES_TIMEOUT_MS: integer('HISAAB_READ_YOUR_WRITES_TIMEOUT_MS', 5000, 1, 60_000),
  HISAAB_MONEY_PATH_IN_FLIGHT_MAX: integer('HISAAB_MONEY_PATH_IN_FLIGHT_MAX', moneyPathInFlightMaxDefault, 1, moneyPathInFlightMaxLimit),
  HISAAB_MONEY_PATH_LOOP_DELAY_MAX_MS: integer(
    'HISAAB_MONEY_PATH_LOOP_DELAY_MAX_MS',
    moneyPathLoopDelayMaxMsDefault,
    0,
    moneyPathLoopDelayMaxMsLimit,
  ),
  HISAAB_MAX_CONNECTIONS: integer(
    'HISAAB_MAX_CONNECTIONS',
    defaultMaxConnections(openFilesSoftLimit()),
    connectionCapLimits.capMin,
    connectionCapLimits.capMax,
  ),
  HISAAB_SHUTDOWN_TIMEOUT_MS: integer('HISAAB_SHUTDOWN_TIMEOUT_MS', 10_000, 0, 120_000),
  HISAAB_PAYEE_DEADLINE_MS: integer('HISAAB_PAYEE_DEADLINE_MS', 10_000, 100, 60_000),
  HISAAB_ISO8583_PORT: integer('HISAAB_ISO8583_PORT', 8583, 0, 65535),
  HISAAB_ISO8583_INSTITUTION_ID: emptyAsUnset(
    z
      .string()
      .regex(/^\d{6,11}$/, "HISAAB_ISO8583_INSTITUTION_ID must be the switch's ISO 8583 institution id (DE32), 6 to 11 digits")
      .optional(),
  ),
  HISAAB_MASTER_KEY: masterKeySchema,
  HISAAB_PUBLIC_URL: publicUrlSchema,
  // One until the workers serve every route themselves (see the README): today they forward most writes whole.
  HISAAB_WORKERS: integer('HISAAB_WORKERS', 1, 0, workersMax),
  HISAAB_RATE_LIMIT_PER_KEY: integer('HISAAB_RATE_LIMIT_PER_KEY', rateLimitSettingsDefault.perKeyPerSecond, 1, ratePerSecondMax),
  HISAAB_RATE_LIMIT_PAY_PAGE_PER_ADDRESS: integer(
    'HISAAB_RATE_LIMIT_PAY_PAGE_PER_ADDRESS',
    rateLimitSettingsDefault.payPagePerAddressPerSecond,
    1,
    ratePerSecondMax,
  ),
  HISAAB_RATE_LIMIT_UNAUTHENTICATED_PER_ADDRESS: integer(
    'HISAAB_RATE_LIMIT_UNAUTHENTICATED_PER_ADDRESS',
    rateLimitSettingsDefault.unauthenticatedPerAddressPerSecond,
    1,
    ratePerSecondMax,
  ),
  HISAAB_ODR_CLAIM_DAYS: integer('HISAAB_ODR_CLAIM_DAYS', disputeSettingsDefault.claimDays, 1, claimDaysMax),
  HISAAB_CURRENCIES: enabledCurrenciesSchema,
  HISAAB_FX_QUOTE_TTL_SECONDS: integer('HISAAB_FX_QUOTE_TTL_SECONDS', fxQuoteTtlSecondsDefault, 1, fxQuoteTtlSecondsMax),
  HISAAB_LEDGER_TRANSFERS_REMEMBERED_EVENTS: integer(
    'HISAAB_LEDGER_TRANSFERS_REMEMBERED_EVENTS',
    defaultTunables.transfersRememberedEvents,
    transfersRememberedEventsMin,
    transfersRememberedEventsMax,
  ),
  HISAAB_PAYERS_REMEMBERED: integer('HISAAB_PAYERS_REMEMBERED', payerReferencesRememberedDefault, 1_000, payersRememberedMax),
});

/** Reads the configuration from the environment; throws ConfigError with every problem, one sentence each. */
export function loadConfig(environment: NodeJS.ProcessEnv): SwitchConfig {
  const parsed = environmentSchema.safeParse(environment);
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => issue.message);
  const rawDataDir = environment.HISAAB_DATA_DIR;
  const dataDir = resolve(rawDataDir !== undefined && rawDataDir !== '' ? rawDataDir : './data');
  let eventStore: EventStoreSelection | null = null;
  try {
    eventStore = selectEventStore(environment.HISAAB_EVENTSTORE, dataDir);
  } catch (error) {
    problems.push(error instanceof Error ? error.message : String(error));
  }
  let settlementCloseSchedule: CloseSchedule | null = null;
  try {
    settlementCloseSchedule = parseSettlementCloseSchedule(environment);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(error.message);
  }
  let disputes: Omit<DisputeSettings, 'claimDays'> | null = null;
  try {
    disputes = parseDisputeSettings(environment);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(error.message);
  }
  const tls = loadTlsSettings(environment, problems);
  if (tls?.clientCaPem != null && parsed.success && parsed.data.HISAAB_WORKERS > 1)
    problems.push(
      'HISAAB_TLS_CLIENT_CA is served by a switch of one process: set HISAAB_WORKERS to 1 (the workers forward most routes to the writer, which would not see the certificate)',
    );
  const openFilesLimit = openFilesSoftLimit();
  if (parsed.success && parsed.data.HISAAB_MAX_CONNECTIONS > connectionsAllowedBy(openFilesLimit) && environment.HISAAB_MAX_CONNECTIONS)
    problems.push(
      `HISAAB_MAX_CONNECTIONS ${parsed.data.HISAAB_MAX_CONNECTIONS} is more than this process's open-files limit (${String(openFilesLimit)}) leaves after its own files: at most ${connectionsAllowedBy(openFilesLimit)}; raise the limit (ulimit -n) or lower the cap`,
    );
  if (!parsed.success || eventStore === null || disputes === null || problems.length > 0) throw new ConfigError(problems.join('; '));
  const values = parsed.data;
  return {
    port: values.HISAAB_PORT,
    host: values.HISAAB_HOST !== undefined && values.HISAAB_HOST !== '' ? values.HISAAB_HOST : '0.0.0.0',
    dataDir,
    operatorKey: values.HISAAB_OPERATOR_KEY,
    eventStore,
    logLevel: values.HISAAB_LOG_LEVEL ?? 'info',
    readYourWritesTimeoutMs: values.HISAAB_READ_YOUR_WRITES_TIMEOUT_MS,
    moneyPathInFlightMax: values.HISAAB_MONEY_PATH_IN_FLIGHT_MAX,
    moneyPathLoopDelayMaxMs: values.HISAAB_MONEY_PATH_LOOP_DELAY_MAX_MS,
    maxConnections: values.HISAAB_MAX_CONNECTIONS,
    shutdownTimeoutMs: values.HISAAB_SHUTDOWN_TIMEOUT_MS,
    payeeDeadlineMs: values.HISAAB_PAYEE_DEADLINE_MS,
    iso8583Port: values.HISAAB_ISO8583_PORT,
    iso8583InstitutionId: values.HISAAB_ISO8583_INSTITUTION_ID ?? '999999',
    settlementCloseSchedule,
    workers: values.HISAAB_WORKERS,
    publicUrl: values.HISAAB_PUBLIC_URL ?? null,
    disputes: { ...disputes, claimDays: values.HISAAB_ODR_CLAIM_DAYS },
    rateLimits: {
      perKeyPerSecond: values.HISAAB_RATE_LIMIT_PER_KEY,
      payPagePerAddressPerSecond: values.HISAAB_RATE_LIMIT_PAY_PAGE_PER_ADDRESS,
      unauthenticatedPerAddressPerSecond: values.HISAAB_RATE_LIMIT_UNAUTHENTICATED_PER_ADDRESS,
      bucketsMax: rateLimitSettingsDefault.bucketsMax,
    },
    tls,
    currencies: values.HISAAB_CURRENCIES,
    fxQuoteTtlSeconds: values.HISAAB_FX_QUOTE_TTL_SECONDS,
    ...(values.HISAAB_MASTER_KEY === undefined ? {} : { masterKey: values.HISAAB_MASTER_KEY }),
    ...(nonBlank(environment.HISAAB_LEDGER_TRANSFERS_REMEMBERED_EVENTS) === null
      ? {}
      : { ledgerTransfersRememberedEvents: values.HISAAB_LEDGER_TRANSFERS_REMEMBERED_EVENTS }),
    ...(nonBlank(environment.HISAAB_PAYERS_REMEMBERED) === null ? {} : { payerReferencesRemembered: values.HISAAB_PAYERS_REMEMBERED }),
  };
}

/**
 * The settlement close schedule. A variable set to blanks counts as unset. Setting both the cron and the interval
 * is refused: which one wins would be a guess. The time zone is read only with the cron.
 */
function parseSettlementCloseSchedule(environment: NodeJS.ProcessEnv): CloseSchedule | null {
  const cron = nonBlank(environment.HISAAB_SETTLEMENT_CLOSE_CRON);
  const interval = nonBlank(environment.HISAAB_SETTLEMENT_CLOSE_INTERVAL_MS);
  if (cron !== null && interval !== null)
    throw new ConfigError('set HISAAB_SETTLEMENT_CLOSE_CRON or HISAAB_SETTLEMENT_CLOSE_INTERVAL_MS, not both');
  if (interval !== null) {
    const intervalMs = /^\d{1,13}$/.test(interval) ? Number(interval) : Number.NaN;
    if (!Number.isSafeInteger(intervalMs) || intervalMs < closeIntervalMsMin || intervalMs > closeIntervalMsMax) {
      throw new ConfigError(
        `HISAAB_SETTLEMENT_CLOSE_INTERVAL_MS must be a whole number from ${closeIntervalMsMin} to ${closeIntervalMsMax}, got "${interval.slice(0, 20)}"`,
      );
    }
    return { kind: 'interval', intervalMs };
  }
  if (cron === null) return null;
  const timezone = nonBlank(environment.HISAAB_SETTLEMENT_TIMEZONE) ?? closeScheduleTimezoneDefault;
  if (!isTimeZone(timezone))
    throw new ConfigError(`HISAAB_SETTLEMENT_TIMEZONE "${timezone.slice(0, 60)}" is not an IANA time zone such as Asia/Karachi`);
  const expression = cron.trim();
  const problem = cronExpressionProblem(expression, timezone);
  if (problem !== null) throw new ConfigError(`HISAAB_SETTLEMENT_CLOSE_CRON ${problem}`);
  return { kind: 'cron', expression, timezone };
}

/** The dispute settings read from text; each problem is one sentence naming its variable. */
function parseDisputeSettings(environment: NodeJS.ProcessEnv): Omit<DisputeSettings, 'claimDays'> {
  const problems: string[] = [];
  const attempt = <T>(read: () => T, fallback: T): T => {
    try {
      return read();
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
      return fallback;
    }
  };
  const capText = nonBlank(environment.HISAAB_ODR_CAP);
  const capMinor =
    capText === null
      ? disputeSettingsDefault.capMinor
      : attempt(() => {
          try {
            return parseAmount(capText.trim(), 'PKR');
          } catch {
            throw new Error(`HISAAB_ODR_CAP must be a positive PKR amount such as 500000.00, got "${capText.slice(0, 30)}"`);
          }
        }, disputeSettingsDefault.capMinor);
  const windowOf = (variable: string, fallback: ResponseWindow): ResponseWindow => {
    const text = nonBlank(environment[variable]);
    return text === null ? fallback : attempt(() => parseResponseWindow(text, variable), fallback);
  };
  const respondWithin = windowOf('HISAAB_ODR_RESPOND_WITHIN', disputeSettingsDefault.respondWithin);
  const debitedNotCreditedRespondWithin = windowOf('HISAAB_ODR_DNC_RESPOND_WITHIN', disputeSettingsDefault.debitedNotCreditedRespondWithin);
  const holidaysText = nonBlank(environment.HISAAB_HOLIDAYS);
  const holidays = holidaysText === null ? [] : attempt(() => parseHolidays(holidaysText, 'HISAAB_HOLIDAYS'), []);
  if (problems.length > 0) throw new ConfigError(problems.join('; '));
  return { capMinor, respondWithin, debitedNotCreditedRespondWithin, holidays };
}

function nonBlank(value: string | undefined): string | null {
  return value === undefined || value.trim() === '' ? null : value;
}
