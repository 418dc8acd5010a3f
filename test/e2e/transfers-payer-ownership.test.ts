import { randomUUID } from 'node:crypto';
import { buildTransferRequest, type FinancialRequest } from '../../adapters/iso8583/mapping';
import { RawIsoPeer } from '../integration/iso8583/raw-iso-peer';
import { errorCode, type HttpAnswer } from '../support/http-client';
import { PaymentNetwork, customerIban } from '../support/payment-network';
import { expectLogUnchanged } from '../support/switch-process';

/**
 * A participant names its own customer as payer: an alias the directory gives to another participant, or an IBAN
 * of another participant's bank code, is refused (403 PAYER_NOT_OWNED; ISO 8583 05) and nothing is recorded.
 */
const INDUS = { id: 'INDUS', bankCode: 'INDB', institutionId: '600011' };
const MEEZAN = { id: 'MEEZAN', bankCode: 'MEZN', institutionId: '600012' };
const MARGALLA = { id: 'MARGALLA', bankCode: 'MRGL', msisdn: '923001110001' };
const RAVI = { id: 'RAVI', bankCode: 'RAVI', msisdn: '923001110002' };
const KOHSAR = { id: 'KOHSAR', bankCode: 'KHSR', msisdn: '923001110003' };

let network: PaymentNetwork;
const peers: RawIsoPeer[] = [];

beforeAll(async () => {
  network = await PaymentNetwork.start([INDUS, MEEZAN], [MARGALLA, RAVI, KOHSAR], { HISAAB_PAYEE_DEADLINE_MS: '2000' });
});
afterAll(async () => {
  for (const peer of peers) peer.destroy();
  await network.close();
});

function body(payer: { type: string; value: string; name?: string }, id: string = randomUUID()): Record<string, unknown> {
  return { id, payer, payee: { type: 'MSISDN', value: KOHSAR.msisdn }, amount: '10.00', currency: 'PKR', purpose: 'P2P' };
}

function pay(payerId: string, transfer: unknown): Promise<HttpAnswer> {
  return network.sw.client.post('/v1/transfers', { key: network.wallet(payerId).key.key, body: transfer });
}

describe("POST /v1/transfers names the payer participant's own customer", () => {
  it('refuses an alias another participant registered, recording nothing', async () => {
    const id = randomUUID();
    const answer = await expectLogUnchanged(network.sw, () =>
      pay(MARGALLA.id, body({ type: 'MSISDN', value: RAVI.msisdn, name: 'Customer RAVI' }, id)),
    );
    expect({ status: answer.status, code: errorCode(answer) }).toEqual({ status: 403, code: 'PAYER_NOT_OWNED' });
    expect(answer.text).not.toContain(RAVI.id);
    expect((await network.sw.client.get(`/v1/transfers/${id}`, { key: network.sw.operatorKey })).status).toBe(404);
  });

  it("refuses an IBAN of another participant's bank code, recording nothing", async () => {
    for (const iban of [customerIban(RAVI.bankCode, 7), customerIban(INDUS.bankCode, 1)]) {
      const answer = await expectLogUnchanged(network.sw, () => pay(MARGALLA.id, body({ type: 'IBAN', value: iban })));
      expect({ status: answer.status, code: errorCode(answer) }).toEqual({ status: 403, code: 'PAYER_NOT_OWNED' });
    }
  });

  it('accepts its own alias, an alias nobody registered, its own IBAN and its own wallet numbers', async () => {
    const payers = [
      { type: 'MSISDN', value: MARGALLA.msisdn },
      { type: 'MSISDN', value: '923009990001' },
      { type: 'CNIC', value: '3520212345671' },
      { type: 'IBAN', value: customerIban(MARGALLA.bankCode, 3) },
      { type: 'WALLET', value: 'WMARGALLA0001' },
    ];
    for (const payer of payers) {
      const answer = await pay(MARGALLA.id, body(payer));
      expect({ payer, status: answer.status, state: (answer.body as { state?: string }).state }).toEqual({
        payer,
        status: 201,
        state: 'COMMITTED',
      });
    }
  });

  it('refuses such an item of a batch with its own error and executes the others', async () => {
    const good = body({ type: 'MSISDN', value: MARGALLA.msisdn });
    const bad = body({ type: 'MSISDN', value: KOHSAR.msisdn });
    const answer = await network.sw.client.post('/v1/transfers/batch', {
      key: network.wallet(MARGALLA.id).key.key,
      body: { transfers: [bad, good] },
    });
    expect(answer.status).toBe(200);
    const results = (answer.body as { results: { id: string; state?: string; error?: { code: string } }[] }).results;
    expect(results[0]).toMatchObject({ id: bad.id, error: { code: 'PAYER_NOT_OWNED' } });
    expect(results[1]).toMatchObject({ id: good.id, state: 'COMMITTED' });
    expect((await network.sw.client.get(`/v1/transfers/${String(bad.id)}`, { key: network.sw.operatorKey })).status).toBe(404);
  });
});

describe('ISO 8583 0200 from a bank', () => {
  let stan = 500;
  function request(overrides: Partial<FinancialRequest>): FinancialRequest {
    stan += 1;
    const trace = String(stan).padStart(6, '0');
    return {
      systemTraceAuditNumber: trace,
      transmissionDateTime: '1203101530',
      localTime: '151530',
      localDate: '1203',
      acquirerInstitutionId: INDUS.institutionId,
      retrievalReferenceNumber: `63321${trace.padStart(7, '0')}`,
      terminalId: 'RAWPEER1',
      processingCode: '400000',
      amountMinor: 1_000n,
      currency: 'PKR',
      payerAccount: customerIban(INDUS.bankCode, 1),
      payeeAccount: KOHSAR.msisdn,
      ...overrides,
    };
  }

  it("declines (DE39 05) a DE102 IBAN of another participant's bank code, recording no transfer, and approves its own", async () => {
    const peer = await RawIsoPeer.connect(network.iso8583Port);
    peers.push(peer);
    const signOn = await peer.exchange({
      mti: '0800',
      fields: { 7: '1203101530', 11: '000401', 32: INDUS.institutionId, 41: 'RAWPEER1', 70: '001' },
    });
    expect(signOn.fields[39]).toBe('00');
    const before = await network.sw.running.store.headPosition();
    const foreign = await peer.exchange(buildTransferRequest(request({ payerAccount: customerIban(MEEZAN.bankCode, 1) })));
    expect(foreign).toMatchObject({ mti: '0210', fields: { 39: '05' } });
    // Only the message's DE90 identity is recorded (before the transfer is decided, so that a 0420 finds it): no transfer.
    const written = (await network.sw.running.store.readAll(before, 100)).map((event) => event.type);
    expect(written).toEqual(['Iso8583OriginalRequestReceived']);
    const own = await peer.exchange(buildTransferRequest(request({})));
    expect(own).toMatchObject({ mti: '0210', fields: { 39: '00' } });
  });
});
