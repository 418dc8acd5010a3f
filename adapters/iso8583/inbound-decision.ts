import { parseFinancialRequest, parseReversalAdvice, type InboundFinancialRequest, type InboundReversalAdvice } from './financial-messages';
import { missingMandatoryFields } from './mandatory-fields';
import { isResponseMti, type Iso8583Message } from './message';
import { networkManagementCodes } from './network-management';
import { responseCodes, type ResponseCode } from './response-codes';

/**
 * What the switch's inbound port does with a message that parsed, given the connection's sign-on: the rules of
 * the README's table, as one pure function. The server (server.ts) acts on the decision; the fuzzer
 * (scripts/fuzz-iso8583.ts) runs a million frames through it in-process and checks every decision against the
 * documented rules, so the rules the server follows and the rules the fuzzer checks cannot drift apart.
 */
export type InboundDecision =
  /** A response: the switch sends no requests on inbound connections, so it answers nothing. */
  | { readonly kind: 'ignore'; readonly reason: string }
  /** Refused before any handler sees it. `notSignedOn` marks a financial message refused for its sign-on. */
  | {
      readonly kind: 'answer';
      readonly responseCode: ResponseCode;
      readonly reason: string | null;
      readonly financial: boolean;
      readonly notSignedOn: boolean;
    }
  | { readonly kind: 'sign_on'; readonly institutionId: string }
  | { readonly kind: 'sign_off' }
  | { readonly kind: 'transfer_request'; readonly request: InboundFinancialRequest }
  | { readonly kind: 'financial_advice'; readonly request: InboundFinancialRequest }
  | { readonly kind: 'reversal_advice'; readonly advice: InboundReversalAdvice };

const financialRequestMtis = new Set(['0200', '0220', '0221']);
const reversalMtis = new Set(['0420', '0421']);

export function isFinancialMti(mti: string): boolean {
  return financialRequestMtis.has(mti) || reversalMtis.has(mti);
}

function answer(
  responseCode: ResponseCode,
  reason: string | null,
  options: { financial?: boolean; notSignedOn?: boolean } = {},
): InboundDecision {
  return { kind: 'answer', responseCode, reason, financial: options.financial ?? false, notSignedOn: options.notSignedOn ?? false };
}

/**
 * `signedOnInstitutionId`: the DE32 the connection signed on with, or null before sign-on. `enabledCurrencies`: the
 * currencies a request's DE49 may name (the switch's HISAAB_CURRENCIES), or null for any in the currency table.
 */
export function decideInbound(
  message: Iso8583Message,
  signedOnInstitutionId: string | null,
  enabledCurrencies: ReadonlySet<string> | null = null,
): InboundDecision {
  if (isResponseMti(message.mti)) return { kind: 'ignore', reason: 'unsolicited response' };
  const missing = missingMandatoryFields(message);
  if (missing.length > 0) return answer(responseCodes.formatError, `mandatory fields ${missing.join(', ')} missing`);
  if (message.mti === '0800') return decideNetworkManagement(message, signedOnInstitutionId);
  if (isFinancialMti(message.mti)) return decideFinancial(message, signedOnInstitutionId, enabledCurrencies);
  return answer(responseCodes.invalidTransaction, `message type ${message.mti} is not served here`);
}

function decideNetworkManagement(message: Iso8583Message, signedOnInstitutionId: string | null): InboundDecision {
  const code = message.fields[70];
  const institutionId = message.fields[32];
  if (code === networkManagementCodes.echo) return answer(responseCodes.approved, null);
  if (code !== networkManagementCodes.signOn && code !== networkManagementCodes.signOff)
    return answer(responseCodes.invalidTransaction, `network management code ${code ?? ''} is not served`);
  if (institutionId === undefined) return answer(responseCodes.formatError, 'sign-on and sign-off need DE32');
  // One institution per connection: the peer address was checked for the one that signed on.
  if (signedOnInstitutionId !== null && signedOnInstitutionId !== institutionId)
    return answer(responseCodes.doNotHonour, 'the connection is signed on for another institution');
  if (code === networkManagementCodes.signOff) return { kind: 'sign_off' };
  return { kind: 'sign_on', institutionId };
}

function decideFinancial(
  message: Iso8583Message,
  signedOnInstitutionId: string | null,
  enabledCurrencies: ReadonlySet<string> | null,
): InboundDecision {
  if (signedOnInstitutionId === null || signedOnInstitutionId !== message.fields[32]) {
    const reason = signedOnInstitutionId === null ? 'the connection has not signed on' : 'DE32 differs from the institution signed on';
    return answer(responseCodes.doNotHonour, reason, { financial: true, notSignedOn: true });
  }
  if (reversalMtis.has(message.mti)) {
    const parsed = parseReversalAdvice(message);
    return parsed.ok ? { kind: 'reversal_advice', advice: parsed.value } : answer(parsed.responseCode, parsed.reason, { financial: true });
  }
  const parsed = parseFinancialRequest(message, enabledCurrencies);
  if (!parsed.ok) return answer(parsed.responseCode, parsed.reason, { financial: true });
  return message.mti === '0200' ? { kind: 'transfer_request', request: parsed.value } : { kind: 'financial_advice', request: parsed.value };
}
