import { PostgresAdapterError } from './postgres-errors';

/** One host of a connection string, in the order written. */
export type PostgresHost = { host: string; port: number };

export type PostgresConnectionSettings = {
  hosts: readonly PostgresHost[];
  user: string;
  password: string | undefined;
  database: string;
  /** `disable` (the default) or `require` / `verify-full` for TLS, as libpq spells them. */
  sslMode: 'disable' | 'require' | 'verify-full';
  applicationName: string;
  connectTimeoutMs: number;
};

const defaultPort = 5432;
const defaultConnectTimeoutMs = 5_000;
/** Hosts one string may name: a primary and its standbys, with room to spare. */
const hostsMax = 16;
/** The query parameters understood; anything else is refused rather than silently ignored. */
const knownParameters = new Set(['sslmode', 'target_session_attrs', 'application_name', 'connect_timeout']);

function invalid(message: string): PostgresAdapterError {
  return new PostgresAdapterError('INVALID_EVENTSTORE_URL', message);
}

function decode(part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw invalid(`the ${what} of the postgres:// connection string is not valid percent-encoding`);
  }
}

function parseHost(entry: string): PostgresHost {
  // An IPv6 address is written in brackets: [::1]:5432.
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  const plain = /^([^:[\]]+)(?::(\d+))?$/.exec(entry);
  const match = bracketed ?? plain;
  if (match === null || match[1] === undefined) throw invalid(`"${entry}" is not a host or host:port`);
  const port = match[2] === undefined ? defaultPort : Number(match[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65_535)
    throw invalid(`host ${match[1]} has port ${match[2] ?? ''}, outside 1 to 65535`);
  return { host: match[1], port };
}

/**
 * Reads `postgres://user:password@host1:port1,host2:port2/database?sslmode=…` (also `postgresql://`). Several hosts
 * mean libpq's `target_session_attrs=read-write`: the adapter connects to the first that accepts writes, which is
 * how it finds a promoted standby without a restart. Errors name the part at fault and never the password.
 */
export function parsePostgresUrl(url: string): PostgresConnectionSettings {
  const match = /^(postgres|postgresql):\/\/(?:([^@/?#]*)@)?([^/?#]*)(?:\/([^?#]*))?(?:\?([^#]*))?$/.exec(url.trim());
  if (match === null) throw invalid('a PostgreSQL store is given as postgres://user:password@host:port/database');
  const [, , userInfo, hostList, databasePart, query] = match;
  if (hostList === undefined || hostList === '') throw invalid('the postgres:// connection string names no host');
  const hostEntries = hostList.split(',');
  if (hostEntries.length > hostsMax) throw invalid(`a postgres:// connection string names at most ${hostsMax} hosts`);
  const hosts = hostEntries.map(parseHost);
  let user = 'postgres';
  let password: string | undefined;
  if (userInfo !== undefined && userInfo !== '') {
    const colon = userInfo.indexOf(':');
    user = decode(colon === -1 ? userInfo : userInfo.slice(0, colon), 'user name');
    if (colon !== -1) password = decode(userInfo.slice(colon + 1), 'password');
  }
  const database = databasePart === undefined || databasePart === '' ? user : decode(databasePart, 'database name');
  const settings: PostgresConnectionSettings = {
    hosts,
    user,
    password,
    database,
    sslMode: 'disable',
    applicationName: 'hisaab',
    connectTimeoutMs: defaultConnectTimeoutMs,
  };
  for (const pair of (query ?? '').split('&').filter((part) => part !== '')) {
    const equals = pair.indexOf('=');
    const name = decode(equals === -1 ? pair : pair.slice(0, equals), 'parameter name');
    const value = equals === -1 ? '' : decode(pair.slice(equals + 1), `parameter ${name}`);
    if (!knownParameters.has(name)) {
      throw invalid(`the postgres:// parameter "${name}" is not supported; use ${[...knownParameters].join(', ')}`);
    }
    applyParameter(settings, name, value);
  }
  return settings;
}

function applyParameter(settings: PostgresConnectionSettings, name: string, value: string): void {
  if (name === 'sslmode') {
    if (value !== 'disable' && value !== 'require' && value !== 'verify-full') {
      throw invalid(`sslmode=${value} is not supported; use disable, require or verify-full`);
    }
    settings.sslMode = value;
  } else if (name === 'target_session_attrs') {
    // The event store only ever writes through its connections, so read-write is the only meaning it can honour.
    if (value !== 'read-write' && value !== 'primary') throw invalid(`target_session_attrs=${value}: the event store needs read-write`);
  } else if (name === 'application_name') {
    if (value.length === 0 || value.length > 63) throw invalid('application_name has 1 to 63 characters');
    settings.applicationName = value;
  } else if (name === 'connect_timeout') {
    const seconds = Number(value);
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > 300) throw invalid('connect_timeout is whole seconds from 1 to 300');
    settings.connectTimeoutMs = seconds * 1000;
  }
}

/** The hosts of a connection string as a log line may show them: `h1:5432,h2:5433`. */
export function describeHosts(hosts: readonly PostgresHost[]): string {
  return hosts.map((entry) => `${entry.host.includes(':') ? `[${entry.host}]` : entry.host}:${entry.port}`).join(',');
}

/** A postgres:// string with its password replaced by ***: what logs and errors may show. */
export function redactPostgresUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:@/?#]*):[^@/?#]*@/, '$1:***@');
}
