/**
 * The operator's side of the switch's REST API as the demo and tests use it to set a network up: onboard
 * participants, issue their keys, record liquidity, register aliases. Every call checks its status and fails
 * with the switch's own error body, so a broken setup says what broke.
 */
export type ParticipantSetup = {
  id: string;
  name: string;
  type: 'WALLET' | 'BANK' | 'INBOUND_PSP';
  bankCode: string;
  netDebitCap: string;
  /** Issue 17: several currencies, the first one's cap `netDebitCap`, the others' in `netDebitCaps` (absent: PKR only). */
  currencies?: readonly string[];
  netDebitCaps?: Record<string, string>;
  /** Issue 17: a bank that posts exchange rates (an authorised dealer). */
  fxProvider?: boolean;
  creditMode?: 'REQUEST' | 'ADVICE';
  endpoints: { creditUrl: string; reversalUrl: string; rtpUrl?: string } | { iso8583: string; institutionId: string; tls?: { ca: string } };
};

/** `signingSecret`: on a participant's first key only (it brings the first secret); null on later keys. */
export type IssuedKey = { keyId: string; key: string; signingSecret: string | null };

/** The signing secret a participant's first key brought; a clear error when the key was not its first. */
export function firstSigningSecret(participantId: string, key: IssuedKey): string {
  if (key.signingSecret === null)
    throw new Error(
      `the key issued to ${participantId} was not its first, so it brought no signing secret; rotate one with POST /v1/participants/${participantId}/signing-secrets`,
    );
  return key.signingSecret;
}

export type AliasSetup = {
  type: 'MSISDN' | 'CNIC' | 'MERCHANT';
  value: string;
  account: { type: 'WALLET' | 'IBAN'; value: string };
  name: string;
};

const requestTimeoutMs = 15_000;

export class OperatorClient {
  constructor(
    private readonly switchUrl: string,
    private readonly operatorKey: string,
  ) {}

  async onboard(participant: ParticipantSetup): Promise<void> {
    const currency = participant.currencies === undefined ? { currency: 'PKR' } : {};
    await this.call('POST', '/v1/participants', this.operatorKey, { ...currency, creditMode: 'REQUEST', ...participant }, 201);
  }

  async issueKey(participantId: string): Promise<IssuedKey> {
    return (await this.call(
      'POST',
      `/v1/participants/${participantId}/keys`,
      this.operatorKey,
      {},
      201,
      `key-${participantId}-${Date.now()}`,
    )) as IssuedKey;
  }

  /** Records liquidity deposited, in the participant's first currency unless `currency` names another it holds. */
  async recordFunds(participantId: string, amount: string, reference: string, currency?: string): Promise<void> {
    await this.call(
      'POST',
      `/v1/participants/${participantId}/funds`,
      this.operatorKey,
      { direction: 'IN', amount, reference, ...(currency === undefined ? {} : { currency }) },
      201,
      `funds-${reference}`,
    );
  }

  async registerAlias(participantKey: string, alias: AliasSetup): Promise<void> {
    await this.call('POST', '/v1/aliases', participantKey, alias, 201, `alias-${alias.type}-${alias.value}`);
  }

  async get(path: string, key: string = this.operatorKey): Promise<unknown> {
    return this.call('GET', path, key, undefined, 200);
  }

  async post(path: string, body: unknown, expectedStatus: number, key: string = this.operatorKey): Promise<unknown> {
    return this.call('POST', path, key, body, expectedStatus, `op-${path}-${Date.now()}-${Math.random()}`);
  }

  /** A PATCH answered 200 (a merchant's webhookUrl, say); a PATCH is idempotent by itself. */
  async patch(path: string, body: unknown, key: string = this.operatorKey): Promise<unknown> {
    return this.call('PATCH', path, key, body, 200);
  }

  private async call(
    method: string,
    path: string,
    key: string,
    body: unknown,
    expectedStatus: number,
    idempotencyKey?: string,
  ): Promise<unknown> {
    const headers: Record<string, string> = { authorization: `Bearer ${key}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey.replace(/[^A-Za-z0-9._:-]/g, '-').slice(0, 128);
    const response = await fetch(`${this.switchUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(requestTimeoutMs),
    });
    const text = await response.text();
    if (response.status !== expectedStatus) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 500)}`);
    return text === '' ? null : (JSON.parse(text) as unknown);
  }
}
