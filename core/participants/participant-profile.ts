/** What the operator onboards: who a participant is and how the switch reaches it. */

/** INBOUND_PSP (issue 17): a foreign acquirer or licensed remittance partner, prefunded abroad, that sends payments in. */
export const participantTypes = ['BANK', 'WALLET', 'INBOUND_PSP'] as const;
export type ParticipantType = (typeof participantTypes)[number];

/**
 * REQUEST: the switch asks the payee to credit and waits for its answer before committing.
 * ADVICE: the switch commits at once and tells the payee afterwards (store-and-forward).
 */
export const creditModes = ['REQUEST', 'ADVICE'] as const;
export type CreditMode = (typeof creditModes)[number];

/** A participant reached over signed JSON HTTP (wallets, modern banks). */
export type HttpEndpoints = { creditUrl: string; reversalUrl: string; rtpUrl: string | null };
/**
 * A bank host reached over ISO 8583 on TCP, identified by its acquiring institution id (DE32); over TLS when `tls`
 * names the CA its certificate must chain to (PEM).
 */
export type Iso8583Endpoints = { iso8583: string; institutionId: string; tls?: { ca: string } };
export type ParticipantEndpoints = HttpEndpoints | Iso8583Endpoints;

export function isIso8583Endpoints(endpoints: ParticipantEndpoints): endpoints is Iso8583Endpoints {
  return 'iso8583' in endpoints;
}

export const participantIdPattern = /^[A-Z0-9_]{2,16}$/;
export const bankCodePattern = /^[A-Z]{4}$/;
export const participantNameLengthMax = 140;
export const endpointUrlLengthMax = 2048;
/** Keys a participant may hold at once: enough to rotate, few enough that a leaked-key audit stays small. */
export const activeKeysMax = 10;

export type ParticipantRegistration = {
  participantId: string;
  name: string;
  type: ParticipantType;
  bankCode: string;
  currency: string;
  netDebitCapMinor: bigint;
  creditMode: CreditMode;
  endpoints: ParticipantEndpoints;
  /**
   * Currencies beyond `currency` (its first, where its fees and statistics are kept) in which the participant
   * holds a position and liquidity, each with its own net debit cap. Absent on participants of one currency.
   */
  additionalCurrencies?: readonly CurrencyCap[];
  /** A BANK that is an authorised dealer: it posts exchange rates and converts in-bound payments (issue 17). */
  fxProvider?: boolean;
};

/** A currency a participant holds and its net debit cap in that currency's minor units. */
export type CurrencyCap = { currency: string; netDebitCapMinor: bigint };

/** Every currency of a registration, the first one first, with the caps it was registered with. */
export function registeredCurrencies(registration: ParticipantRegistration): CurrencyCap[] {
  return [
    { currency: registration.currency, netDebitCapMinor: registration.netDebitCapMinor },
    ...(registration.additionalCurrencies ?? []),
  ];
}

export function participantStreamName(participantId: string): string {
  return `participant-${participantId}`;
}

export function bankCodeStreamName(bankCode: string): string {
  return `bankcode-${bankCode}`;
}
