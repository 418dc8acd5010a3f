import { randomUUID } from 'node:crypto';
import { disputeResponse } from '../../api/schemas/dispute-schemas';
import { PaymentNetwork } from '../support/payment-network';

/**
 * What a claim says and what each side offers as evidence reach the parties who act on it. An outside test found
 * both recorded and shown to nobody: the respondent was asked to answer a claim whose description it could not
 * read, and the operator decided a contested dispute without seeing either side's evidence.
 */
type Evidence = { type: string; reference: string; sha256: string | null };
type Dispute = {
  id: string;
  state: string;
  description: string;
  evidence: Evidence[];
  timeline: { type: string; evidence: Evidence[] }[];
};

let network: PaymentNetwork;

beforeAll(async () => {
  network = await PaymentNetwork.start(
    [],
    [
      { id: 'MARGALLA', bankCode: 'MRGL', msisdn: '923000000001' },
      { id: 'RAVI', bankCode: 'RAVI', msisdn: '923000000002' },
      { id: 'CHENAB', bankCode: 'CHNB', msisdn: '923000000003' },
    ],
  );
});

afterAll(async () => {
  await network.close();
});

const keyOf = (participantId: string): string => network.wallet(participantId).key.key;

const claimEvidence: Evidence[] = [
  { type: 'RECEIPT', reference: 'https://wallet.example/receipts/991', sha256: 'a'.repeat(64) },
  { type: 'CHAT', reference: 'ticket 4471', sha256: null },
];
const answerEvidence: Evidence[] = [{ type: 'DELIVERY', reference: 'https://courier.example/pod/5521', sha256: null }];

it('shows the claim’s description and evidence, and the answer’s evidence, to the claimant, the respondent and the operator', async () => {
  const paid = await network.sw.client.post('/v1/transfers', {
    key: keyOf('MARGALLA'),
    body: {
      id: randomUUID(),
      payer: { type: 'WALLET', value: 'WMARGALLA0001', name: 'Customer MARGALLA' },
      payee: { type: 'MSISDN', value: '923000000002' },
      amount: '120.00',
      currency: 'PKR',
      purpose: 'P2P',
    },
  });
  expect(paid.body).toMatchObject({ state: 'COMMITTED' });
  const opened = await network.sw.client.post('/v1/disputes', {
    key: keyOf('MARGALLA'),
    headers: { 'idempotency-key': randomUUID() },
    body: {
      transferId: (paid.body as { id: string }).id,
      category: 'GOODS_NOT_RECEIVED',
      amount: '120.00',
      description: 'the order never arrived',
      // The client leaves out the digest of the second item: it reads back as null.
      evidence: [claimEvidence[0], { type: 'CHAT', reference: 'ticket 4471' }],
    },
  });
  expect(opened.status).toBe(201);
  const disputeId = (opened.body as Dispute).id;
  const contested = await network.sw.client.post(`/v1/disputes/${disputeId}/respond`, {
    key: keyOf('RAVI'),
    body: {
      action: 'CONTEST',
      note: 'delivered, signed for',
      evidence: [{ type: 'DELIVERY', reference: 'https://courier.example/pod/5521' }],
    },
  });
  expect(contested.body).toMatchObject({ state: 'RESPONDED' });

  const expected = {
    description: 'the order never arrived',
    evidence: claimEvidence,
    timeline: [
      { type: 'OPENED', evidence: claimEvidence },
      { type: 'CONTEST', evidence: answerEvidence },
    ],
  };
  for (const key of [keyOf('MARGALLA'), keyOf('RAVI'), network.sw.operatorKey]) {
    const read = await network.sw.client.get(`/v1/disputes/${disputeId}`, { key });
    expect(read.body).toMatchObject(expected);
    // The answer is what /openapi.json documents.
    expect(disputeResponse.safeParse(read.body).success).toBe(true);
    const listed = (await network.sw.client.get('/v1/disputes', { key })).body as { disputes: Dispute[] };
    expect(listed.disputes.find((dispute) => dispute.id === disputeId)).toMatchObject(expected);
  }
  // A participant that is not a party still sees nothing of it.
  expect((await network.sw.client.get(`/v1/disputes/${disputeId}`, { key: keyOf('CHENAB') })).status).toBe(404);
});
