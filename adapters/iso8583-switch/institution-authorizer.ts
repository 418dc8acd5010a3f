import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { assert } from '../../core/assert';
import type { ClientCertificateReader } from '../../core/participants/client-certificate';
import type { ParticipantReader, ParticipantRecord } from '../../core/participants/participant-reader';
import { participantPageLimitMax } from '../../core/participants/participant-reader';
import type { InstitutionAuthorizer, SignOnGrant } from '../iso8583/inbound-financial-handler';
import { silentLogger, type Iso8583Logger } from '../iso8583/logger';
import { bankEndpointOf, type BankEndpoint } from './bank-endpoint';

/** Resolves a hostname to its addresses (node:dns by default; injected in tests that need no resolver). */
export type HostResolver = (hostname: string) => Promise<readonly string[]>;

export type InstitutionAuthorizerOptions = {
  participants: ParticipantReader;
  resolveHost?: HostResolver;
  /** A name that does not resolve within this is a refusal. Default 2 s. */
  resolveTimeoutMs?: number;
  /** Participants scanned per sign-on at most: pages of the participant list. Default 20 000. */
  participantsScannedMax?: number;
  logger?: Iso8583Logger;
  /**
   * Mutual TLS (HISAAB_TLS_CLIENT_CA): the bank's connection must present a certificate bound to that bank. Absent:
   * the institution id and the peer's host alone decide.
   */
  clientCertificates?: ClientCertificateReader;
};

const defaultResolveTimeoutMs = 2_000;
const defaultParticipantsScannedMax = 20_000;

/**
 * Who may sign on to the switch's ISO 8583 port (issue 5): an active BANK participant whose endpoints'
 * `institutionId` equals the DE32 signed on with, connecting from its registered host.
 *
 * The host is `endpoints.iso8583`'s host part. A literal IP address must equal the peer's address (IPv4-mapped
 * IPv6 written as IPv4). A hostname is resolved at sign-on, every address it has, and the peer's must be one
 * of them: a bank host that dials out from the machine it listens on passes, a stranger presenting the bank's
 * DE32 from elsewhere does not, and a name that does not resolve refuses the sign-on (05) rather than letting
 * anyone in. Sign-ons are rare (once per connection), so the participant list is scanned, page by page, each
 * time: a bank onboarded, changed or deactivated a moment ago is judged by its current record. With mutual TLS,
 * the connection's verified client certificate must also be bound to the bank (else 05, as for a stranger).
 */
export function bankInstitutionAuthorizer(options: InstitutionAuthorizerOptions): InstitutionAuthorizer {
  const resolveHost = options.resolveHost ?? resolveWithDns;
  const resolveTimeoutMs = options.resolveTimeoutMs ?? defaultResolveTimeoutMs;
  const scannedMax = options.participantsScannedMax ?? defaultParticipantsScannedMax;
  assert(Number.isSafeInteger(resolveTimeoutMs) && resolveTimeoutMs >= 1, 'a resolve timeout is a positive whole number of milliseconds');
  assert(Number.isSafeInteger(scannedMax) && scannedMax >= 1, 'participantsScannedMax is a positive whole number');
  const logger = options.logger ?? silentLogger();
  const certificates = options.clientCertificates;
  return async (peerAddress, institutionId, clientFingerprint256) => {
    const candidates = banksWithInstitution(options.participants, institutionId, scannedMax);
    const matching: BankEndpoint[] = [];
    for (const endpoint of candidates) {
      if (
        certificates !== undefined &&
        (clientFingerprint256 === null || !certificates.isBound(endpoint.participantId, clientFingerprint256))
      ) {
        logger.warn(
          { institutionId, participantId: endpoint.participantId, clientFingerprint256 },
          'iso8583 sign-on: the client certificate is not bound to this bank',
        );
        continue;
      }
      if (await hostMatches(endpoint.host, peerAddress, resolveHost, resolveTimeoutMs, logger)) matching.push(endpoint);
    }
    const [only, ...others] = matching;
    if (only !== undefined && others.length === 0) return grantOn(options.participants, only);
    if (only !== undefined)
      logger.error(
        { institutionId, participants: matching.map((endpoint) => endpoint.participantId) },
        'iso8583 sign-on refused: several active banks share this DE32 and host',
      );
    return null;
  };
}

/**
 * The sign-on of the bank at `judged`, holding while the bank is registered with the same host and institution id
 * it was judged on. The operator may change either (PATCH /v1/participants/{id}): a host the bank moved away from
 * no longer speaks for it, and must sign on again. Read from the participants for each message: the cached record
 * on the writer, one indexed read on a front-end worker.
 */
function grantOn(participants: ParticipantReader, judged: BankEndpoint): SignOnGrant {
  return {
    participantId: judged.participantId,
    stillHolds: () => {
      const current = participants.findParticipant(judged.participantId);
      const endpoint = current === null ? null : bankEndpointOf(current);
      return endpoint !== null && endpoint.host === judged.host && endpoint.institutionId === judged.institutionId;
    },
  };
}

function banksWithInstitution(participants: ParticipantReader, institutionId: string, scannedMax: number): BankEndpoint[] {
  const found: BankEndpoint[] = [];
  let afterId: string | null = null;
  for (let scanned = 0; scanned < scannedMax;) {
    const page: ParticipantRecord[] = participants.listParticipants(afterId, Math.min(participantPageLimitMax, scannedMax - scanned));
    for (const participant of page) {
      if (participant.type !== 'BANK' || !participant.active) continue;
      const endpoint = bankEndpointOf(participant);
      if (endpoint !== null && endpoint.institutionId === institutionId) found.push(endpoint);
    }
    scanned += page.length;
    const last = page[page.length - 1];
    if (last === undefined || page.length < participantPageLimitMax) break;
    afterId = last.id;
  }
  return found;
}

async function hostMatches(
  host: string,
  peerAddress: string,
  resolveHost: HostResolver,
  timeoutMs: number,
  logger: Iso8583Logger,
): Promise<boolean> {
  const peer = normalizeIp(peerAddress);
  if (isIP(host) !== 0) return normalizeIp(host) === peer;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), timeoutMs);
  });
  try {
    const addresses = await Promise.race([resolveHost(host), timeout]);
    if (addresses === null) {
      logger.warn({ host, timeoutMs }, 'iso8583 sign-on: the bank host name did not resolve in time');
      return false;
    }
    return addresses.some((address) => normalizeIp(address) === peer);
  } catch (error) {
    logger.warn({ host, err: (error as Error).message }, 'iso8583 sign-on: the bank host name does not resolve');
    return false;
  } finally {
    clearTimeout(timer);
  }
}

async function resolveWithDns(hostname: string): Promise<readonly string[]> {
  const answers = await lookup(hostname, { all: true, verbatim: true });
  return answers.map((answer) => answer.address);
}

function normalizeIp(address: string): string {
  const lower = address.toLowerCase();
  return lower.startsWith('::ffff:') && isIP(lower.slice(7)) === 4 ? lower.slice(7) : lower;
}
