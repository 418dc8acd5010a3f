import { randomBytes } from 'node:crypto';
import { issueApiKey, newSigningSecret } from '../auth/api-key';
import { registerAlias } from '../directory/directory-service';
import { handleStreamCommand, loadStream, type CommandContext } from '../eventstore/decider-stream';
import type { EventStore } from '../eventstore/event-store';
import { DomainError } from '../errors';
import { openStoredSecret, type SecretBox } from '../secrets/secret-box';
import {
  liveWebhookSecrets,
  merchantDecider,
  type MerchantChange,
  type NewWebhookSecret,
  type RegisteredMerchant,
} from './merchant-decider';
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

  constructor(private readonly dependencies: MerchantServiceDependencies) {}

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
   * already carry the new secret, and a stream of a few dozen events is cheap to fold.
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
    const { state } = await loadStream(this.dependencies.store, merchantStreamName(merchantId), merchantDecider);
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
