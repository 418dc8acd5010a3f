import type { SwitchConfig } from './config';

/** The listening ports of the switch, each with the variable that sets it and what it serves. */
const listeningPorts = [
  { variable: 'HISAAB_PORT', serves: 'the HTTP API', port: (config: SwitchConfig) => config.port },
  { variable: 'HISAAB_ISO8583_PORT', serves: 'the ISO 8583 channel for banks', port: (config: SwitchConfig) => config.iso8583Port },
] as const;

/**
 * When starting failed because a port is taken (or may not be bound), or HISAAB_HOST names no address of this
 * machine, the one line a person needs: which port,
 * which variable sets it, and what to do. Null for every other failure, which keeps its full report. A port of 0
 * in the configuration never collides (the system picks a free one), so the failed port names its variable;
 * when both variables name the same port, both are named, since either may be the one to change.
 */
export function portProblemMessage(error: unknown, config: SwitchConfig): string | null {
  // Checked by shape, not instanceof: errors made by Node's own code may come from another realm (jest's, a vm's).
  if (typeof error !== 'object' || error === null) return null;
  const failure = error as { code?: unknown; syscall?: unknown; port?: unknown; address?: unknown };
  // Listening on a host name resolves it first; a name the resolver does not know fails there, before any port.
  if (failure.syscall === 'getaddrinfo' && (failure.code === 'ENOTFOUND' || failure.code === 'EAI_AGAIN'))
    return `HISAAB_HOST ${JSON.stringify(config.host.slice(0, 80))} is not an address or host name of this machine; set HISAAB_HOST to one of its addresses (default 0.0.0.0, every interface; 127.0.0.1 this machine only)`;
  // A cluster worker's listen is done by the primary, whose error names the syscall 'bind'.
  if (
    (failure.syscall !== 'listen' && failure.syscall !== 'bind') ||
    (failure.code !== 'EADDRINUSE' && failure.code !== 'EACCES' && failure.code !== 'EADDRNOTAVAIL')
  )
    return null;
  const port = typeof failure.port === 'number' ? failure.port : null;
  const matching = listeningPorts.filter((entry) => port !== null && entry.port(config) === port);
  const named = matching.length > 0 ? matching : listeningPorts;
  const variables = named.map((entry) => entry.variable).join(' or ');
  const serves = named.map((entry) => entry.serves).join(' or ');
  const where = `port ${port ?? '?'} on ${typeof failure.address === 'string' ? failure.address : config.host} (${serves})`;
  if (failure.code === 'EADDRNOTAVAIL')
    return `${where} cannot be bound: no such address on this machine; set HISAAB_HOST to one of its addresses (default 0.0.0.0)`;
  if (failure.code === 'EACCES')
    return `${where} may not be bound by this user; set ${variables} to a port above 1023 (0 picks a free one)`;
  return `${where} is already in use; set ${variables} to a free port (0 picks one), or stop the program that holds it`;
}
