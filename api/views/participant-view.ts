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
  endpoints: { creditUrl: string; reversalUrl: string; rtpUrl: string | null } | { iso8583: string; institutionId: string };
  netDebitCap: string;
  position: string;
  reserved: string;
  liquidity: string;
  rateLimitPerSecond: number | null;
  createdAt: string;
  updatedAt: string;
};

const noBalances: ParticipantBalances = { positionMinor: 0n, reservedMinor: 0n, liquidityMinor: 0n };

export function participantView(record: ParticipantRecord, balances: ParticipantBalances | null): ParticipantView {
  const { positionMinor, reservedMinor, liquidityMinor } = balances ?? noBalances;
  const endpoints = isIso8583Endpoints(record.endpoints)
    ? { iso8583: record.endpoints.iso8583, institutionId: record.endpoints.institutionId }
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
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}
