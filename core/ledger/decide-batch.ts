import { ChainUndo } from './chain-undo';
import type { LedgerCommand } from './commands';
import { decide } from './decide';
import { decideIntoRecord } from './decide-into-record';
import type { DecideContext } from './decision';
import type { LedgerEvent } from './events';
import { evolve } from './evolve';
import type { LedgerRecordEncoder } from './ledger-record-encoder';
import type { LedgerState } from './ledger-state';
import type { LedgerResultCode } from './result-codes';

/** Receives each event as it is applied, in order. */
export type EventSink = (event: LedgerEvent) => void;

/**
 * Where the decided facts go, in order: a callback taking each as an event (tests, tools), or the engine's record
 * encoder, into which a command outside a linked chain is written straight from its decision (decide-into-record.ts)
 * and anything else as its event.
 */
export type FactSink = EventSink | LedgerRecordEncoder;

function emitTo(sink: FactSink, event: LedgerEvent): void {
  if (typeof sink === 'function') sink(event);
  else sink.addFact(event);
}

/**
 * Decides one submit's commands in order, applying each accepted command's event to the state at once so that
 * later commands see it, and handing it to `sink`. A linked chain (commands with `linked: true` up to and
 * including the first without) is applied tentatively and undone if one of its commands is refused; the
 * refused one keeps its code and the others get `linked_event_failed`. `exists` does not fail a chain, so a
 * retried chain answers `exists` throughout. Returns one result per command.
 */
export function decideCommands(
  state: LedgerState,
  commands: readonly LedgerCommand[],
  context: DecideContext,
  sink: FactSink,
): LedgerResultCode[] {
  const results: LedgerResultCode[] = new Array<LedgerResultCode>(commands.length);
  let index = 0;
  while (index < commands.length) {
    const command = commands[index];
    if (!isLinked(command)) {
      results[index] = decideOne(state, command, context, sink, null);
      index += 1;
      continue;
    }
    let last = index;
    while (last < commands.length && isLinked(commands[last])) last += 1;
    if (last === commands.length) {
      // The chain never closes: nothing of it may be applied, and the last command says why.
      for (let open = index; open < commands.length; open += 1) results[open] = 'linked_event_failed';
      results[commands.length - 1] = 'linked_event_chain_open';
      return results;
    }
    decideChain(state, commands, index, last, context, sink, results);
    index = last + 1;
  }
  return results;
}

function isLinked(command: LedgerCommand | undefined): boolean {
  return command !== null && typeof command === 'object' && command.linked === true;
}

function decideChain(
  state: LedgerState,
  commands: readonly LedgerCommand[],
  first: number,
  last: number,
  context: DecideContext,
  sink: FactSink,
  results: LedgerResultCode[],
): void {
  const undo = new ChainUndo(state);
  const chainEvents: LedgerEvent[] = [];
  for (let index = first; index <= last; index += 1) {
    const result = decideOne(state, commands[index], context, (event) => chainEvents.push(event), undo);
    results[index] = result;
    if (result === 'ok' || result === 'exists') continue;
    undo.undo();
    for (let other = first; other <= last; other += 1) if (other !== index) results[other] = 'linked_event_failed';
    return;
  }
  // The chain holds: only now do its events leave for the append.
  for (const event of chainEvents) emitTo(sink, event);
}

function decideOne(
  state: LedgerState,
  command: LedgerCommand | undefined,
  context: DecideContext,
  sink: FactSink,
  undo: ChainUndo | null,
): LedgerResultCode {
  if (command === null || typeof command !== 'object') return 'invalid_code';
  if (undo === null && typeof sink !== 'function') {
    const result = decideIntoRecord(command, state, context, sink);
    if (result !== null) return result;
  }
  const decision = decide(command, state, context);
  if (decision.result !== 'ok') return decision.result;
  undo?.record(decision.event);
  evolve(state, decision.event);
  emitTo(sink, decision.event);
  return 'ok';
}
