import { randomBytes } from 'node:crypto';
import type { PublicJwk, RequestSigningAlgorithm } from '../auth/request-signing-key';
import { issueApiKey, newSigningSecret } from '../auth/api-key';
import type { SecretBox } from '../secrets/secret-box';
import { DomainError } from '../errors';
import { handleStreamCommand, loadStream, type CommandContext } from '../eventstore/decider-stream';
import type { EventStore } from '../eventstore/event-store';
import { bankCodeDecider } from './bank-code-reservation';
import { KeyedSerializer } from './keyed-serializer';
import {
  currentCurrencyCaps,
  netDebitCapIn,
  participantDecider,
  type NewClientCertificate,
  type ParticipantChange,
  type ParticipantCommand,
  type NewSigningSecret,
  type RegisteredParticipant,
} from './participant-decider';
import type { FundsMovement, FundsResult, ParticipantLedger } from './participant-ledger';
import { bankCodeStreamName, participantStreamName, type ParticipantRegistration } from './participant-profile';

/** `secrets`: seals the signing secrets before they reach an event (never stored in plain text). */
export type ParticipantServiceDependencies = { store: EventStore; ledger: ParticipantLedger; secrets: SecretBox };

/** Global log position of the last event a command appended (null: nothing new), for read-your-writes. */
export type WriteReceipt = { position: bigint | null };

/** `signingSecret`: only on a participant's first key, which brings its first signing secret; null after. */
export type IssuedParticipantKey = WriteReceipt & { keyId: string; key: string; signingSecret: string | null };

export type RotatedSigningSecret = WriteReceipt & { secretId: string; signingSecret: string; previousSecretsRetireAt: string | null };

/**
 * The participant commands the operator gives. Each loads the streams it decides on, appends with expected
 * revisions, and brings the ledger in line afterwards. Every step is idempotent, so a request retried after a
 * crash at any point completes instead of repeating itself (see each method).
 */
export class ParticipantService {
  private readonly store: EventStore;
  private readonly ledger: ParticipantLedger;
  private readonly secrets: SecretBox;
  /** Cap changes reach the ledger in the order they reached the participant's stream. */
  private readonly ledgerUpdates = new KeyedSerializer();

  constructor(dependencies: ParticipantServiceDependencies) {
    this.store = dependencies.store;
    this.ledger = dependencies.ledger;
    this.secrets = dependencies.secrets;
  }

  /**
   * Refuses a taken id first, then reserves the bank code, then appends the registration, then opens the
   * ledger accounts. A crash after the reservation leaves it held for this id, and a retry completes; a crash
   * after the registration leaves accounts to open, which a retry (or the start-up reconciliation) does.
   */
  async register(registration: ParticipantRegistration, requestReference: string | null, context: CommandContext): Promise<WriteReceipt> {
    const stream = participantStreamName(registration.participantId);
    const command = { type: 'RegisterParticipant' as const, data: { ...registration, requestReference }, now: context.now };
    const existing = await loadStream(this.store, stream, participantDecider);
    const isRetry = participantDecider.decide(command, existing.state).length === 0;
    if (!isRetry) await this.reserveBankCode(registration, context);
    const result = await handleStreamCommand(this.store, stream, participantDecider, command, context);
    await this.syncLedger(registration.participantId);
    return { position: result.position };
  }

  async change(participantId: string, change: Omit<ParticipantChange, 'participantId'>, context: CommandContext): Promise<WriteReceipt> {
    const result = await handleStreamCommand(
      this.store,
      participantStreamName(participantId),
      participantDecider,
      { type: 'ChangeParticipant', data: { participantId, ...change }, now: context.now },
      context,
    );
    if (change.netDebitCapMinor !== null) await this.syncLedger(participantId);
    return { position: result.position };
  }

  async issueKey(participantId: string, requestReference: string | null, context: CommandContext): Promise<IssuedParticipantKey> {
    const issued = issueApiKey();
    const first = this.newSecret();
    const result = await handleStreamCommand(
      this.store,
      participantStreamName(participantId),
      participantDecider,
      {
        type: 'IssueParticipantKey',
        data: { participantId, keyId: issued.keyId, keyHash: issued.keyHash, firstSigningSecret: first.secret, requestReference },
        now: context.now,
      },
      context,
    );
    const broughtSecret = result.events.some((event) => event.type === 'ParticipantSigningSecretRotated');
    return { position: result.position, keyId: issued.keyId, key: issued.key, signingSecret: broughtSecret ? first.plaintext : null };
  }

  /**
   * A new signing secret for the participant's callbacks; those signing now keep signing beside it for
   * `overlapSeconds`, so a receiver has that long to take the new one. The secret is in the answer only.
   */
  async rotateSigningSecret(
    participantId: string,
    overlapSeconds: number,
    requestReference: string | null,
    context: CommandContext,
  ): Promise<RotatedSigningSecret> {
    const fresh = this.newSecret();
    const result = await handleStreamCommand(
      this.store,
      participantStreamName(participantId),
      participantDecider,
      { type: 'RotateSigningSecret', data: { participantId, secret: fresh.secret, overlapSeconds, requestReference }, now: context.now },
      context,
    );
    const rotation = result.events.find((event) => event.type === 'ParticipantSigningSecretRotated');
    const retirements =
      rotation?.type === 'ParticipantSigningSecretRotated' ? rotation.data.retirements.map((retirement) => retirement.retiresAt) : [];
    const previousSecretsRetireAt = retirements.length === 0 ? null : (retirements.sort()[retirements.length - 1] as string);
    return { position: result.position, secretId: fresh.secret.secretId, signingSecret: fresh.plaintext, previousSecretsRetireAt };
  }

  async revokeKey(participantId: string, keyId: string, context: CommandContext): Promise<WriteReceipt> {
    return this.decide(participantId, { type: 'RevokeParticipantKey', data: { participantId, keyId }, now: context.now }, context);
  }

  /** Registers a public key the participant signs requests with; the same key again changes nothing. */
  async registerSigningKey(
    key: { participantId: string; kid: string; alg: RequestSigningAlgorithm; publicKey: PublicJwk },
    requestReference: string | null,
    context: CommandContext,
  ): Promise<WriteReceipt> {
    return this.decide(key.participantId, { type: 'RegisterSigningKey', data: { ...key, requestReference }, now: context.now }, context);
  }

  async revokeSigningKey(participantId: string, kid: string, context: CommandContext): Promise<WriteReceipt> {
    return this.decide(participantId, { type: 'RevokeSigningKey', data: { participantId, kid }, now: context.now }, context);
  }

  /** Binds a client certificate (mutual TLS) to the participant; a retry of the same request adds nothing. */
  async registerClientCertificate(
    participantId: string,
    certificate: NewClientCertificate,
    requestReference: string | null,
    context: CommandContext,
  ): Promise<WriteReceipt> {
    return this.decide(
      participantId,
      { type: 'RegisterClientCertificate', data: { participantId, certificate, requestReference }, now: context.now },
      context,
    );
  }

  async revokeClientCertificate(participantId: string, fingerprint256: string, context: CommandContext): Promise<WriteReceipt> {
    return this.decide(
      participantId,
      { type: 'RevokeClientCertificate', data: { participantId, fingerprint256 }, now: context.now },
      context,
    );
  }

  /** Decides one command on the participant's stream and answers where it was written. */
  private async decide(participantId: string, command: ParticipantCommand, context: CommandContext): Promise<WriteReceipt> {
    const result = await handleStreamCommand(this.store, participantStreamName(participantId), participantDecider, command, context);
    return { position: result.position };
  }

  private newSecret(): { secret: NewSigningSecret; plaintext: string } {
    const plaintext = newSigningSecret();
    return { secret: { secretId: `ss_${randomBytes(8).toString('hex')}`, sealedSecret: this.secrets.seal(plaintext) }, plaintext };
  }

  /** Funds in/out at the central bank. Keyed by the movement's transfer id, so the ledger recognises a retry. */
  async recordFunds(movement: Omit<FundsMovement, 'currency'> & { currency?: string }): Promise<FundsResult> {
    const participant = await this.requireParticipant(movement.participantId);
    const currency = movement.currency ?? participant.registration.currency;
    if (netDebitCapIn(participant, currency) === null) {
      throw new DomainError('CURRENCY_NOT_HELD', `participant ${movement.participantId} holds no ${currency.slice(0, 8)} position`);
    }
    // One funds movement per participant at a time: the free-liquidity check and the movement go together.
    return this.ledgerUpdates.run(`funds:${movement.participantId}`, () => this.ledger.recordFunds({ ...movement, currency }));
  }

  /**
   * Brings the ledger in line with the participant's stream: accounts open, cap as the stream says. Run after
   * every registration and cap change, and at start-up for every participant, so a crash between the stream
   * append and the ledger leaves nothing behind for long.
   */
  syncLedger(participantId: string): Promise<void> {
    return this.ledgerUpdates.run(participantId, async () => {
      const participant = await this.requireParticipant(participantId);
      // Every currency the participant holds has its own position and liquidity accounts in that currency's ledger.
      for (const { currency, netDebitCapMinor } of currentCurrencyCaps(participant)) {
        const input = { participantId, currency, netDebitCapMinor };
        await this.ledger.openAccounts(input);
        await this.ledger.setNetDebitCap(input);
      }
    });
  }

  async requireParticipant(participantId: string): Promise<RegisteredParticipant> {
    const { state } = await loadStream(this.store, participantStreamName(participantId), participantDecider);
    if (state.status !== 'registered') throw new DomainError('PARTICIPANT_NOT_FOUND', `participant ${participantId} does not exist`);
    return state;
  }

  private async reserveBankCode(registration: ParticipantRegistration, context: CommandContext): Promise<void> {
    const stream = bankCodeStreamName(registration.bankCode);
    const { state } = await loadStream(this.store, stream, bankCodeDecider);
    const releasedHolderId =
      state.status === 'reserved' && (await this.registeredWithOtherCode(state.participantId, registration.bankCode))
        ? state.participantId
        : null;
    await handleStreamCommand(
      this.store,
      stream,
      bankCodeDecider,
      {
        type: 'ReserveBankCode',
        data: { bankCode: registration.bankCode, participantId: registration.participantId, releasedHolderId },
        now: context.now,
      },
      context,
    );
  }

  private async registeredWithOtherCode(participantId: string, bankCode: string): Promise<boolean> {
    const { state } = await loadStream(this.store, participantStreamName(participantId), participantDecider);
    return state.status === 'registered' && state.registration.bankCode !== bankCode;
  }
}
