import type { Iso8583Message } from './message';

/** DE70 network management information codes of the profile. */
export const networkManagementCodes = {
  signOn: '001',
  signOff: '002',
  echo: '301',
} as const;

export type NetworkManagementCode = (typeof networkManagementCodes)[keyof typeof networkManagementCodes];

export type NetworkManagementRequest = {
  readonly code: NetworkManagementCode;
  /** DE11 */
  readonly systemTraceAuditNumber: string;
  /** DE7 */
  readonly transmissionDateTime: string;
  /** DE32: required for sign-on and sign-off, so the other side knows which institution is speaking. */
  readonly institutionId?: string | undefined;
  /** DE41: part of the key that pairs the 0810 with this request. */
  readonly terminalId?: string | undefined;
};

export function buildNetworkManagementRequest(request: NetworkManagementRequest): Iso8583Message {
  const fields: Record<number, string> = {
    7: request.transmissionDateTime,
    11: request.systemTraceAuditNumber,
    70: request.code,
  };
  if (request.institutionId !== undefined) fields[32] = request.institutionId;
  if (request.terminalId !== undefined) fields[41] = request.terminalId;
  return { mti: '0800', fields };
}
