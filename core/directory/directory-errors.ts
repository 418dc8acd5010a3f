import type { ErrorCodeTable } from '../errors';

/** Codes of the directory: aliases, accounts, IBANs and resolving a party to the participant that holds it. */
export const directoryErrors = {
  INVALID_ALIAS: {
    status: 400,
    meaning: 'An alias type is not one the directory knows, or its value does not follow the pattern of that type.',
  },
  INVALID_ACCOUNT: { status: 400, meaning: 'An account number does not follow the pattern of its account type.' },
  INVALID_IBAN: { status: 400, meaning: 'An IBAN is malformed, of a country the switch does not route, or fails its mod-97 check digits.' },
  INVALID_PARTY: { status: 400, meaning: 'A party type is not one of MSISDN, CNIC, MERCHANT or IBAN.' },
  PARTY_NOT_FOUND: {
    status: 404,
    meaning: 'No participant holds this party: the alias is not registered, or no participant has the bank code of the IBAN.',
  },
  ALIAS_NOT_FOUND: { status: 404, meaning: 'The alias is not registered, so there is nothing to remove.' },
  ALIAS_TAKEN: { status: 409, meaning: 'Another participant has registered this alias.' },
  PAYER_NOT_OWNED: {
    status: 403,
    meaning:
      "The payer is an alias the directory gives to another participant, or an IBAN of another participant's bank code: a participant pays only for its own customers.",
  },
  ACCOUNT_NOT_AT_PARTICIPANT: { status: 422, meaning: 'The IBAN belongs to another bank than the participant that registers it.' },
} as const satisfies ErrorCodeTable;
