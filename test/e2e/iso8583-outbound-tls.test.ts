import { randomUUID } from 'node:crypto';
import { Iso8583Client } from '../../adapters/iso8583/client';
import { BankHostSimulator } from '../../simulators/bank/bank-host-simulator';
import { customerIban, openingBalanceMinor, PaymentNetwork } from '../support/payment-network';
import { createTestCertificateAuthority, type TestCertificateAuthority } from '../support/test-certificates';

/**
 * Issue 15: the switch reaches a bank host over TLS when the bank's endpoint says `tls` with the CA to trust, over
 * real TLS sockets to the bank host simulator, with a CA and certificates made at run time. A bank host whose
 * certificate another CA signed is refused at the handshake, and the transfer ends as any unreachable payee does:
 * ABORTED with PAYEE_UNAVAILABLE, nothing credited, the payer's position as it was. A CA the operator rotates with
 * PATCH /v1/participants/{id} is trusted from the next credit on.
 */
let network: PaymentNetwork;
let trusted: TestCertificateAuthority;
const banks: BankHostSimulator[] = [];

async function tlsBank(id: string, bankCode: string, institutionId: string, serverCa: TestCertificateAuthority, trustedCa: string) {
  const server = await serverCa.issueServer();
  const simulator = new BankHostSimulator({
    institutionId,
    accounts: [[customerIban(bankCode, 1), openingBalanceMinor]],
    tls: { cert: server.certificatePem, key: server.keyPem },
  });
  banks.push(simulator);
  const address = await simulator.start();
  await network.operator.onboard({
    id,
    name: `${id} Bank`,
    type: 'BANK',
    bankCode,
    netDebitCap: '1000000.00',
    creditMode: 'REQUEST',
    endpoints: { iso8583: `localhost:${address.port}`, institutionId, tls: { ca: trustedCa } },
  });
  return simulator;
}

beforeAll(async () => {
  network = await PaymentNetwork.start([], [{ id: 'MARGALLA', bankCode: 'MRGL', msisdn: '923000000001' }], {
    HISAAB_PAYEE_DEADLINE_MS: '4000',
  });
  trusted = await createTestCertificateAuthority('Bank Hosts CA');
});

afterAll(async () => {
  for (const bank of banks) await bank.close();
  await network.close();
});

async function payIban(iban: string): Promise<{ status: number; body: unknown }> {
  const wallet = network.wallet('MARGALLA');
  const answer = await network.sw.client.post('/v1/transfers', {
    key: wallet.key.key,
    body: {
      id: randomUUID(),
      payer: { type: 'WALLET', value: wallet.walletNumber },
      payee: { type: 'IBAN', value: iban },
      amount: '75.00',
      currency: 'PKR',
      purpose: 'P2P',
    },
  });
  return { status: answer.status, body: answer.body };
}

it('credits a bank host over TLS when its certificate chains to the CA its endpoint names', async () => {
  const bank = await tlsBank('TLSBANK', 'TLSB', '600001', trusted, trusted.certificatePem);
  const iban = customerIban('TLSB', 1);
  const answer = await payIban(iban);
  expect(answer).toMatchObject({ status: 201, body: { state: 'COMMITTED', payeeParticipant: 'TLSBANK' } });
  expect(bank.accounts.balanceOf(iban)).toBe(openingBalanceMinor + 7_500n);
  // The endpoint is shown as registered, CA included.
  const shown = await network.sw.client.get('/v1/participants/TLSBANK', { key: network.sw.operatorKey });
  expect(shown.body).toMatchObject({ endpoints: { tls: { ca: trusted.certificatePem } } });
});

it('refuses a bank host whose certificate another CA signed: PAYEE_UNAVAILABLE, nothing credited, no position moved', async () => {
  const impostor = await createTestCertificateAuthority('Impostor CA');
  const bank = await tlsBank('FAKEBANK', 'FAKB', '600002', impostor, trusted.certificatePem);
  const iban = customerIban('FAKB', 1);
  const positionOf = async (id: string) =>
    ((await network.sw.client.get(`/v1/participants/${id}`, { key: network.sw.operatorKey })).body as { position: string }).position;
  const before = await positionOf('MARGALLA');
  const answer = await payIban(iban);
  expect(answer).toMatchObject({ body: { state: 'ABORTED', abortReason: 'PAYEE_UNAVAILABLE' } });
  expect(bank.accounts.balanceOf(iban)).toBe(openingBalanceMinor);
  expect(bank.statistics().creditsApplied).toBe(0);
  expect(await positionOf('MARGALLA')).toBe(before);
});

it("uses a bank's rotated CA from the next credit on: the operator's PATCH rebuilds the channel, the stale one is not kept", async () => {
  // The bank host now presents a certificate of its new CA, while the switch still trusts the old one it was given.
  const renewed = await createTestCertificateAuthority('Bank Hosts CA 2027');
  const bank = await tlsBank('ROTBANK', 'ROTB', '600004', renewed, trusted.certificatePem);
  const iban = customerIban('ROTB', 1);
  expect(await payIban(iban)).toMatchObject({ body: { state: 'ABORTED', abortReason: 'PAYEE_UNAVAILABLE' } });

  const shown = (await network.sw.client.get('/v1/participants/ROTBANK', { key: network.sw.operatorKey })).body as {
    endpoints: { iso8583: string; institutionId: string };
  };
  const rotated = await network.sw.client.patch('/v1/participants/ROTBANK', {
    key: network.sw.operatorKey,
    body: {
      endpoints: { iso8583: shown.endpoints.iso8583, institutionId: shown.endpoints.institutionId, tls: { ca: renewed.certificatePem } },
    },
  });
  expect(rotated.status).toBe(200);
  expect(rotated.body).toMatchObject({ endpoints: { tls: { ca: renewed.certificatePem } } });

  expect(await payIban(iban)).toMatchObject({ status: 201, body: { state: 'COMMITTED', payeeParticipant: 'ROTBANK' } });
  expect(bank.accounts.balanceOf(iban)).toBe(openingBalanceMinor + 7_500n);
});

it('refuses an endpoint whose tls.ca is not a PEM certificate, with a code, and registers nothing', async () => {
  const answer = await network.sw.client.post('/v1/participants', {
    key: network.sw.operatorKey,
    body: {
      id: 'BADTLS',
      name: 'Bad TLS Bank',
      type: 'BANK',
      bankCode: 'BADT',
      currency: 'PKR',
      netDebitCap: '1000.00',
      creditMode: 'REQUEST',
      endpoints: { iso8583: 'localhost:7000', institutionId: '600003', tls: { ca: 'not a certificate' } },
    },
  });
  expect(answer.status).toBe(400);
  expect((await network.sw.client.get('/v1/participants/BADTLS', { key: network.sw.operatorKey })).status).toBe(404);
});

describe("the switch's client certificate (HISAAB_TLS_CERT/KEY) on outbound channels", () => {
  async function bankRequiringClientCertificates(): Promise<number> {
    const server = await trusted.issueServer();
    const simulator = new BankHostSimulator({
      institutionId: '600009',
      tls: { cert: server.certificatePem, key: server.keyPem, ca: trusted.certificatePem, requestCert: true, rejectUnauthorized: true },
    });
    banks.push(simulator);
    return (await simulator.start()).port;
  }

  async function signsOn(port: number, clientCertificate: { certificatePem: string; keyPem: string } | null): Promise<boolean> {
    const client = new Iso8583Client({
      host: 'localhost',
      port,
      institutionId: '600000',
      terminalId: 'SWITCH01',
      reconnectDelayMinMs: 200,
      reconnectDelayMaxMs: 500,
      tls: { caPem: trusted.certificatePem, ...(clientCertificate ?? {}) },
    });
    client.start();
    try {
      return await client.waitUntilReady(3_000);
    } finally {
      await client.stop();
    }
  }

  it('presents it to a bank host that requires one, and is refused without it', async () => {
    const port = await bankRequiringClientCertificates();
    const switchCertificate = await trusted.issueClient('hisaab-switch');
    expect(await signsOn(port, { certificatePem: switchCertificate.certificatePem, keyPem: switchCertificate.keyPem })).toBe(true);
    expect(await signsOn(port, null)).toBe(false);
  });
});
