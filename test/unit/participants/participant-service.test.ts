import { newMasterKey, SecretBox } from '../../../core/secrets/secret-box';
import { SqliteEventStore } from '../../../adapters/eventstore-sqlite/sqlite-event-store';
import { handleStreamCommand, loadStream } from '../../../core/eventstore/decider-stream';
import { createLedgerEngine, type LedgerEngine } from '../../../core/ledger/ledger-engine';
import { bankCodeDecider } from '../../../core/participants/bank-code-reservation';
import { LedgerParticipantLedger } from '../../../core/participants/ledger-participant-ledger';
import { participantDecider } from '../../../core/participants/participant-decider';
import type { ParticipantRegistration } from '../../../core/participants/participant-profile';
import { ParticipantService } from '../../../core/participants/participant-service';
import { tempDir } from '../../support/temp-dir';

/**
 * The participant service on a real SQLite event store and the real ledger engine, with the crashes that
 * registration must survive reproduced by writing exactly what a dying process would have written.
 */
const now = new Date('2025-03-01T10:00:00.000Z');
const context = { now, actor: 'operator' };
let directory: ReturnType<typeof tempDir>;
let store: SqliteEventStore;
let engine: LedgerEngine;
let service: ParticipantService;

function registration(participantId: string, bankCode: string, netDebitCapMinor = 100_000n): ParticipantRegistration {
  return {
    participantId,
    name: `${participantId} Bank`,
    type: 'BANK',
    bankCode,
    currency: 'PKR',
    netDebitCapMinor,
    creditMode: 'REQUEST',
    endpoints: { creditUrl: 'http://127.0.0.1:9/c', reversalUrl: 'http://127.0.0.1:9/r', rtpUrl: null },
  };
}

/** What a process that died right after reserving the bank code leaves behind. */
async function reservationOnly(participantId: string, bankCode: string): Promise<void> {
  await handleStreamCommand(
    store,
    `bankcode-${bankCode}`,
    bankCodeDecider,
    { type: 'ReserveBankCode', data: { bankCode, participantId, releasedHolderId: null }, now },
    context,
  );
}

beforeEach(async () => {
  directory = tempDir('hisaab-participants-');
  store = new SqliteEventStore(`${directory.path}/events.db`);
  engine = createLedgerEngine({ ledger: 'PKR', store, now: () => now, expiryCheckIntervalMs: 0 });
  await engine.start();
  service = new ParticipantService({ store, ledger: new LedgerParticipantLedger([engine]), secrets: new SecretBox([newMasterKey()]) });
});
afterEach(async () => {
  await engine.stop();
  await store.close();
  directory.remove();
});

it('registers a participant and opens its ledger accounts with its cap', async () => {
  await service.register(registration('MEEZAN', 'MEZN'), null, context);
  expect((await engine.lookupAccount('MEEZAN:position'))?.debitLimitMinor).toBe(100_000n);
  expect((await engine.lookupAccount('MEEZAN:liquidity'))?.debitsMustNotExceedCredits).toBe(true);
});

it('completes a registration retried after a crash between reserving the bank code and registering', async () => {
  await reservationOnly('MEEZAN', 'MEZN');
  await service.register(registration('MEEZAN', 'MEZN'), 'ref-1', context);
  const { state } = await loadStream(store, 'participant-MEEZAN', participantDecider);
  expect(state.status).toBe('registered');
});

it('keeps an orphaned reservation from other participants until its holder registers elsewhere', async () => {
  await reservationOnly('MEEZAN', 'MEZN');
  await expect(service.register(registration('OTHER', 'MEZN'), null, context)).rejects.toMatchObject({ code: 'BANK_CODE_TAKEN' });
  // The holder came back with another code: MEZN is now known to be free.
  await service.register(registration('MEEZAN', 'MZN2'), null, context);
  await service.register(registration('OTHER', 'MEZN'), null, context);
  const { state } = await loadStream(store, 'bankcode-MEZN', bankCodeDecider);
  expect(state).toEqual({ status: 'reserved', participantId: 'OTHER' });
});

it('opens the ledger accounts on a retry after a crash between registering and the ledger', async () => {
  // What a process that died after the participant append leaves: the stream, no accounts.
  await reservationOnly('MEEZAN', 'MEZN');
  await handleStreamCommand(
    store,
    'participant-MEEZAN',
    participantDecider,
    { type: 'RegisterParticipant', data: { ...registration('MEEZAN', 'MEZN'), requestReference: 'ref-9' }, now },
    context,
  );
  expect(await engine.lookupAccount('MEEZAN:position')).toBeUndefined();
  const receipt = await service.register(registration('MEEZAN', 'MEZN'), 'ref-9', context);
  expect(receipt.position).toBeNull();
  expect((await engine.lookupAccount('MEEZAN:position'))?.debitLimitMinor).toBe(100_000n);
});

it('brings the ledger cap in line with the stream (start-up reconciliation)', async () => {
  await service.register(registration('MEEZAN', 'MEZN'), null, context);
  await handleStreamCommand(
    store,
    'participant-MEEZAN',
    participantDecider,
    { type: 'ChangeParticipant', data: { participantId: 'MEEZAN', active: null, netDebitCapMinor: 5n }, now },
    context,
  );
  expect((await engine.lookupAccount('MEEZAN:position'))?.debitLimitMinor).toBe(100_000n);
  await service.syncLedger('MEEZAN');
  expect((await engine.lookupAccount('MEEZAN:position'))?.debitLimitMinor).toBe(5n);
});

it('applies concurrent cap changes to the ledger in the order they reached the stream', async () => {
  await service.register(registration('MEEZAN', 'MEZN'), null, context);
  await Promise.all([1n, 2n, 3n, 4n, 5n].map((cap) => service.change('MEEZAN', { active: null, netDebitCapMinor: cap }, context)));
  const { state } = await loadStream(store, 'participant-MEEZAN', participantDecider);
  expect(state.status === 'registered' && state.netDebitCapMinor).toBe((await engine.lookupAccount('MEEZAN:position'))?.debitLimitMinor);
});

it('records funds once per transfer id and refuses OUT beyond what is free', async () => {
  await service.register(registration('MEEZAN', 'MEZN'), null, context);
  const movement = {
    participantId: 'MEEZAN',
    direction: 'IN' as const,
    amountMinor: 500n,
    transferId: '0b5a6e0e-0000-5000-8000-000000000001',
    reference: 'R1',
  };
  expect(await service.recordFunds(movement)).toEqual({ status: 'ok' });
  expect(await service.recordFunds(movement)).toEqual({ status: 'ok' });
  expect(await service.recordFunds({ ...movement, amountMinor: 501n })).toEqual({ status: 'conflict' });
  const out = { ...movement, direction: 'OUT' as const, amountMinor: 501n, transferId: '0b5a6e0e-0000-5000-8000-000000000002' };
  expect(await service.recordFunds(out)).toEqual({ status: 'insufficient_liquidity', freeMinor: 500n });
  expect(await service.recordFunds({ ...out, amountMinor: 500n })).toEqual({ status: 'ok' });
  expect((await new LedgerParticipantLedger([engine]).balances('MEEZAN', 'PKR'))?.liquidityMinor).toBe(0n);
});

it('refuses funds for a participant that does not exist', async () => {
  await expect(
    service.recordFunds({
      participantId: 'NOBODY',
      direction: 'IN',
      amountMinor: 1n,
      transferId: '0b5a6e0e-0000-5000-8000-000000000003',
      reference: 'R',
    }),
  ).rejects.toMatchObject({ code: 'PARTICIPANT_NOT_FOUND' });
});
