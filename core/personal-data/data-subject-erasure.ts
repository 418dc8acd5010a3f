import type { Account } from '../directory/account';
import type { AliasKey, AliasStreamNaming } from '../directory/alias-key';
import type { AccountAliasReader } from '../directory/directory-reader';
import { aliasDecider, aliasStreamOf } from '../directory/directory-service';
import { handleStreamCommand, loadStream, type CommandContext } from '../eventstore/decider-stream';
import type { EventStore } from '../eventstore/event-store';
import { assertNever } from '../assert';
import { newId } from '../ids';
import type { DataSubject } from './data-subject';
import type { PersonalDataCipher } from './personal-data-cipher';

/**
 * The record of an erasure: which kind of subject, named by its reference (never its value), and what was done.
 * It sits in a stream of its own per subject, so that every erasure of one subject can be read back together.
 */
type DataSubjectErased = {
  type: 'DataSubjectErased';
  data: { subjectType: DataSubject['type']; subjectReference: string; keysDestroyed: number; aliasRemoved: boolean; erasedAt: string };
};

export function dataSubjectStreamName(subjectReference: string): string {
  return `data-subject-${subjectReference}`;
}

export type ErasureResult = { keysDestroyed: number; aliasRemoved: boolean; position: bigint };

export type ErasureDependencies = {
  store: EventStore;
  cipher: PersonalDataCipher;
  aliasStreams: AliasStreamNaming;
  /** The directory read model, caught up with the log: which aliases point at an erased IBAN or account number. */
  accountAliases: AccountAliasReader;
};

/** Aliases one erasure removes for an account: far more than any one account is given, and a bound on the work. */
const accountAliasesRemovedMax = 1_000;

/**
 * Erases a data subject (issue 15.4). In this order, so that a crash anywhere leaves a state that the same request,
 * repeated, finishes:
 * 1. a person's alias (MSISDN, CNIC) is removed from the directory, on behalf of the participant that holds it, and
 *    for an IBAN or account number every alias that points at it is: no alias resolves to the erased subject any
 *    more, and a rebuilt directory does not bring one back (the removals are events);
 * 2. the erasure is recorded (DataSubjectErased), durable before anything is destroyed;
 * 3. the subject's key is destroyed: every value sealed under it, in the log and in every read model, reads
 *    `[erased]` from then on.
 * A subject the switch never saw is erased too, with nothing to destroy: the answer is the same, and the record
 * says no key was destroyed.
 */
export async function eraseDataSubject(
  dependencies: ErasureDependencies,
  subject: DataSubject,
  context: CommandContext,
): Promise<ErasureResult> {
  const { store, cipher } = dependencies;
  const subjectReference = cipher.referenceOf(subject);
  const aliasRemoved = await removeAliasesOf(dependencies, subject, context);
  const keysHeld = cipher.hasKey(subjectReference) ? 1 : 0;
  const { now, ...metadata } = context;
  const erasedAt = now.toISOString();
  const erased: DataSubjectErased = {
    type: 'DataSubjectErased',
    data: { subjectType: subject.type, subjectReference, keysDestroyed: keysHeld, aliasRemoved, erasedAt },
  };
  const recorded = await store.append(
    dataSubjectStreamName(subjectReference),
    [{ id: newId(), ...erased, metadata: { ...metadata, at: erasedAt } }],
    'any',
  );
  const keysDestroyed = cipher.erase(subjectReference);
  return { keysDestroyed, aliasRemoved, position: recorded.position };
}

/** An in-bound payer (a person or business abroad) has no alias in the directory: only its key is destroyed. */
async function removeAliasesOf(dependencies: ErasureDependencies, subject: DataSubject, context: CommandContext): Promise<boolean> {
  switch (subject.type) {
    case 'MSISDN':
    case 'CNIC':
      return removeAliasOf(dependencies, { type: subject.type, value: subject.value }, context);
    case 'IBAN':
    case 'ACCOUNT':
      return removeAliasesOfAccount(dependencies, subject, context);
    case 'PAYER':
      return false;
    default:
      return assertNever(subject.type);
  }
}

async function removeAliasOf(dependencies: ErasureDependencies, alias: AliasKey, context: CommandContext): Promise<boolean> {
  return removeAliasIn(dependencies, await aliasStreamOf(dependencies.store, alias, dependencies.aliasStreams), alias, context);
}

/** An IBAN is an IBAN account; any other account number is a wallet's (core/personal-data/data-subject.ts). */
async function removeAliasesOfAccount(dependencies: ErasureDependencies, subject: DataSubject, context: CommandContext): Promise<boolean> {
  const account: Account = { type: subject.type === 'IBAN' ? 'IBAN' : 'WALLET', value: subject.value };
  const aliases = dependencies.accountAliases.aliasesOfAccount(account, accountAliasesRemovedMax);
  let removed = false;
  for (const { stream, alias } of aliases) removed = (await removeAliasIn(dependencies, stream, alias, context)) || removed;
  return removed;
}

async function removeAliasIn(
  dependencies: ErasureDependencies,
  stream: string,
  alias: AliasKey,
  context: CommandContext,
): Promise<boolean> {
  const loaded = await loadStream(dependencies.store, stream, aliasDecider);
  if (loaded.state.status !== 'owned') return false;
  const result = await handleStreamCommand(
    dependencies.store,
    stream,
    aliasDecider,
    { type: 'RemoveAlias', data: { alias, participantId: loaded.state.participantId }, now: context.now },
    context,
  );
  return result.events.length > 0;
}
