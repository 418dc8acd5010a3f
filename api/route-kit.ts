import type { IRouter, Request, RequestHandler } from 'express';
import type { Role } from '../core/auth/principal';
import { actorOf } from '../core/auth/principal';
import type { CommandContext } from '../core/eventstore/decider-stream';
import type { AppDependencies } from './app-dependencies';
import { allowRoles } from './auth';
import { IdempotencyGate } from './idempotency';
import { requestContext } from './request-context';

/**
 * What an edge-only process needs to serve routes: authentication, the read side, logs and metrics. A front-end
 * worker (api/cluster/) has only these; the writer process has the whole AppDependencies.
 */
export type EdgeDependencies = Pick<
  AppDependencies,
  | 'readModels'
  | 'authenticator'
  | 'requestSignatures'
  | 'audit'
  | 'clientCertificates'
  | 'rateLimiting'
  | 'idempotency'
  | 'now'
  | 'config'
  | 'logger'
  | 'metrics'
>;

/** What route modules get to build their handlers from. */
export type RouteKit<Dependencies extends EdgeDependencies = AppDependencies> = {
  dependencies: Dependencies;
  /** 401 without a valid key, 403 for a role not listed. */
  allow(...roles: Role[]): RequestHandler;
  idempotency: IdempotencyGate;
  /** Waits until the read models show a write (read-your-writes); a null position (nothing written) returns at once. */
  waitForWrite(position: bigint | null): Promise<void>;
  /** Who and when, for the events a request causes. */
  commandContext(request: Request): CommandContext;
};

/** A resource's routes. The transfers module (api/routes/transfers*.ts) plugs in the same way. */
export type RouteModule<Dependencies extends EdgeDependencies = AppDependencies> = (router: IRouter, kit: RouteKit<Dependencies>) => void;

export function createRouteKit<Dependencies extends EdgeDependencies>(dependencies: Dependencies): RouteKit<Dependencies> {
  const idempotency = new IdempotencyGate(dependencies.idempotency, dependencies.now);
  return {
    dependencies,
    allow: (...roles) =>
      allowRoles(
        dependencies.authenticator,
        roles,
        dependencies.requestSignatures,
        dependencies.now,
        dependencies.audit,
        dependencies.clientCertificates ?? null,
      ),
    idempotency,
    async waitForWrite(position) {
      if (position === null) return;
      await dependencies.readModels.waitForPosition(position, dependencies.config.readYourWritesTimeoutMs);
    },
    commandContext(request) {
      const context = requestContext(request);
      return {
        now: dependencies.now(),
        actor: context.principal === null ? 'anonymous' : actorOf(context.principal),
        correlationId: context.requestId,
      };
    },
  };
}
