import { authErrors } from './auth/auth-errors';
import { commonErrors } from './common-errors';
import { directoryErrors } from './directory/directory-errors';
import { disputeErrors } from './disputes/dispute-errors';
import type { ErrorCodeEntry, ErrorCodeTable } from './errors';
import { fxErrors } from './fx/fx-errors';
import { gatewayErrors } from './gateway/gateway-errors';
import { eventStoreErrors } from './eventstore/event-store-errors';
import { idempotencyErrors } from './idempotency/idempotency-errors';
import { ledgerErrors } from './ledger/ledger-errors';
import { moneyErrors } from './money-errors';
import { outboxErrors } from './outbox/outbox-errors';
import { participantErrors } from './participants/participant-errors';
import { personalDataErrors } from './personal-data/personal-data-errors';
import { settlementErrors } from './settlement/settlement-errors';
import { transferErrors } from './transfers/transfer-errors';
import { webhookErrors } from './webhooks/webhook-errors';

/**
 * The domain's error catalogue: every module's table, by module. The edge adds its own codes (api/api-errors.ts)
 * beside these in api/http-error.ts. To add a code: one line (status and a one-sentence meaning) in its module's
 * `*-errors.ts`, then decide how a bank hears it (adapters/iso8583-switch/inbound-answers.ts does not compile
 * until you do) and run `npm run docs:errors` for the README. A new module adds its table here.
 */
export const domainErrorTables = {
  common: commonErrors,
  money: moneyErrors,
  auth: authErrors,
  participants: participantErrors,
  directory: directoryErrors,
  ledger: ledgerErrors,
  transfers: transferErrors,
  settlement: settlementErrors,
  gateway: gatewayErrors,
  eventstore: eventStoreErrors,
  idempotency: idempotencyErrors,
  outbox: outboxErrors,
  webhooks: webhookErrors,
  disputes: disputeErrors,
  personalData: personalDataErrors,
  fx: fxErrors,
} as const;

type CodesOf<Tables> = { [Module in keyof Tables]: keyof Tables[Module] }[keyof Tables];

/** Every code the domain raises: what `DomainError` takes. */
export type DomainErrorCode = CodesOf<typeof domainErrorTables>;

/**
 * The codes two tables of a catalogue both declare: `never` when every code is declared once. A code in two
 * modules would answer whichever status was merged last, so the catalogues below refuse to compile with one.
 */
export type CodesDeclaredTwice<Tables> = {
  [Module in keyof Tables]: { [Other in Exclude<keyof Tables, Module>]: keyof Tables[Module] & keyof Tables[Other] }[Exclude<
    keyof Tables,
    Module
  >];
}[keyof Tables];

/** Compiles only when `Twice` is `never`; otherwise the error names the codes declared twice. */
export function declaredOnce<Twice>(check: [Twice] extends [never] ? true : { declaredTwice: Twice }): void {
  void check;
}

declaredOnce<CodesDeclaredTwice<typeof domainErrorTables>>(true);

/**
 * Merges module tables into one code → entry table. The compiler already refuses a code declared twice; the
 * check here keeps that true for tables built at run time (and says which code it was).
 */
export function mergeErrorTables<Tables extends Readonly<Record<string, ErrorCodeTable>>>(
  tables: Tables,
): Readonly<Record<CodesOf<Tables> & string, ErrorCodeEntry>> {
  const merged: Record<string, ErrorCodeEntry> = {};
  for (const [module, table] of Object.entries(tables)) {
    for (const [code, entry] of Object.entries(table)) {
      if (Object.hasOwn(merged, code)) throw new Error(`error code ${code} is declared twice (again in ${module})`);
      merged[code] = entry;
    }
  }
  return merged as Record<CodesOf<Tables> & string, ErrorCodeEntry>;
}
