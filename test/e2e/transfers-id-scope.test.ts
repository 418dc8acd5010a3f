import { randomUUID } from 'node:crypto';
import { handleStreamCommand } from '../../core/eventstore/decider-stream';
import { transferDecider } from '../../core/transfers/transfer-decider';
import { transferStreamName, type TransferInitiated } from '../../core/transfers/transfer-events';
import { requestDigest, type TransferRequest } from '../../core/transfers/transfer-request';
import { errorCode, type HttpAnswer } from '../support/http-client';
import { PaymentNetwork } from '../support/payment-network';
import { waitUntil } from '../support/wait-until';

/**
 * A transfer id is unique per payer participant: two participants may each use the same id, each gets its own
 * transfer, and nothing one does (POST, GET) reveals the other's ids. Retries and conflicts of one payer are as
 * before, and transfers recorded before ids were scoped per payer are still found and replayed.
 */
const MARGALLA = { id: 'MARGALLA', bankCode: 'MRGL', msisdn: '923002220001' };
const RAVI = { id: 'RAVI', bankCode: 'RAVI', msisdn: '923002220002' };
const KOHSAR = { id: 'KOHSAR', bankCode: 'KHSR', msisdn: '923002220003' };
const JHELUM = { id: 'JHELUM', bankCode: 'JHLM', msisdn: '923002220004' };

type Transfer = { id: string; switchTransferId: string; state: string; payerParticipant: string; payeeParticipant: string; amount: string };

let network: PaymentNetwork;

beforeAll(async () => {
  network = await PaymentNetwork.start([], [MARGALLA, RAVI, KOHSAR, JHELUM], { HISAAB_PAYEE_DEADLINE_MS: '2000' });
});
afterAll(async () => {
  await network.close();
});

function body(id: string, payerId: string, amount: string, payeeMsisdn = KOHSAR.msisdn): TransferRequest {
  return {
    id,
    payer: { type: 'WALLET', value: `W${payerId}0001` },
    payee: { type: 'MSISDN', value: payeeMsisdn },
    amount,
    currency: 'PKR',
    purpose: 'P2P',
  };
}

function pay(payerId: string, transfer: unknown): Promise<HttpAnswer> {
  return network.sw.client.post('/v1/transfers', { key: network.wallet(payerId).key.key, body: transfer });
}

function read(keyOwner: string, id: string): Promise<HttpAnswer> {
  const key = keyOwner === 'operator' ? network.sw.operatorKey : network.wallet(keyOwner).key.key;
  return network.sw.client.get(`/v1/transfers/${id}`, { key });
}

describe('transfer ids are unique per payer participant', () => {
  it('lets two participants use the same id, each getting its own transfer, and the payee both credits', async () => {
    const id = randomUUID();
    const first = await pay(MARGALLA.id, body(id, MARGALLA.id, '11.00'));
    const second = await pay(RAVI.id, body(id, RAVI.id, '12.00'));
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    const mine = first.body as Transfer;
    const theirs = second.body as Transfer;
    expect(mine).toMatchObject({ id, state: 'COMMITTED', payerParticipant: MARGALLA.id, amount: '11.00' });
    expect(theirs).toMatchObject({ id, state: 'COMMITTED', payerParticipant: RAVI.id, amount: '12.00' });
    expect(mine.switchTransferId).not.toBe(theirs.switchTransferId);
    // The payee is told the switch's ids, so its own deduplication by transfer id keeps the two apart.
    const kohsar = network.wallet(KOHSAR.id).simulator;
    expect(kohsar.creditRecord(mine.switchTransferId)?.state).toBe('CREDITED');
    expect(kohsar.creditRecord(theirs.switchTransferId)?.state).toBe('CREDITED');
    // Each payer reads its own under the id it chose.
    expect((await read(MARGALLA.id, id)).body).toMatchObject({ payerParticipant: MARGALLA.id, amount: '11.00' });
    expect((await read(RAVI.id, id)).body).toMatchObject({ payerParticipant: RAVI.id, amount: '12.00' });
    // The payee and the operator read each by its switch id; by the shared id it is ambiguous for them.
    for (const reader of [KOHSAR.id, 'operator']) {
      expect((await read(reader, mine.switchTransferId)).body).toMatchObject({ id, payerParticipant: MARGALLA.id });
      expect((await read(reader, theirs.switchTransferId)).body).toMatchObject({ id, payerParticipant: RAVI.id });
      const ambiguous = await read(reader, id);
      expect({ status: ambiguous.status, code: errorCode(ambiguous) }).toEqual({ status: 409, code: 'TRANSFER_ID_AMBIGUOUS' });
    }
  });

  it("reveals nothing to a participant probing another's id: GET 404 and POST makes its own transfer", async () => {
    const id = randomUUID();
    const original = await pay(MARGALLA.id, body(id, MARGALLA.id, '13.00'));
    expect(original.status).toBe(201);
    const switchTransferId = (original.body as Transfer).switchTransferId;
    for (const probe of [id, switchTransferId]) {
      const looked = await read(JHELUM.id, probe);
      expect({ status: looked.status, code: errorCode(looked) }).toEqual({ status: 404, code: 'TRANSFER_NOT_FOUND' });
    }
    const unknown = await read(JHELUM.id, randomUUID());
    expect(unknown.text.replace(/[0-9a-f-]{36}/g, 'ID')).toBe((await read(JHELUM.id, id)).text.replace(/[0-9a-f-]{36}/g, 'ID'));
    const posted = await pay(JHELUM.id, body(id, JHELUM.id, '99.00'));
    expect(posted.status).toBe(201);
    expect(posted.body).toMatchObject({ id, payerParticipant: JHELUM.id, amount: '99.00' });
    // Its own transfer under a switch id: posting that id is again its own, new transfer.
    const viaSwitchId = await pay(JHELUM.id, body(switchTransferId, JHELUM.id, '98.00'));
    expect(viaSwitchId.status).toBe(201);
    expect(viaSwitchId.body).toMatchObject({ id: switchTransferId, payerParticipant: JHELUM.id });
    expect((await read(MARGALLA.id, id)).body).toMatchObject({ payerParticipant: MARGALLA.id, amount: '13.00' });
  });

  it('finds a transfer by its switch id even when a payee chose that id for a transfer of its own', async () => {
    // RAVI pays KOHSAR, which learns the switch id from the credit request; KOHSAR then pays RAVI under that id.
    const original = await pay(RAVI.id, body(randomUUID(), RAVI.id, '14.00', KOHSAR.msisdn));
    expect(original.status).toBe(201);
    const switchTransferId = (original.body as Transfer).switchTransferId;
    const decoy = await pay(KOHSAR.id, body(switchTransferId, KOHSAR.id, '15.00', RAVI.msisdn));
    expect(decoy.status).toBe(201);
    // A switch id is unique across the switch and nobody can choose one: it names RAVI's transfer for RAVI and the
    // operator, and a client id chosen to equal it cannot hide that transfer behind a 409.
    for (const reader of [RAVI.id, 'operator']) {
      const found = await read(reader, switchTransferId);
      expect({ reader, status: found.status, body: found.body }).toMatchObject({
        reader,
        status: 200,
        body: { switchTransferId, payerParticipant: RAVI.id, amount: '14.00' },
      });
    }
    // KOHSAR's own transfer comes first for KOHSAR under the id it chose, as every payer's does.
    expect((await read(KOHSAR.id, switchTransferId)).body).toMatchObject({ payerParticipant: KOHSAR.id, amount: '15.00' });
  });

  it("answers one payer's retry with the original and its changed retry with 409, as before", async () => {
    const id = randomUUID();
    const first = await pay(MARGALLA.id, body(id, MARGALLA.id, '14.00'));
    expect(first.status).toBe(201);
    const retry = await pay(MARGALLA.id, body(id, MARGALLA.id, '14.00'));
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    const changed = await pay(MARGALLA.id, body(id, MARGALLA.id, '15.00'));
    expect({ status: changed.status, code: errorCode(changed) }).toEqual({ status: 409, code: 'IDEMPOTENCY_CONFLICT' });
    expect(changed.text).not.toContain((first.body as Transfer).switchTransferId);
  });

  it('still finds and replays a transfer recorded before ids were scoped per payer, and keeps it from others', async () => {
    const id = randomUUID();
    const request = body(id, MARGALLA.id, '16.00');
    // What the switch recorded before this change: the stream named by the client's id, no clientTransferId.
    const legacy: TransferInitiated['data'] = {
      transferId: id,
      payerParticipant: MARGALLA.id,
      payeeParticipant: KOHSAR.id,
      payer: request.payer,
      payee: request.payee,
      payeeAccount: { type: 'WALLET', value: 'WKOHSAR0001' },
      amountMinor: '1600',
      currency: 'PKR',
      purpose: 'P2P',
      note: null,
      creditMode: 'REQUEST',
      requestDigest: requestDigest(request),
      channel: 'api',
      createdAt: new Date().toISOString(),
    };
    const context = { now: new Date(), actor: 'test', correlationId: 'legacy' };
    await handleStreamCommand(
      network.sw.running.store,
      transferStreamName(id),
      transferDecider,
      { type: 'InitiateTransfer', data: legacy },
      context,
    );
    await handleStreamCommand(
      network.sw.running.store,
      transferStreamName(id),
      transferDecider,
      { type: 'CommitTransfer', data: { transferId: id }, now: new Date() },
      context,
    );
    await waitUntil(async () => ((await read(MARGALLA.id, id)).body as Transfer).state === 'COMMITTED', 'the legacy transfer is readable');
    expect((await read(MARGALLA.id, id)).body).toMatchObject({ id, switchTransferId: id, state: 'COMMITTED', amount: '16.00' });
    expect((await read(KOHSAR.id, id)).status).toBe(200);
    expect((await read(RAVI.id, id)).status).toBe(404);
    const replayed = await pay(MARGALLA.id, request);
    expect(replayed.status).toBe(200);
    expect(replayed.body).toMatchObject({ id, switchTransferId: id, amount: '16.00' });
    const changed = await pay(MARGALLA.id, { ...request, amount: '17.00' });
    expect(errorCode(changed)).toBe('IDEMPOTENCY_CONFLICT');
    const other = await pay(RAVI.id, body(id, RAVI.id, '18.00'));
    expect(other.status).toBe(201);
    expect(other.body).toMatchObject({ id, payerParticipant: RAVI.id, amount: '18.00' });
  });
});
