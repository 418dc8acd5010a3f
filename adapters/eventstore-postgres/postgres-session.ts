import type pg from 'pg';
import { createConnector, type Connector } from './postgres-connection';
import { parsePostgresUrl } from './postgres-connection-string';
import { isConnectionFailure, storeUnavailable } from './postgres-errors';

/**
 * One connection to the writable PostgreSQL server for the tables beside the log (idempotency records, request
 * nonces, the data subjects' keys): connected on first use, one statement at a time, dropped when its session is
 * lost so that the next statement reconnects, through the multi-host string, to whichever server is the primary
 * now. A lost connection is answered STORE_UNAVAILABLE (503 with Retry-After), never a 500.
 */
export class PostgresSession {
  private readonly connector: Connector;
  private client: Promise<pg.Client> | null = null;
  private turn: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(connectionString: string) {
    this.connector = createConnector(parsePostgresUrl(connectionString));
  }

  /** Runs `work` on the connection once the statements queued before it are done. */
  async run<Result>(work: (client: pg.Client) => Promise<Result>): Promise<Result> {
    if (this.closed) throw storeUnavailable('the PostgreSQL session is closed');
    const ran = this.turn.then(async () => work(await this.connection()));
    this.turn = ran.then(
      () => undefined,
      () => undefined,
    );
    try {
      return await ran;
    } catch (error) {
      if (!isConnectionFailure(error)) throw error;
      await this.drop();
      throw storeUnavailable(`the PostgreSQL server at ${this.connector.hosts} did not answer: ${(error as Error).message}`);
    }
  }

  async query<Row extends pg.QueryResultRow>(statement: string, values: unknown[] = []): Promise<Row[]> {
    return this.run(async (client) => (await client.query<Row>(statement, values)).rows);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.turn;
    await this.drop();
  }

  private connection(): Promise<pg.Client> {
    if (this.client === null) {
      const connecting = this.connector.connectWritable();
      this.client = connecting;
      const forget = (): void => {
        if (this.client === connecting) this.client = null;
      };
      connecting.then((client) => client.once('end', forget), forget);
    }
    return this.client;
  }

  private async drop(): Promise<void> {
    const connecting = this.client;
    this.client = null;
    const client = await Promise.resolve(connecting).catch(() => null);
    await client?.end().catch(() => undefined);
  }
}
