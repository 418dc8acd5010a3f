import pg from 'pg';
import { describeHosts, type PostgresConnectionSettings } from './postgres-connection-string';
import { storeUnavailable } from './postgres-errors';

/**
 * How long one statement may take before the client gives up on it: a server that stopped answering (paused,
 * cut off) must turn into a 503, never a request that hangs. A commit waiting for a synchronous standby that is
 * gone waits this long too, and then fails as unavailable rather than acknowledged.
 */
const queryTimeoutMsDefault = 10_000;

/** Opens connections the way libpq does with target_session_attrs=read-write. */
export type Connector = {
  /** The first host, in the order written, that accepts a connection and is not in recovery (not a standby). */
  connectWritable(): Promise<pg.Client>;
  /** The hosts as logs show them (never the password). */
  readonly hosts: string;
};

export function createConnector(settings: PostgresConnectionSettings, queryTimeoutMs = queryTimeoutMsDefault): Connector {
  const hosts = describeHosts(settings.hosts);
  return {
    hosts,
    async connectWritable(): Promise<pg.Client> {
      const problems: string[] = [];
      for (const target of settings.hosts) {
        const client = new pg.Client({
          host: target.host,
          port: target.port,
          user: settings.user,
          password: settings.password,
          database: settings.database,
          ssl: settings.sslMode === 'disable' ? false : { rejectUnauthorized: settings.sslMode === 'verify-full' },
          application_name: settings.applicationName,
          connectionTimeoutMillis: settings.connectTimeoutMs,
          query_timeout: queryTimeoutMs,
          keepAlive: true,
        });
        // A connection that drops while idle emits 'error'; the next query on it fails and is retried elsewhere.
        client.on('error', () => undefined);
        try {
          await client.connect();
          const answer = await client.query<{ recovery: boolean }>('SELECT pg_is_in_recovery() AS recovery');
          if (answer.rows[0]?.recovery !== true) return client;
          problems.push(`${target.host}:${target.port} is a standby (read-only)`);
        } catch (error) {
          problems.push(`${target.host}:${target.port}: ${describeConnectError(error)}`);
        }
        await client.end().catch(() => undefined);
      }
      throw storeUnavailable(`no writable PostgreSQL server at ${hosts} (${problems.join('; ')})`);
    },
  };
}

/** A connect failure in one phrase, without anything the server might echo back of the credentials. */
function describeConnectError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  if (code === '28P01' || code === '28000') return 'authentication failed (check the user and password)';
  if (code === '3D000') return 'the database does not exist';
  return typeof code === 'string' ? `${code} ${error.message}` : error.message;
}
