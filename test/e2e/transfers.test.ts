import { randomUUID } from 'node:crypto';
import { errorCode, HttpClient, type HttpAnswer } from '../support/http-client';
import { PaymentNetwork } from '../support/payment-network';
import { waitUntil } from '../support/wait-until';
import { issueRegulatorKey } from '../support/switch-process';

type Transfer = {
  id: string;
  switchTransferId: string;
  state: string;
  abortReason: string | null;
  payerParticipant: string;
  payeeParticipant: string;
  amount: string;
  reversed: boolean;
};
type Participant = { id: string; position: string; reserved: string };

let network: PaymentNetwork;
let client: HttpClient;

beforeAll(async () => {
  network = await PaymentNetwork.start(
    [],
    [
      { id: 'MARGALLA', bankCode: 'MRGL', msisdn: '923000000001', netDebitCap: '1000000.00' },
      { id: 'RAVI', bankCode: 'RAVI', msisdn: '923000000002', netDebitCap: '1000000.00' },
      { id: 'CAPPED', bankCode: 'CAPD', msisdn: '923000000003', netDebitCap: '1000.00' },
      { id: 'ADVISED', bankCode: 'ADVS', msisdn: '923000000004', netDebitCap: '1000.00', creditMode: 'ADVICE' },
    ],
    { HISAAB_PAYEE_DEADLINE_MS: '700' },
  );
  client = network.sw.client;
});

afterAll(async () => {
  await network.close();
});

afterEach(() => {
  for (const wallet of network.wallets) wallet.simulator.setMode({ mode: 'accept' });
});

function transferBody(payeeMsisdn: string, amount = '100.00', id: string = randomUUID()) {
  return {
    id,
    payer: { type: 'WALLET', value: 'WMARGALLA0001', name: 'Customer MARGALLA' },
    payee: { type: 'MSISDN', value: payeeMsisdn },
    amount,
    currency: 'PKR',
    purpose: 'P2P',
  };
}

async function pay(payerId: string, body: unknown): Promise<HttpAnswer> {
  return client.post('/v1/transfers', { key: network.wallet(payerId).key.key, body });
}

async function participant(id: string): Promise<Participant> {
  return (await client.get(`/v1/participants/${id}`, { key: network.sw.operatorKey })).body as Participant;
}

async function transferCount(): Promise<number> {
  let count = 0;
  let cursor: string | null = null;
  do {
    const query: string = cursor === null ? '?limit=500' : `?limit=500&cursor=${cursor}`;
    const page = (await client.get(`/v1/transfers${query}`, { key: network.sw.operatorKey })).body as {
      transfers: unknown[];
      nextCursor: string | null;
    };
    count += page.transfers.length;
    cursor = page.nextCursor;
  } while (cursor !== null);
  return count;
}

describe('wallet to wallet', () => {
  it('commits a transfer, credits the payee wallet and moves both positions', async () => {
    const ravi = network.wallet('RAVI');
    const before = {
      payer: await participant('MARGALLA'),
      payee: await participant('RAVI'),
      balance: ravi.simulator.balanceOf(ravi.walletNumber),
    };
    const answer = await pay('MARGALLA', transferBody(ravi.msisdn, '1500.50'));
    expect(answer.status).toBe(201);
    const transfer = answer.body as Transfer;
    expect(transfer).toMatchObject({
      state: 'COMMITTED',
      abortReason: null,
      payerParticipant: 'MARGALLA',
      payeeParticipant: 'RAVI',
      amount: '1500.50',
      currency: 'PKR',
    });
    expect(ravi.simulator.balanceOf(ravi.walletNumber) - before.balance).toBe(150_050n);
    const after = { payer: await participant('MARGALLA'), payee: await participant('RAVI') };
    expect(minor(after.payer.position) - minor(before.payer.position)).toBe(150_050n);
    expect(minor(after.payee.position) - minor(before.payee.position)).toBe(-150_050n);
    expect(after.payer.reserved).toBe('0.00');
  });

  it('lets payer, payee, operator and regulator read a transfer, and nobody else', async () => {
    const answer = await pay('MARGALLA', transferBody(network.wallet('RAVI').msisdn));
    const id = (answer.body as Transfer).id;
    const regulatorKey = await issueRegulatorKey(network.sw);
    expect((await client.post('/v1/transfers', { key: regulatorKey, body: transferBody(network.wallet('RAVI').msisdn) })).status).toBe(403);
    for (const key of [network.wallet('MARGALLA').key.key, network.wallet('RAVI').key.key, network.sw.operatorKey, regulatorKey]) {
      const read = await client.get(`/v1/transfers/${id}`, { key });
      expect(read.status).toBe(200);
      expect((read.body as Transfer).state).toBe('COMMITTED');
    }
    const stranger = await client.get(`/v1/transfers/${id}`, { key: network.wallet('CAPPED').key.key });
    expect(stranger.status).toBe(404);
    expect((await client.get(`/v1/transfers/${id}`)).status).toBe(401);
    expect((await client.get(`/v1/transfers/${id}`, { key: 'not-a-key' })).status).toBe(401);
  });

  it('answers a retry with the same transfer and a changed retry with 409, recording one transfer', async () => {
    const body = transferBody(network.wallet('RAVI').msisdn, '20.00');
    const first = await pay('MARGALLA', body);
    const count = await transferCount();
    const retry = await pay('MARGALLA', body);
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    const changed = await pay('MARGALLA', { ...body, amount: '21.00' });
    expect(changed.status).toBe(409);
    expect(errorCode(changed)).toBe('IDEMPOTENCY_CONFLICT');
    // Another participant's transfer with the same id is its own (ids are unique per payer): no conflict.
    const otherPayer = await pay('RAVI', {
      ...body,
      payer: { type: 'WALLET', value: 'WRAVI0001' },
      payee: { type: 'MSISDN', value: network.wallet('MARGALLA').msisdn },
    });
    expect(otherPayer.status).toBe(201);
    expect(otherPayer.body).toMatchObject({ id: body.id, payerParticipant: 'RAVI' });
    expect(await transferCount()).toBe(count + 1);
  });

  it('answers concurrent duplicates of one id with one transfer', async () => {
    const body = transferBody(network.wallet('RAVI').msisdn, '3.00');
    const answers = await Promise.all(Array.from({ length: 5 }, () => pay('MARGALLA', body)));
    expect(answers.filter((answer) => answer.status === 201)).toHaveLength(1);
    expect(new Set(answers.map((answer) => (answer.body as Transfer).state))).toEqual(new Set(['COMMITTED']));
    // The payee is told the switch's id of the transfer.
    const switchTransferId = (answers[0]?.body as Transfer).switchTransferId;
    expect(
      network
        .wallet('RAVI')
        .simulator.received('CREDIT_REQUEST')
        .filter((message) => message.transferId === switchTransferId),
    ).toHaveLength(1);
  });

  it("lists only the caller's own transfers, oldest first, with an opaque cursor", async () => {
    const key = network.wallet('MARGALLA').key.key;
    const first = (await client.get('/v1/transfers?limit=2', { key })).body as { transfers: Transfer[]; nextCursor: string | null };
    expect(first.transfers).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    const second = (await client.get(`/v1/transfers?limit=2&cursor=${first.nextCursor}`, { key })).body as { transfers: Transfer[] };
    expect(second.transfers[0]?.id).not.toBe(first.transfers[1]?.id);
    for (const transfer of [...first.transfers, ...second.transfers]) {
      expect([transfer.payerParticipant, transfer.payeeParticipant]).toContain('MARGALLA');
    }
    const capped = (await client.get('/v1/transfers?state=COMMITTED', { key: network.wallet('ADVISED').key.key })).body as {
      transfers: Transfer[];
    };
    expect(capped.transfers).toEqual([]);
    expect(errorCode(await client.get('/v1/transfers?cursor=bogus', { key }))).toBe('INVALID_CURSOR');
    expect(errorCode(await client.get('/v1/transfers?limit=501', { key }))).toBe('VALIDATION_FAILED');
  });
});

describe('listing bounds', () => {
  type Page = { transfers: Transfer[]; nextCursor: string | null };

  /** The instant shifted by `offsetMs`, written as Pakistan's local time (+05:00), as a client there would. */
  function pakistanTime(instant: string, offsetMs: number): string {
    const local = new Date(Date.parse(instant) + offsetMs + 5 * 3_600_000).toISOString();
    return `${local.slice(0, -1)}+05:00`;
  }

  it('compares from and to as instants, whatever offset the client writes them in', async () => {
    const key = network.wallet('MARGALLA').key.key;
    const created = (await pay('MARGALLA', transferBody(network.wallet('RAVI').msisdn, '2.00'))).body as Transfer & { createdAt: string };
    const listed = async (query: string): Promise<string[]> => {
      const answer = await client.get(`/v1/transfers?limit=500&${query}`, { key });
      expect(answer.status).toBe(200);
      return (answer.body as Page).transfers.map((transfer) => transfer.id);
    };
    const fromBefore = encodeURIComponent(pakistanTime(created.createdAt, -1_000));
    const toAfter = encodeURIComponent(pakistanTime(created.createdAt, 1_000));
    const toBefore = encodeURIComponent(pakistanTime(created.createdAt, -1_000));
    expect(await listed(`from=${fromBefore}`)).toContain(created.id);
    expect(await listed(`from=${fromBefore}&to=${toAfter}`)).toContain(created.id);
    expect(await listed(`to=${toBefore}`)).not.toContain(created.id);
    // The start of the transfer's second, written without milliseconds, is before it: the transfer counts.
    expect(await listed(`from=${encodeURIComponent(`${created.createdAt.slice(0, 19)}Z`)}`)).toContain(created.id);
    expect(await listed(`from=${encodeURIComponent(created.createdAt)}`)).toContain(created.id);
  });

  it('refuses a cursor past the largest sequence with 400, not a server error', async () => {
    const key = network.wallet('MARGALLA').key.key;
    for (const sequence of ['9999999999999999999', '9223372036854775808']) {
      const cursor = Buffer.from(`t:${sequence}`, 'utf8').toString('base64url');
      const answer = await client.get(`/v1/transfers?cursor=${cursor}`, { key });
      expect(answer.status).toBe(400);
      expect(errorCode(answer)).toBe('INVALID_CURSOR');
    }
    const largest = Buffer.from('t:9223372036854775807', 'utf8').toString('base64url');
    const last = await client.get(`/v1/transfers?cursor=${largest}`, { key });
    expect(last.status).toBe(200);
    expect(last.body).toEqual({ transfers: [], nextCursor: null });
  });
});

describe('payee outcomes', () => {
  it('aborts with PAYEE_REJECTED and releases the reservation when the payee declines', async () => {
    const ravi = network.wallet('RAVI');
    ravi.simulator.setMode({ mode: 'reject', reason: 'ACCOUNT_BLOCKED' });
    const before = await participant('MARGALLA');
    const answer = await pay('MARGALLA', transferBody(ravi.msisdn));
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ state: 'ABORTED', abortReason: 'PAYEE_REJECTED' });
    const after = await participant('MARGALLA');
    expect(after.position).toBe(before.position);
    expect(after.reserved).toBe('0.00');
  });

  it('aborts with PAYEE_UNAVAILABLE, and sends no reversal, when the payee refuses connections', async () => {
    const ravi = network.wallet('RAVI');
    await ravi.simulator.refuseConnections();
    try {
      const answer = await pay('MARGALLA', transferBody(ravi.msisdn));
      expect(answer.body).toMatchObject({ state: 'ABORTED', abortReason: 'PAYEE_UNAVAILABLE' });
    } finally {
      await ravi.simulator.acceptConnections();
    }
  });

  it('aborts with PAYEE_INACTIVE, asking nobody, when the payee participant is deactivated', async () => {
    const ravi = network.wallet('RAVI');
    const requestsBefore = ravi.simulator.received('CREDIT_REQUEST').length;
    expect((await client.patch('/v1/participants/RAVI', { key: network.sw.operatorKey, body: { active: false } })).status).toBe(200);
    try {
      const answer = await pay('MARGALLA', transferBody(ravi.msisdn));
      expect(answer.body).toMatchObject({ state: 'ABORTED', abortReason: 'PAYEE_INACTIVE' });
      expect(ravi.simulator.received('CREDIT_REQUEST')).toHaveLength(requestsBefore);
    } finally {
      await client.patch('/v1/participants/RAVI', { key: network.sw.operatorKey, body: { active: true } });
    }
  });

  it('commits at once for a payee in ADVICE mode and delivers the advice', async () => {
    const advised = network.wallet('ADVISED');
    const answer = await pay('MARGALLA', transferBody(advised.msisdn, '7.00'));
    expect(answer.body).toMatchObject({ state: 'COMMITTED', payeeParticipant: 'ADVISED' });
    const id = (answer.body as Transfer).switchTransferId;
    await waitUntil(
      () => advised.simulator.received('CREDIT_ADVICE').some((message) => message.transferId === id),
      'the payee has the credit advice',
      10_000,
    );
  });

  it('refuses a payee nobody holds with 404 and records nothing', async () => {
    const count = await transferCount();
    const answer = await pay('MARGALLA', transferBody('923339999999'));
    expect(answer.status).toBe(404);
    expect(errorCode(answer)).toBe('PARTY_NOT_FOUND');
    expect(await transferCount()).toBe(count);
  });

  it('refuses an on-us payment: the payee is held by the payer itself', async () => {
    const answer = await pay('MARGALLA', transferBody(network.wallet('MARGALLA').msisdn));
    expect(answer.status).toBe(422);
    expect(errorCode(answer)).toBe('PAYEE_IS_PAYER');
  });
});

describe('net debit cap', () => {
  it('lets exactly as many concurrent transfers through as the cap allows', async () => {
    const ravi = network.wallet('RAVI');
    const capped = network.wallet('CAPPED');
    const answers = await Promise.all(
      Array.from({ length: 25 }, () =>
        client.post('/v1/transfers', {
          key: capped.key.key,
          body: { ...transferBody(ravi.msisdn, '100.00'), payer: { type: 'WALLET', value: capped.walletNumber } },
        }),
      ),
    );
    const states = answers.map((answer) => answer.body as Transfer);
    expect(states.filter((transfer) => transfer.state === 'COMMITTED')).toHaveLength(10);
    expect(states.filter((transfer) => transfer.abortReason === 'NET_DEBIT_CAP_EXCEEDED')).toHaveLength(15);
    const after = await participant('CAPPED');
    expect(after.position).toBe('1000.00');
    expect(after.reserved).toBe('0.00');
  });
});

describe('bad input', () => {
  const cases: [string, (body: ReturnType<typeof transferBody>) => unknown, string][] = [
    ['a missing amount', ({ amount: _amount, ...rest }) => rest, 'VALIDATION_FAILED'],
    ['a numeric amount', (body) => ({ ...body, amount: 1500 }), 'VALIDATION_FAILED'],
    ['three decimals', (body) => ({ ...body, amount: '1500.123' }), 'INVALID_AMOUNT'],
    ['a negative amount', (body) => ({ ...body, amount: '-1' }), 'INVALID_AMOUNT'],
    ['an exponent', (body) => ({ ...body, amount: '1e3' }), 'INVALID_AMOUNT'],
    ['NaN', (body) => ({ ...body, amount: 'NaN' }), 'INVALID_AMOUNT'],
    ['zero', (body) => ({ ...body, amount: '0.00' }), 'INVALID_AMOUNT'],
    ['an unknown field', (body) => ({ ...body, colour: 'red' }), 'VALIDATION_FAILED'],
    ['a non-uuid id', (body) => ({ ...body, id: 'abc' }), 'VALIDATION_FAILED'],
    ['an unknown purpose', (body) => ({ ...body, purpose: 'GIFT' }), 'VALIDATION_FAILED'],
    ['a bad IBAN check digit', (body) => ({ ...body, payee: { type: 'IBAN', value: 'PK00RAVI0000001234567890' } }), 'INVALID_IBAN'],
    ['a short IBAN', (body) => ({ ...body, payee: { type: 'IBAN', value: 'PK36RAVI00001' } }), 'INVALID_IBAN'],
    ['an unknown currency', (body) => ({ ...body, currency: 'XYZ' }), 'UNKNOWN_CURRENCY'],
    // EUR runs a ledger (HISAAB_CURRENCIES, issue 17), but the payer settles in rupees only.
    ['a currency the payer does not settle in', (body) => ({ ...body, currency: 'EUR' }), 'CURRENCY_NOT_SUPPORTED'],
  ];
  it.each(cases)('refuses %s with a clear error and changes nothing', async (_name, mutate, code) => {
    const count = await transferCount();
    const before = await participant('MARGALLA');
    const answer = await pay('MARGALLA', mutate(transferBody(network.wallet('RAVI').msisdn)));
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(errorCode(answer)).toBe(code);
    expect(typeof (answer.body as { error: { message: string } }).error.message).toBe('string');
    expect(await transferCount()).toBe(count);
    expect(await participant('MARGALLA')).toEqual(before);
  });

  it("names a malformed payee's field as the client sent it (body.payee.value), as validation errors name theirs", async () => {
    const payees = [
      { payee: { type: 'MSISDN', value: '03001234567' }, code: 'INVALID_ALIAS' },
      { payee: { type: 'IBAN', value: 'PK00RAVI0000001234567890' }, code: 'INVALID_IBAN' },
    ];
    for (const { payee, code } of payees) {
      const answer = await pay('MARGALLA', { ...transferBody(network.wallet('RAVI').msisdn), payee });
      expect({ status: answer.status, body: answer.body }).toMatchObject({
        status: 400,
        body: {
          error: { code, message: expect.stringMatching(/^body\.payee\.value: /), details: [{ path: ['body', 'payee', 'value'] }] },
        },
      });
    }
    const batch = await client.post('/v1/transfers/batch', {
      key: network.wallet('MARGALLA').key.key,
      body: { transfers: [{ ...transferBody(network.wallet('RAVI').msisdn), payee: payees[0]?.payee }] },
    });
    expect(batch.body).toMatchObject({
      results: [
        { outcome: 'ERROR', error: { code: 'INVALID_ALIAS', message: expect.stringMatching(/^body\.transfers\.0\.payee\.value: /) } },
      ],
    });
  });

  it('refuses malformed JSON and an oversize body', async () => {
    const key = network.wallet('MARGALLA').key.key;
    expect(errorCode(await client.post('/v1/transfers', { key, rawBody: '{"id":' }))).toBe('MALFORMED_JSON');
    const oversize = await client.post('/v1/transfers', {
      key,
      rawBody: JSON.stringify({ ...transferBody('923000000001'), note: 'x'.repeat(1024 * 1024 + 10) }),
    });
    expect(oversize.status).toBe(413);
  });

  it('refuses transfers from the operator role and from an inactive payer', async () => {
    const forbidden = await client.post('/v1/transfers', {
      key: network.sw.operatorKey,
      body: transferBody(network.wallet('RAVI').msisdn),
    });
    expect(forbidden.status).toBe(403);
    const patched = await client.patch('/v1/participants/ADVISED', { key: network.sw.operatorKey, body: { active: false } });
    expect(patched.status).toBe(200);
    try {
      const advised = network.wallet('ADVISED');
      const answer = await client.post('/v1/transfers', { key: advised.key.key, body: transferBody(network.wallet('RAVI').msisdn) });
      expect(answer.status).toBe(403);
      expect(errorCode(answer)).toBe('PARTICIPANT_INACTIVE');
    } finally {
      await client.patch('/v1/participants/ADVISED', { key: network.sw.operatorKey, body: { active: true } });
    }
  });
});

describe('batch', () => {
  it('answers every item in order, an invalid one with its own error', async () => {
    const ravi = network.wallet('RAVI');
    const good = transferBody(ravi.msisdn, '1.00');
    const unknownPayee = transferBody('923339999999', '1.00');
    const answer = await client.post('/v1/transfers/batch', {
      key: network.wallet('MARGALLA').key.key,
      body: { transfers: [good, { ...transferBody(ravi.msisdn), amount: '1.001' }, unknownPayee, good] },
    });
    expect(answer.status).toBe(200);
    const results = (answer.body as { results: { id: string; state?: string; error?: { code: string } }[] }).results;
    expect(results).toHaveLength(4);
    expect(results[0]).toMatchObject({ id: good.id, state: 'COMMITTED' });
    expect(results[1]?.error?.code).toBe('INVALID_AMOUNT');
    expect(results[2]).toMatchObject({ id: unknownPayee.id, error: { code: 'PARTY_NOT_FOUND' } });
    expect(results[3]).toMatchObject({ id: good.id, state: 'COMMITTED' });
    const empty = await client.post('/v1/transfers/batch', { key: network.wallet('MARGALLA').key.key, body: { transfers: [] } });
    expect(errorCode(empty)).toBe('VALIDATION_FAILED');
  });
});

describe('metrics', () => {
  it('counts transfers by state and reason, ledger batch sizes and commit latency', async () => {
    const text = (await client.get('/metrics')).text;
    expect(text).toMatch(/hisaab_transfers_total\{state="COMMITTED",abort_reason=""\} [1-9]\d*/);
    expect(text).toMatch(/hisaab_transfers_total\{state="ABORTED",abort_reason="NET_DEBIT_CAP_EXCEEDED"\} 15/);
    expect(text).toMatch(/hisaab_ledger_batch_size_count\{ledger="PKR"\} [1-9]\d*/);
    expect(text).toMatch(/hisaab_ledger_commit_latency_seconds_count\{ledger="PKR"\} [1-9]\d*/);
    // The ADVICE payee's advice went through the wallet outbox.
    expect(text).toMatch(/hisaab_outbox_deliveries_total\{channel="wallet-http",outcome="delivered"\} [1-9]\d*/);
  });
});

describe('payee timeout', () => {
  it('aborts with PAYEE_TIMEOUT and delivers the reversal after a restart of the switch', async () => {
    const ravi = network.wallet('RAVI');
    // The wallet credits but answers too late, and refuses reversals until after the restart.
    ravi.simulator.setMode({ mode: 'slow', delayMs: 1_500 }, ['CREDIT_REQUEST']);
    ravi.simulator.setMode({ mode: 'error', status: 503 }, ['REVERSAL']);
    const balanceBefore = ravi.simulator.balanceOf(ravi.walletNumber);
    const answer = await pay('MARGALLA', transferBody(ravi.msisdn, '50.00'));
    expect(answer.body).toMatchObject({ state: 'ABORTED', abortReason: 'PAYEE_TIMEOUT' });
    const id = (answer.body as Transfer).id;
    await waitUntil(() => ravi.simulator.balanceOf(ravi.walletNumber) === balanceBefore + 5_000n, 'the payee wallet is credited', 5_000);

    await network.restartSwitch();
    client = network.sw.client;
    ravi.simulator.setMode({ mode: 'accept' });
    await waitUntil(
      () => ravi.simulator.balanceOf(ravi.walletNumber) === balanceBefore,
      'the payee wallet is back to its balance before',
      20_000,
    );
    const switchTransferId = (answer.body as Transfer).switchTransferId;
    expect(ravi.simulator.received('REVERSAL').some((message) => message.transferId === switchTransferId)).toBe(true);
    const read = await client.get(`/v1/transfers/${id}`, { key: network.wallet('MARGALLA').key.key });
    expect(read.body).toMatchObject({ state: 'ABORTED', abortReason: 'PAYEE_TIMEOUT' });
  });
});

function minor(amount: string): bigint {
  const [whole = '0', fraction = ''] = amount.replace('-', '').split('.');
  const value = BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0'));
  return amount.startsWith('-') ? -value : value;
}
