import { EventStoreDBClient } from '@eventstore/db-client';
import { EsdbAdapterError } from './esdb-errors';

/** Longer than any real cluster's list of nodes and options; a guard against pasting the wrong thing. */
export const connectionStringLengthMax = 2048;

const schemes = ['esdb://', 'esdb+discover://'] as const;

/**
 * The options the client understands, compared as it compares them (case, '-' and '_' ignored). The client only
 * warns about others, printing the whole string, password included; refusing them keeps secrets out of logs.
 */
const knownOptions = [
  'userCertFile',
  'userKeyFile',
  'maxDiscoverAttempts',
  'connectionName',
  'defaultDeadline',
  'discoveryInterval',
  'gossipTimeout',
  'nodePreference',
  'tls',
  'tlsVerifyCert',
  'tlsCAFile',
  'throwOnAppendFailure',
  'keepAliveInterval',
  'keepAliveTimeout',
].map(flatCase);

/**
 * The connection string with any password replaced, for error messages and logs: `esdb://admin:***@host:2113`.
 */
export function redactConnectionString(connectionString: string): string {
  return connectionString.replace(/^([a-z+]+:\/\/[^:@/]+:)[^@]*@/i, '$1***@');
}

/**
 * A client for an `esdb://host:port[,host:port…][?options]` or `esdb+discover://` (DNS discovery) URL, as
 * EventStoreDB and KurrentDB document them. Naming several hosts connects to a cluster: the client discovers
 * the members by gossip and sends writes to the leader. TLS is on unless the URL says `tls=false`.
 *
 * The client connects lazily, so this only checks the string; a wrong host shows up on the first request.
 * Throws EsdbAdapterError INVALID_EVENTSTORE_URL, whose message never contains the password.
 */
export function createEsdbClient(connectionString: string): EventStoreDBClient {
  checkConnectionString(connectionString);
  try {
    return EventStoreDBClient.connectionString(connectionString.trim());
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new EsdbAdapterError(
      'INVALID_EVENTSTORE_URL',
      `the EventStoreDB connection string ${redactConnectionString(connectionString)} is not valid: ${redactSecrets(reason, connectionString)}`,
    );
  }
}

/** The checks that need no client: a string, of sane length, with an EventStoreDB scheme. */
export function checkConnectionString(connectionString: string): void {
  if (typeof connectionString !== 'string' || connectionString.trim().length === 0) {
    throw new EsdbAdapterError('INVALID_EVENTSTORE_URL', 'the EventStoreDB connection string is empty; expected esdb://host:2113');
  }
  if (connectionString.length > connectionStringLengthMax) {
    throw new EsdbAdapterError(
      'INVALID_EVENTSTORE_URL',
      `the EventStoreDB connection string has more than ${connectionStringLengthMax} characters`,
    );
  }
  const trimmed = connectionString.trim();
  if (!schemes.some((scheme) => trimmed.startsWith(scheme))) {
    throw new EsdbAdapterError(
      'INVALID_EVENTSTORE_URL',
      `${redactConnectionString(trimmed)} is not an EventStoreDB connection string: it must start with esdb:// ` +
        '(for example esdb://host1:2113,host2:2113,host3:2113?tls=true) or esdb+discover://',
    );
  }
  checkOptions(trimmed);
}

function checkOptions(connectionString: string): void {
  const queryStart = connectionString.indexOf('?');
  if (queryStart < 0) return;
  for (const pair of connectionString.slice(queryStart + 1).split('&')) {
    const [key = '', value = ''] = pair.split('=');
    const option = flatCase(key);
    if (!knownOptions.includes(option)) {
      throw new EsdbAdapterError('INVALID_EVENTSTORE_URL', `the EventStoreDB connection string has an unknown option "${key}"`);
    }
    // The client ignores tlsVerifyCert=false (with a warning); a CA file is how to trust a private certificate.
    if (option === flatCase('tlsVerifyCert') && value.trim() === 'false') {
      throw new EsdbAdapterError(
        'INVALID_EVENTSTORE_URL',
        "tlsVerifyCert=false is not supported; give the cluster's CA with tlsCAFile=/path/ca.crt",
      );
    }
    // With it off, a conflict would come back as a "success: false" result instead of the typed error the port promises.
    if (option === flatCase('throwOnAppendFailure') && value.trim() === 'false') {
      throw new EsdbAdapterError(
        'INVALID_EVENTSTORE_URL',
        'throwOnAppendFailure=false is not supported: Hisaab relies on conflicts being raised',
      );
    }
  }
}

function flatCase(key: string): string {
  return key.trim().toLowerCase().replace(/[_-]/g, '');
}

/** The client's parse errors quote the part of the string they stopped at, which may be the password. */
function redactSecrets(message: string, connectionString: string): string {
  const password = /^[a-z+]+:\/\/[^:@/]+:([^@]*)@/i.exec(connectionString.trim())?.[1];
  if (password === undefined || password.length === 0) return message;
  return message.split(password).join('***');
}
