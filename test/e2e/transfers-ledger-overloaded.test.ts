import { randomUUID } from 'node:crypto';
import { isDomainError } from '../../core/errors';
import type { LedgerCommand } from '../../core/ledger/commands';
import { batchCommandsMax } from '../../core/ledger/ledger-limits';
import type { TransferRequest } from '../../core/transfers/transfer-request';
import { PaymentNetwork } from '../support/payment-network';

/**
 * A ledger whose queue is full decides nothing and writes nothing (`overloaded`). The payment must then be refused
 * as a whole (OVERLOADED, a 503 with Retry-After: nothing recorded, the same id may be sent again), never answered
 * ABORTED: that answer would be a record the switch does not have, and a retry with the same id would then commit.
 *
 * The queue is filled in the same event-loop turn as the payment is submitted: the engine ticks on setImmediate and
 * the SQLite store answers without I/O, so the payment's submit finds the queue as it was left.
 */
let network: PaymentNetwork;

beforeAll(async () => {
  network = await PaymentNetwork.start(
    [],
    [
      { id: 'MARGALLA', bankCode: 'MRGL', msisdn: '923000000001', netDebitCap: '1000000.00' },
      { id: 'ADVISED', bankCode: 'ADVS', msisdn: '923000000004', netDebitCap: '1000000.00', creditMode: 'ADVICE' },
    ],
  );
});

afterAll(async () => {
  await network.close();
});

/** Submits commands the ledger will refuse (no such accounts) until its queue refuses more: they write nothing. */
function fillLedgerQueue(): void {
  const ledger = network.sw.running.ledgers[0];
  if (ledger === undefined) throw new Error('the switch runs a ledger');
  for (let chunk = 0; ; chunk += 1) {
    const commands: LedgerCommand[] = Array.from({ length: batchCommandsMax }, (_, index) => ({
      type: 'transfer',
      id: `filler-${chunk}-${index}-${randomUUID()}`,
      ledger: 'PKR',
      debitAccountId: 'no-such-account-a',
      creditAccountId: 'no-such-account-b',
      amountMinor: 1n,
      code: 'P2P',
    }));
    const before = ledger.stats().queuedCommands;
    void ledger.submit(commands);
    if (ledger.stats().queuedCommands === before) return;
  }
}

/** A payment to the ADVICE-mode wallet: its reservation and post go to the ledger in one submit. */
function request(id: string): TransferRequest {
  return {
    id,
    payer: { type: 'WALLET', value: 'WMARGALLA0001', name: 'Customer MARGALLA' },
    payee: { type: 'MSISDN', value: network.wallet('ADVISED').msisdn },
    amount: '1.00',
    currency: 'PKR',
    purpose: 'P2P',
  };
}

it('refuses a payment OVERLOADED, recording nothing, when the ledger queue is full; the same id then commits', async () => {
  const service = network.sw.running.transfers.service;
  const id = randomUUID();
  fillLedgerQueue();
  const refused = await service.execute('MARGALLA', request(id), 'api', 'payer').then(
    (execution) => execution,
    (error: unknown) => error,
  );
  expect(isDomainError(refused) && refused.code).toBe('OVERLOADED');
  const read = await network.sw.client.get(`/v1/transfers/${id}`, { key: network.wallet('MARGALLA').key.key });
  expect(read.status).toBe(404);
  const again = await service.execute('MARGALLA', request(id), 'api', 'payer');
  expect(again).toMatchObject({ replayed: false, view: { state: 'COMMITTED' } });
});

it('answers a batch item OVERLOADED, recording nothing, when the ledger queue is full', async () => {
  const service = network.sw.running.transfers.service;
  const ids = [randomUUID(), randomUUID()];
  fillLedgerQueue();
  const outcomes = await service.executeBatch(
    'MARGALLA',
    ids.map((id) => request(id)),
    'api',
    'payer',
  );
  for (const outcome of outcomes) expect(outcome).toMatchObject({ error: { code: 'OVERLOADED' } });
  for (const id of ids) {
    const read = await network.sw.client.get(`/v1/transfers/${id}`, { key: network.wallet('MARGALLA').key.key });
    expect(read.status).toBe(404);
  }
});
