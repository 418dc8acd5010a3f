import type { Projection } from '../../../core/eventstore/projection';
import type { SqliteReadModelTx } from '../sqlite-read-model-store';
import { clientCertificatesProjection } from './client-certificates-projection';
import { checkoutSessionsProjection } from './checkout-sessions-projection';
import { disputesProjection } from './disputes-projection';
import { directoryProjection } from './directory-projection';
import { inboundPaymentsProjection } from './inbound-payments-projection';
import { keysProjection } from './keys-projection';
import { merchantViewsProjection } from './merchant-views-projection';
import { merchantsProjection } from './merchants-projection';
import { participantStatisticsProjection } from './participant-statistics-projection';
import { participantsProjection } from './participants-projection';
import { rateLimitsProjection } from './rate-limits-projection';
import { requestSigningProjection } from './request-signing-projection';
import { settlementProjection } from './settlement-projection';
import { signingSecretsProjection } from './signing-secrets-projection';
import { statisticsProjection } from './statistics-projection';
import { transfersProjection } from './transfers-projection';
import { webhookEventsProjection } from './webhook-events-projection';

/**
 * Every projection of the switch: what the server runs and what `npm run rebuild-projection -- <name>` can
 * rebuild. Add each projection here as it is built; names must be unique (the runner asserts it).
 */
export const switchProjections: readonly Projection<SqliteReadModelTx>[] = [
  participantsProjection,
  keysProjection,
  directoryProjection,
  transfersProjection,
  settlementProjection,
  statisticsProjection,
  signingSecretsProjection,
  webhookEventsProjection,
  merchantsProjection,
  checkoutSessionsProjection,
  disputesProjection,
  merchantViewsProjection,
  participantStatisticsProjection,
  requestSigningProjection,
  clientCertificatesProjection,
  rateLimitsProjection,
  inboundPaymentsProjection,
];
