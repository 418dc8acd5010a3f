import { PostgresEventStore } from '../../../adapters/eventstore-postgres/postgres-event-store';
import { newId } from '../../../core/ids';
import { LocalPostgres } from '../../../scripts/postgres/local-postgres';

/**
 * Issue 19, item 6: with synchronous_commit = on and the only synchronous standby gone, the writer answers
 * STORE_UNAVAILABLE instead of acknowledging what one machine holds.
 */
describe('PostgreSQL with its synchronous standby gone', () => {
  let primary: LocalPostgres;
  let standby: LocalPostgres;

  beforeAll(async () => {
    primary = await LocalPostgres.create({ durable: true });
    standby = await primary.createStandby('standby1');
    await primary.sql(`ALTER SYSTEM SET synchronous_standby_names = 'standby1'`);
    await primary.sql('SELECT pg_reload_conf()');
  }, 90_000);

  afterAll(async () => {
    await standby.remove();
    await primary.remove();
  });

  it('acknowledges while the standby confirms, and answers STORE_UNAVAILABLE (not success) once it is gone', async () => {
    const store = new PostgresEventStore(primary.url(), { queryTimeoutMs: 3_000 });
    await store.migrate();
    expect(await store.becomeWriter(50)).toBe(true);
    const event = () => ({ id: newId(), type: 'Tested', data: {}, metadata: { at: new Date(0).toISOString() } });
    await store.append('sync', [event()], 'no_stream');
    await standby.stop();
    await expect(store.append('sync', [event()], 0n)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await store.close();
  }, 60_000);
});
