import { DomainError } from '../errors';
import { handleStreamCommand, type CommandContext, type Decider } from '../eventstore/decider-stream';
import type { EventStore } from '../eventstore/event-store';
import type { Account } from './account';
import { aliasEventTypes, decide, evolve, initialState, type AliasCommand, type AliasEvent, type AliasState } from './alias';
import { aliasStreamName, type AliasKey, type AliasStreamNaming } from './alias-key';
import { parseIban } from './iban';

export const aliasDecider: Decider<AliasCommand, AliasEvent, AliasState> = { initialState, evolve, decide, eventTypes: aliasEventTypes };

/** The participant registering or removing an alias: the caller, as its key says. */
export type AliasOwner = { participantId: string; bankCode: string };

export type AliasRegistration = { alias: AliasKey; account: Account; holderName: string };

/** Registers (or updates) an alias for its owner. Returns the log position of the change, null if nothing changed. */
export async function registerAlias(
  store: EventStore,
  owner: AliasOwner,
  registration: AliasRegistration,
  context: CommandContext,
  naming: AliasStreamNaming = aliasStreamName,
): Promise<{ position: bigint | null }> {
  // An IBAN names its bank: a participant can only point its aliases at accounts it holds.
  if (registration.account.type === 'IBAN' && parseIban(registration.account.value).bankCode !== owner.bankCode) {
    throw new DomainError(
      'ACCOUNT_NOT_AT_PARTICIPANT',
      `the IBAN belongs to bank code ${parseIban(registration.account.value).bankCode}, not to this participant's ${owner.bankCode}`,
    );
  }
  const result = await handleStreamCommand(
    store,
    await aliasStreamOf(store, registration.alias, naming),
    aliasDecider,
    { type: 'RegisterAlias', data: { ...registration, participantId: owner.participantId }, now: context.now },
    context,
  );
  return { position: result.position };
}

export async function removeAlias(
  store: EventStore,
  participantId: string,
  alias: AliasKey,
  context: CommandContext,
  naming: AliasStreamNaming = aliasStreamName,
): Promise<{ position: bigint | null }> {
  const result = await handleStreamCommand(
    store,
    await aliasStreamOf(store, alias, naming),
    aliasDecider,
    { type: 'RemoveAlias', data: { alias, participantId }, now: context.now },
    context,
  );
  return { position: result.position };
}

/**
 * The stream of an alias under the switch's naming, unless the alias was registered before that naming (an older
 * log, where its stream is named by its value): then it keeps that stream, so that its owner and history still hold.
 */
export async function aliasStreamOf(store: EventStore, alias: AliasKey, naming: AliasStreamNaming): Promise<string> {
  const named = naming(alias);
  const byValue = aliasStreamName(alias);
  if (named === byValue) return named;
  const existing = await store.existingStreams([named, byValue]);
  return existing.has(byValue) && !existing.has(named) ? byValue : named;
}
