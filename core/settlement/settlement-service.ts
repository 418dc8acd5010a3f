import { assert } from '../assert';
import { handleStreamCommand, loadStream, type CommandContext, type StreamCommandResult } from '../eventstore/decider-stream';
import type { EventStore } from '../eventstore/event-store';
import { DomainError } from '../errors';
import type { LedgerCommand } from '../ledger/commands';
import type { LedgerEngine } from '../ledger/ledger-engine';
import { batchCommandsMax } from '../ledger/ledger-limits';
import type { LedgerResultCode } from '../ledger/result-codes';
import { currency as currencyOf, type CurrencyCode } from '../money';
import { hubSettlementAccountId, settledPositions, settlementChangeMinor, settlementPostingCommand } from './settlement-postings';
import type { SettlementReader } from './settlement-reader';
import {
  closeOfRequest,
  settlementWindowDecider,
  type SettlementWindowCommand,
  type SettlementWindowsState,
} from './settlement-window-decider';
import {
  requireSettlementWindowId,
  settlementStreamName,
  type SettledPosition,
  type SettlementWindowEvent,
} from './settlement-window-events';

/** Ledger commands per submit at most (the engine's batch limit); more participants are posted in several submits. */
export const settlementPostingsPerSubmitMax = batchCommandsMax;

export type SettlementServiceOptions = {
  store: EventStore;
  /** The ledger engine of a currency, or undefined when the switch does not carry it. */
  ledgers: (currency: string) => LedgerEngine | undefined;
  reader: SettlementReader;
  /** Resolves once the read models have applied the log up to `position`; rejects (bounded) otherwise. */
  waitForReadModel: (position: bigint) => Promise<void>;
};

export type CloseRequest = {
  currency: string;
  /** `operator` or `schedule`: recorded on the close. */
  closedBy: string;
  /** Identifies the client request (operator + Idempotency-Key), so that its retry closes nothing more. */
  requestReference: string | null;
};

export type CloseResult = { closedWindowId: string; openedWindowId: string; position: bigint | null };

export type SettleRequest = { windowId: string; reference: string; requestReference: string | null };

export type SettleResult = { windowId: string; positions: SettledPosition[]; position: bigint | null };

/**
 * Runs a currency's settlement windows (docs/ARCHITECTURE.md section 8): opens the first, closes the open one and opens the
 * next in one append, and settles closed windows by posting each participant's window obligation off its position.
 */
export class SettlementService {
  private readonly options: SettlementServiceOptions;

  constructor(options: SettlementServiceOptions) {
    this.options = options;
  }

  /** Opens the currency's first window if it has none: called at start-up, so a window is open before any payment. */
  async openFirstWindow(currencyCode: string, context: CommandContext): Promise<bigint | null> {
    const code = this.carriedCurrency(currencyCode);
    const result = await this.apply(code, { type: 'OpenFirstWindow', data: { currency: code }, now: context.now }, context);
    return result.position;
  }

  /** Closes the open window and opens the next, in ONE append: there is never a moment with none open. */
  async closeWindow(request: CloseRequest, context: CommandContext): Promise<CloseResult> {
    const code = this.carriedCurrency(request.currency);
    const command: SettlementWindowCommand = {
      type: 'CloseWindow',
      data: { currency: code, closedBy: request.closedBy, requestReference: request.requestReference },
      now: context.now,
    };
    let result: StreamCommandResult<SettlementWindowEvent, SettlementWindowsState>;
    try {
      result = await this.apply(code, command, context);
    } catch (error) {
      // First use before the start-up opened one (a switch that never started with this currency): open it, then close.
      if (!(error instanceof DomainError) || error.code !== 'NO_OPEN_WINDOW') throw error;
      await this.openFirstWindow(code, context);
      result = await this.apply(code, command, context);
    }
    // A retried request is answered with what it closed then, whatever closed since; a new close is the last one.
    const close = result.events.length === 0 ? closeOfRequest(result.state, request.requestReference, context.now) : result.state.lastClose;
    assert(close !== null, 'a close leaves a record of what it closed');
    return { closedWindowId: close.closedWindowId, openedWindowId: close.openedWindowId, position: result.position };
  }

  /**
   * Records the RTGS confirmation of a closed window and posts its settlement transfers.
   *
   * Order, and why it is crash-safe: the ledger transfers are posted FIRST, with ids derived from the window and the
   * participant, and WindowSettled is appended after them. A crash between the two leaves the window CLOSED with its
   * postings booked; the operator's retry finds it still CLOSED and posts again. Nothing moves twice, for two
   * reasons: the ledger answers `exists` for an id it has seen, and, for a retry long after (once the ledger's
   * idempotency memory has moved on), the settlement read model records every SETTLEMENT posting it saw in the log,
   * so postings already booked are skipped before anything is submitted. The amounts are the same on every attempt
   * because a closed window's report never changes. Appending first instead would show a window SETTLED whose
   * positions were never reset, with nothing left to say that posting is owed.
   */
  async settleWindow(request: SettleRequest, context: CommandContext): Promise<SettleResult> {
    const { currency: code } = requireSettlementWindowId(request.windowId);
    // A switch that carries no ledger for the currency has no window of it: the id names nothing, as a report says.
    const ledger = this.options.ledgers(code);
    if (ledger === undefined) throw new DomainError('WINDOW_NOT_FOUND', `there is no settlement window ${request.windowId}`);
    const stream = settlementStreamName(code);
    // Refuse what cannot be settled (unknown, still open, settled already) before touching the ledger.
    const loaded = await loadStream(this.options.store, stream, settlementWindowDecider);
    const early = settlementWindowDecider.decide(this.settleCommand(request, [], context), loaded.state);
    if (early.length === 0) return { windowId: request.windowId, positions: [], position: null };

    // The read model must hold everything up to the close before the obligations are read from it.
    await this.options.waitForReadModel(await this.options.store.headPosition());
    const positions = this.windowPositions(request.windowId);
    await this.post(ledger, request.windowId, positions);
    const result = await this.apply(code, this.settleCommand(request, positions, context), context);
    return { windowId: request.windowId, positions, position: result.position };
  }

  private windowPositions(windowId: string): SettledPosition[] {
    const window = this.options.reader.findWindow(windowId);
    assert(
      window !== null && window.state !== 'OPEN',
      `the settlement read model shows window ${windowId} closed once it has caught up with its close`,
    );
    const lines = this.options.reader.windowLines(windowId);
    let paymentsNetMinor = 0n;
    for (const line of lines) paymentsNetMinor += line.receivedMinor - line.sentMinor;
    // Every payment is between two participants of the same window, so what was received equals what was sent.
    assert(paymentsNetMinor === 0n, `the payments of window ${windowId} net to zero across participants`);
    return settledPositions(lines);
  }

  private async post(ledger: LedgerEngine, windowId: string, positions: readonly SettledPosition[]): Promise<void> {
    const booked = new Map(this.options.reader.postingsOf(windowId).map((posting) => [posting.participant, posting]));
    const commands: LedgerCommand[] = [];
    for (const position of positions) {
      const earlier = booked.get(position.participant);
      if (earlier !== undefined) {
        assert(
          earlier.changeMinor === settlementChangeMinor(position),
          `the booked settlement of ${position.participant} in ${windowId} is the amount settled now`,
        );
        continue;
      }
      commands.push(settlementPostingCommand(ledger.ledger, windowId, position));
    }
    if (commands.length === 0) return;
    await this.submit(
      ledger,
      [{ type: 'create_account', id: hubSettlementAccountId, ledger: ledger.ledger, code: 'HUB_SETTLEMENT', owner: 'hub' }],
      windowId,
    );
    for (let start = 0; start < commands.length; start += settlementPostingsPerSubmitMax) {
      const chunk = commands.slice(start, start + settlementPostingsPerSubmitMax);
      // Linked: a chunk is booked whole or not at all, so a failure never leaves half a chunk to reason about.
      await this.submit(
        ledger,
        chunk.map((command, index) => ({ ...command, linked: index < chunk.length - 1 })),
        windowId,
      );
    }
  }

  private async submit(ledger: LedgerEngine, commands: LedgerCommand[], windowId: string): Promise<void> {
    const { results } = await ledger.submit(commands);
    assert(results.length === commands.length, 'the ledger answers every command');
    for (const [index, result] of results.entries()) {
      if (isBooked(result)) continue;
      if (result === 'overloaded')
        throw new DomainError('OVERLOADED', `the ledger is busy; settling ${windowId} posted nothing more, retry shortly`);
      // SETTLEMENT is exempt from limits and the accounts exist: any other answer is a bug, not an operating error.
      assert(false, `the ledger refused settlement command ${index} of ${windowId}: ${result}`);
    }
  }

  private settleCommand(request: SettleRequest, positions: SettledPosition[], context: CommandContext): SettlementWindowCommand {
    return {
      type: 'SettleWindow',
      data: { windowId: request.windowId, reference: request.reference, positions, requestReference: request.requestReference },
      now: context.now,
    };
  }

  private apply(
    code: CurrencyCode,
    command: SettlementWindowCommand,
    context: CommandContext,
  ): Promise<StreamCommandResult<SettlementWindowEvent, SettlementWindowsState>> {
    return handleStreamCommand(this.options.store, settlementStreamName(code), settlementWindowDecider, command, context);
  }

  private carriedCurrency(currencyCode: string): CurrencyCode {
    const code = currencyOf(currencyCode).code as CurrencyCode;
    this.ledgerOf(code);
    return code;
  }

  private ledgerOf(code: string): LedgerEngine {
    const ledger = this.options.ledgers(code);
    if (ledger === undefined) throw new DomainError('CURRENCY_NOT_SUPPORTED', `the switch does not carry ${code}`);
    return ledger;
  }
}

function isBooked(result: LedgerResultCode): boolean {
  return result === 'ok' || result === 'exists';
}
