import { isIP } from 'node:net';
import { isIso8583Endpoints } from '../../core/participants/participant-profile';
import type { ParticipantRecord } from '../../core/participants/participant-reader';

/** Where the switch reaches one bank host over ISO 8583, and the DE32 that bank signs on with. */
export type BankEndpoint = {
  readonly participantId: string;
  readonly host: string;
  readonly port: number;
  /** The bank's DE32 (`endpoints.institutionId`). */
  readonly institutionId: string;
  /** The CA the bank host's certificate must chain to (`endpoints.tls.ca`); null: plain TCP. */
  readonly tlsCaPem: string | null;
};

/**
 * Splits `host:port` as the participant's `endpoints.iso8583` holds it: a hostname, an IPv4 address, or an IPv6
 * address in brackets (`[::1]:5000`). Null for anything else: the operator's registration is then unusable and
 * the bank is treated as unreachable rather than guessed at.
 */
export function parseHostPort(text: string): { host: string; port: number } | null {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):([0-9]{1,5})$/.exec(text.trim());
  if (match === null) return null;
  const host = match[1] ?? match[2] ?? '';
  const port = Number(match[3]);
  if (host === '' || !Number.isSafeInteger(port) || port < 1 || port > 65_535) return null;
  if (match[1] !== undefined && isIP(host) !== 6) return null;
  return { host, port };
}

/** The bank endpoint of a participant registered with `{"iso8583":"host:port","institutionId":"…"}`, or null. */
export function bankEndpointOf(participant: ParticipantRecord): BankEndpoint | null {
  if (!isIso8583Endpoints(participant.endpoints)) return null;
  const address = parseHostPort(participant.endpoints.iso8583);
  if (address === null) return null;
  return {
    participantId: participant.id,
    host: address.host,
    port: address.port,
    institutionId: participant.endpoints.institutionId,
    tlsCaPem: participant.endpoints.tls?.ca ?? null,
  };
}

/** Two endpoints reach the same host the same way: a changed one means the old channel must go. */
export function sameEndpoint(left: BankEndpoint, right: BankEndpoint): boolean {
  return (
    left.host === right.host && left.port === right.port && left.institutionId === right.institutionId && left.tlsCaPem === right.tlsCaPem
  );
}
