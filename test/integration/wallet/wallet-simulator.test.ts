import { randomUUID } from 'node:crypto';
import { signatureHeader } from '../../../core/signing';
import { WalletSimulator } from '../../../simulators/wallet/wallet-simulator';
import { ayesha, bilal, creditMessage, signingSecret } from './wallet-fixture';

describe('wallet simulator over HTTP', () => {
  let wallet: WalletSimulator;
  beforeEach(async () => {
    wallet = new WalletSimulator({ participantId: 'MARGALLA', accounts: [ayesha, bilal], signingSecret });
    await wallet.start();
  });
  afterEach(async () => {
    await wallet.close();
  });

  const post = async (
    path: string,
    body: unknown,
    options: { secret?: string; signedAt?: Date; messageType?: string; raw?: string } = {},
  ) => {
    const rawBody = options.raw ?? JSON.stringify(body);
    const response = await fetch(`${wallet.url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'hisaab-signature': signatureHeader({ secrets: [options.secret ?? signingSecret], rawBody, now: options.signedAt ?? new Date() }),
        ...(options.messageType === undefined ? {} : { 'hisaab-message-type': options.messageType }),
      },
      body: rawBody,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('refuses a message signed with another secret or too long ago, and credits nothing', async () => {
    const message = creditMessage('100.00');
    expect(await post('/credit', message, { secret: 'other' })).toMatchObject({
      status: 401,
      body: { error: { code: 'SIGNATURE_MISMATCH' } },
    });
    expect(await post('/credit', message, { signedAt: new Date(Date.now() - 600_000) })).toMatchObject({
      status: 401,
      body: { error: { code: 'SIGNATURE_TIMESTAMP_OUT_OF_TOLERANCE' } },
    });
    expect(wallet.balanceOf(ayesha.walletNumber)).toBe(ayesha.balanceMinor);
    expect(wallet.creditRecord(message.transferId)).toBeUndefined();
  });

  it('refuses a message that breaks the contract (an unknown field, a missing one), an unknown path and an oversized body', async () => {
    expect(await post('/credit', { ...creditMessage(), extra: 1 })).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_MESSAGE' } },
    });
    const { payer: _payer, ...withoutPayer } = creditMessage();
    expect(await post('/credit', withoutPayer)).toMatchObject({ status: 400 });
    expect(await post('/reversal', creditMessage())).toMatchObject({ status: 400 });
    expect(await post('/debit', creditMessage())).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
    expect(await post('/credit', null, { raw: JSON.stringify({ pad: 'x'.repeat(70_000) }) })).toMatchObject({ status: 413 });
    expect(wallet.balanceOf(ayesha.walletNumber)).toBe(ayesha.balanceMinor);
  });

  it('credits by wallet number too, and refuses a bad amount or another currency with a reason', async () => {
    expect(await post('/credit', creditMessage('0.01', { type: 'WALLET', value: bilal.walletNumber }))).toEqual({
      status: 200,
      body: { status: 'ACCEPTED' },
    });
    expect(wallet.balanceOf(bilal.walletNumber)).toBe(1n);
    expect(await post('/credit', creditMessage('1.005'))).toEqual({ status: 200, body: { status: 'REJECTED', reason: 'INVALID_AMOUNT' } });
    expect(await post('/credit', { ...creditMessage(), currency: 'USD' })).toEqual({
      status: 200,
      body: { status: 'REJECTED', reason: 'CURRENCY_NOT_SUPPORTED' },
    });
  });

  it('answers a retried rejection the same way after the wallet is back to accepting', async () => {
    const message = creditMessage();
    wallet.setMode({ mode: 'reject', reason: 'RISK_HOLD' });
    expect((await post('/credit', message)).body).toEqual({ status: 'REJECTED', reason: 'RISK_HOLD' });
    wallet.setMode({ mode: 'accept' });
    expect((await post('/credit', message)).body).toEqual({ status: 'REJECTED', reason: 'RISK_HOLD' });
    expect(wallet.balanceOf(ayesha.walletNumber)).toBe(ayesha.balanceMinor);
  });

  it('remembers a reversal that came before its credit and refuses the late credit', async () => {
    const message = creditMessage('40.00');
    expect(await post('/reversal', { ...message, reason: 'PAYEE_TIMEOUT' })).toEqual({ status: 200, body: { status: 'ACCEPTED' } });
    expect(await post('/credit', message)).toEqual({ status: 200, body: { status: 'REJECTED', reason: 'REVERSED' } });
    expect(wallet.balanceOf(ayesha.walletNumber)).toBe(ayesha.balanceMinor);
  });

  it('acknowledges an advice for an unknown customer, parking it in suspense', async () => {
    const message = creditMessage('9.00', { type: 'MSISDN', value: '923000000000' });
    expect(await post('/credit', message, { messageType: 'CREDIT_ADVICE' })).toEqual({ status: 200, body: { status: 'ACCEPTED' } });
    expect(wallet.creditRecord(message.transferId)?.state).toBe('SUSPENSE');
    expect(wallet.received('CREDIT_ADVICE')).toHaveLength(1);
    expect(wallet.accounts.totalMinor()).toBe(ayesha.balanceMinor + bilal.balanceMinor);
  });

  it("credits a dispute's chargeback advice (the credit body plus disputeId, as the README documents) once", async () => {
    const message = {
      ...creditMessage('75.00', { type: 'WALLET', value: ayesha.walletNumber }),
      transferId: 'chargeback-dp_0123456789abcdef01234567',
      payer: { participant: 'CHENAB' },
      disputeId: 'dp_0123456789abcdef01234567',
    };
    expect(await post('/credit', message, { messageType: 'CREDIT_ADVICE' })).toEqual({ status: 200, body: { status: 'ACCEPTED' } });
    expect(await post('/credit', message, { messageType: 'CREDIT_ADVICE' })).toEqual({ status: 200, body: { status: 'ACCEPTED' } });
    expect(wallet.creditRecord(message.transferId)).toMatchObject({ state: 'CREDITED', amountMinor: 7_500n, duplicates: 1 });
    expect(wallet.balanceOf(ayesha.walletNumber)).toBe(ayesha.balanceMinor + 7_500n);
    expect(
      await post('/credit', { ...message, transferId: randomUUID(), disputeId: 'not a dispute id' }, { messageType: 'CREDIT_ADVICE' }),
    ).toMatchObject({
      status: 400,
    });
  });

  it('answers its health check and, once closed, refuses connections', async () => {
    expect((await fetch(`${wallet.url}/healthz`)).status).toBe(200);
    const url = wallet.url;
    await wallet.refuseConnections();
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});
