import type { RequestHandler } from 'express';
import type { Authenticator } from '../core/auth/authenticate';
import type { RequestSignatureVerifier } from '../core/auth/request-signature';
import type { AuditGate } from './audit-gate';
import type { AliasStreamNaming } from '../core/directory/alias-key';
import type { DirectoryReader } from '../core/directory/directory-reader';
import type { EventStore } from '../core/eventstore/event-store';
import type { IdempotencyStore } from '../core/idempotency/idempotency-store';
import type { ClientCertificateReader } from '../core/participants/client-certificate';
import type { ParticipantLedger } from '../core/participants/participant-ledger';
import type { ParticipantReader } from '../core/participants/participant-reader';
import type { ParticipantService } from '../core/participants/participant-service';
import type { Logger } from './logger';
import type { SwitchMetrics } from './metrics';

/** The read side as the API needs it: query interfaces over the projections, and a way to wait for them. */
export type ReadModels = {
  participants: ParticipantReader;
  directory: DirectoryReader;
  /** Resolves once every projection has applied the log up to `position`; rejects after `timeoutMs`. */
  waitForPosition(position: bigint, timeoutMs: number): Promise<void>;
  /** The position every projection has reached, and whether the runner is healthy. */
  status(): { position: bigint; healthy: boolean };
};

/** Everything the express app is built from; `api/switch.ts` assembles it, tests can too. */
export type AppDependencies = {
  store: EventStore;
  readModels: ReadModels;
  authenticator: Authenticator;
  /** Verifies the Hisaab-JWS of participants that must sign their writes (issue 15). */
  requestSignatures: RequestSignatureVerifier;
  /** What the edge writes to the audit trail; null in a front-end worker, whose writer audits what it forwards. */
  audit: AuditGate | null;
  /**
   * Set when mutual TLS is on (HISAAB_TLS_CLIENT_CA): a participant's requests must come over a certificate bound
   * to it. Absent or null: bearer keys alone (plain HTTP, TLS without a client CA, or a proxy in front).
   */
  clientCertificates?: ClientCertificateReader | null;
  /**
   * Rate limits (api/rate-limit/rate-limiting.ts), checked before anything else the app does. Absent or null: none,
   * as on the writer's private port, whose front-end workers have limited each request already.
   */
  rateLimiting?: RequestHandler | null;
  participants: ParticipantService;
  ledger: ParticipantLedger;
  idempotency: IdempotencyStore;
  /** The injected clock: stamps decisions. */
  now: () => Date;
  config: {
    /** Currencies the switch runs a ledger for; participants can be registered only in these. */
    currencies: readonly string[];
    readYourWritesTimeoutMs: number;
    /** Money-path requests in progress at once before a new one is shed with 503 (api/money-path-admission.ts). */
    moneyPathInFlightMax: number;
    /** Event-loop delay past which new money-path requests are shed too; 0: off; absent: the default. */
    moneyPathLoopDelayMaxMs?: number;
  };
  logger: Logger;
  metrics: SwitchMetrics;
  /** How alias streams are named: by a person's keyed hash once personal data is sealed (issue 15.4); absent: by value. */
  aliasStreams?: AliasStreamNaming;
};
