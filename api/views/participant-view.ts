import { formatAmount } from '../../core/money';
import type { ParticipantBalances } from '../../core/participants/participant-ledger';
import { isIso8583Endpoints } from '../../core/participants/participant-profile';
import type { ParticipantRecord } from '../../core/participants/participant-reader';

/** A participant as the API shows it: amounts as decimal strings, secrets left out. */
export type ParticipantView = {
  id: string;
  name: string;
  type: string;
  bankCode: string;
  currency: string;
  active: boolean;
  creditMode: string;
  endpoints:
    { creditUrl: string; reversalUrl: string; rtpUrl: string | null } | { iso8583: string; institutionId: string; tls?: { ca: string } };
  netDebitCap: string;
  position: string;
  reserved: string;
  liquidity: string;
  rateLimitPerSecond: number | null;
  fxProvider: boolean;
  currencies: { currency: string; netDebitCap: string; position: string; reserved: string; liquidity: string }[];
  createdAt: string;
  updatedAt: string;
};

const noBalances: ParticipantBalances = { positionMinor: 0n, reservedMinor: 0n, liquidityMinor: 0n };

/**
 * The first currency's cap and balances stay at the top level, as before issue 17; `currencies` has every
 * currency the participant holds, the first one first.
 */
export function participantView(
  record: ParticipantRecord,
  balancesByCurrency: readonly { currency: string; balances: ParticipantBalances | null }[],
): ParticipantView {
  const { positionMinor, reservedMinor, liquidityMinor } =
    balancesByCurrency.find((entry) => entry.currency === record.currency)?.balances ?? noBalances;
  const caps = new Map([
    [record.currency, record.netDebitCapMinor],
    ...record.additionalCurrencies.map((entry) => [entry.currency, entry.netDebitCapMinor] as const),
  ]);
  const endpoints = isIso8583Endpoints(record.endpoints)
    ? {
        iso8583: record.endpoints.iso8583,
        institutionId: record.endpoints.institutionId,
        ...(record.endpoints.tls === undefined ? {} : { tls: { ca: record.endpoints.tls.ca } }),
      }
    : { creditUrl: record.endpoints.creditUrl, reversalUrl: record.endpoints.reversalUrl, rtpUrl: record.endpoints.rtpUrl };
  return {
    id: record.id,
    name: record.name,
    type: record.type,
    bankCode: record.bankCode,
    currency: record.currency,
    active: record.active,
    creditMode: record.creditMode,
    endpoints,
    netDebitCap: formatAmount(record.netDebitCapMinor, record.currency),
    position: formatAmount(positionMinor, record.currency),
    reserved: formatAmount(reservedMinor, record.currency),
    liquidity: formatAmount(liquidityMinor, record.currency),
    rateLimitPerSecond: record.rateLimitPerSecond,
    fxProvider: record.fxProvider,
    currencies: balancesByCurrency.map(({ currency, balances }) => {
      const held = balances ?? noBalances;
      return {
        currency,
        netDebitCap: formatAmount(caps.get(currency) ?? 0n, currency),
        position: formatAmount(held.positionMinor, currency),
        reserved: formatAmount(held.reservedMinor, currency),
        liquidity: formatAmount(held.liquidityMinor, currency),
      };
    }),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}
