import { randomBytes } from 'node:crypto';
import { issueApiKey, newSigningSecret } from '../auth/api-key';
import { registerAlias } from '../directory/directory-service';
import { handleStreamCommand, loadStream, type CommandContext } from '../eventstore/decider-stream';
import type { EventStore } from '../eventstore/event-store';
import { RememberedStreams } from '../eventstore/remembered-streams';
import { DomainError } from '../errors';
import { openStoredSecret, type SecretBox } from '../secrets/secret-box';
import {
  liveWebhookSecrets,
  merchantDecider,
  type MerchantChange,
  type MerchantCommand,
  type MerchantState,
  type NewWebhookSecret,
  type RegisteredMerchant,
} from './merchant-decider';
import type { MerchantEvent } from './merchant-events';
import { merchantStreamName, type MerchantRegistration } from './merchant-profile';
import type { WebhookSigningSecrets, WebhookSigningSecretsPort } from './webhook-signing-secrets';
import { BoundedMemory } from '../bounded-memory';

export type MerchantServiceDependencies = { store: EventStore; secrets: SecretBox; now: () => Date };

/** Global log position of the last event a command appended (null: nothing new), for read-your-writes. */
export type MerchantWriteReceipt = { position: bigint | null };

export type RegisteredMerchantAnswer = MerchantWriteReceipt & { apiKey: string; webhookSecret: string };
export type IssuedMerchantKey = MerchantWriteReceipt & { keyId: string; apiKey: string };
export type RotatedWebhookSecret = MerchantWriteReceipt & { webhookSecret: string };

/** The acquirer as the directory needs it: the alias is registered in its name, pointing at the settlement account. */
export type AcquirerReference = { participantId: string; bankCode: string };

/** Opened webhook secrets kept at most (two per merchant during a rotation); past it, the memory starts again empty. */
const openedSecretsMax = 10_000;
/** Merchants' stream states remembered at most, for the webhooks' secrets: more than the merchants paid in a minute. */
const rememberedMerchantsMax = 4_096;

/**
 * Merchant commands (docs/ARCHITECTURE.md section 6). Keys are stored hashed and webhook secrets sealed; both are
 * in one answer only. Also the port the webhook module signs with.
 */
export class MerchantService implements WebhookSigningSecretsPort {
  /**
   * Webhook secrets as opened, by their sealed form: every webhook is signed with them, and opening one is a
   * decryption. A sealed form names exactly one secret, so an entry is never wrong; a rotation adds a new one. Bounded.
   */
  private readonly openedSecrets = new BoundedMemory<string, string>(openedSecretsMax);
  /**
   * The merchants' streams as last read, so that the read before each webhook folds only what changed since (nothing,
   * usually) instead of the whole stream; it still reads the stream, so a rotation signs the very next webhook.
   */
  private readonly merchantStreams: RememberedStreams<MerchantCommand, MerchantEvent, MerchantState>;

  constructor(private readonly dependencies: MerchantServiceDependencies) {
    this.merchantStreams = new RememberedStreams(dependencies.store, merchantDecider, rememberedMerchantsMax);
  }

  /**
   * Refuses a taken id first, then registers the MERCHANT alias (so that payers can name the merchant), then the
   * merchant with its first key and webhook secret. A crash after the alias leaves it registered, and a retry
   * (the alias registration is idempotent) completes.
   */
  async register(
    registration: MerchantRegistration,
    acquirer: AcquirerReference,
    requestReference: string | null,
    context: CommandContext,
  ): Promise<RegisteredMerchantAnswer> {
    const stream = merchantStreamName(registration.merchantId);
    const existing = await loadStream(this.dependencies.store, stream, merchantDecider);
    if (existing.state.status === 'registered' && (requestReference === null || existing.state.requestReference !== requestReference)) {
      throw new DomainError('MERCHANT_EXISTS', `merchant ${registration.merchantId} already exists`);
    }
    await registerAlias(
      this.dependencies.store,
      acquirer,
      {
        alias: { type: 'MERCHANT', value: registration.merchantId },
        account: registration.settlementAccount,
        holderName: registration.name,
      },
      context,
    );
    const key = issueApiKey();
    const secret = this.newSecret();
    const result = await handleStreamCommand(
      this.dependencies.store,
      stream,
      merchantDecider,
      {
        type: 'RegisterMerchant',
        data: { ...registration, key: { keyId: key.keyId, keyHash: key.keyHash }, secret: secret.secret, requestReference },
        now: context.now,
      },
      context,
    );
    return { position: result.position, apiKey: key.key, webhookSecret: secret.plaintext };
  }

  async change(merchantId: string, change: Omit<MerchantChange, 'merchantId'>, context: CommandContext): Promise<MerchantWriteReceipt> {
    const result = await handleStreamCommand(
      this.dependencies.store,
      merchantStreamName(merchantId),
      merchantDecider,
      { type: 'ChangeMerchant', data: { merchantId, ...change }, now: context.now },
      context,
    );
    return { position: result.position };
  }

  async issueKey(merchantId: string, requestReference: string | null, context: CommandContext): Promise<IssuedMerchantKey> {
    const key = issueApiKey();
    const result = await handleStreamCommand(
      this.dependencies.store,
      merchantStreamName(merchantId),
      merchantDecider,
      {
        type: 'IssueMerchantKey',
        data: { merchantId, key: { keyId: key.keyId, keyHash: key.keyHash }, requestReference },
        now: context.now,
      },
      context,
    );
    return { position: result.position, keyId: key.keyId, apiKey: key.key };
  }

  async revokeKey(merchantId: string, keyId: string, context: CommandContext): Promise<MerchantWriteReceipt> {
    const result = await handleStreamCommand(
      this.dependencies.store,
      merchantStreamName(merchantId),
      merchantDecider,
      { type: 'RevokeMerchantKey', data: { merchantId, keyId }, now: context.now },
      context,
    );
    return { position: result.position };
  }

  /** A new webhook secret; the one signing now keeps signing beside it for 24 hours. */
  async rotateWebhookSecret(merchantId: string, requestReference: string | null, context: CommandContext): Promise<RotatedWebhookSecret> {
    const secret = this.newSecret();
    const result = await handleStreamCommand(
      this.dependencies.store,
      merchantStreamName(merchantId),
      merchantDecider,
      { type: 'RotateWebhookSecret', data: { merchantId, secret: secret.secret, requestReference }, now: context.now },
      context,
    );
    return { position: result.position, webhookSecret: secret.plaintext };
  }

  /**
   * Read from the merchant's own stream rather than a read model: a webhook signed right after a rotation must
   * already carry the new secret. Only the events appended since the last read are folded (`merchantStreams`), and a
   * secret is decrypted once (`openedSecrets`), so a webhook costs a read of the stream's tail and no decryption.
   */
  async webhookSigningSecrets(merchantId: string): Promise<WebhookSigningSecrets | null> {
    const merchant = await this.findMerchant(merchantId);
    if (merchant === null) return null;
    const secrets = liveWebhookSecrets(merchant.webhookSecrets, this.dependencies.now()).map((entry) => this.opened(entry.sealedSecret));
    return { url: merchant.webhookUrl, secrets };
  }

  private opened(sealedSecret: string): string {
    const known = this.openedSecrets.get(sealedSecret);
    if (known !== undefined) return known;
    const secret = openStoredSecret(this.dependencies.secrets, sealedSecret);
    this.openedSecrets.remember(sealedSecret, secret);
    return secret;
  }

  async findMerchant(merchantId: string): Promise<RegisteredMerchant | null> {
    const { state } = await this.merchantStreams.load(merchantStreamName(merchantId));
    return state.status === 'registered' ? state : null;
  }

  private newSecret(): { secret: NewWebhookSecret; plaintext: string } {
    const plaintext = newSigningSecret();
    return {
      secret: { secretId: `ws_${randomBytes(8).toString('hex')}`, sealedSecret: this.dependencies.secrets.seal(plaintext) },
      plaintext,
    };
  }
}
