import { assert, assertNever } from '../assert';
import type { Decider } from '../eventstore/decider-stream';
import { DomainError } from '../errors';
import {
  parseSettlementWindowId,
  settlementWindowEventTypes,
  settlementWindowId,
  windowSequenceMax,
  type SettledPosition,
  type SettlementWindowEvent,
} from './settlement-window-events';

/**
 * Closed windows waiting for settlement at most. A close beyond it is refused: a thousand unsettled windows (six
 * weeks of hourly closes) means settlement has stopped, and an operator must look before more pile up.
 */
export const unsettledWindowsMax = 1000;

export type OpenWindow = { windowId: string; sequence: number; openedAt: string };

export type SettlementWindowsState = {
  /** Number of the last window opened; 0 before the first. */
  lastSequence: number;
  /** The one open window, or null before the first opens. */
  open: OpenWindow | null;
  /** Closed and not yet settled, oldest first. */
  unsettled: readonly { windowId: string; sequence: number }[];
  /** The most recent close, so that a retried request is recognised instead of closing the next window too. */
  lastClose: { closedWindowId: string; openedWindowId: string; requestReference: string | null } | null;
  lastSettlement: { windowId: string; requestReference: string | null } | null;
};

export type SettlementWindowCommand =
  | { type: 'OpenFirstWindow'; data: { currency: string }; now: Date }
  | { type: 'CloseWindow'; data: { currency: string; closedBy: string; requestReference: string | null }; now: Date }
  | {
      type: 'SettleWindow';
      data: { windowId: string; reference: string; positions: SettledPosition[]; requestReference: string | null };
      now: Date;
    };

export const initialState: SettlementWindowsState = { lastSequence: 0, open: null, unsettled: [], lastClose: null, lastSettlement: null };

export function evolve(state: SettlementWindowsState, event: SettlementWindowEvent): SettlementWindowsState {
  switch (event.type) {
    case 'SettlementWindowOpened': {
      const { windowId, sequence, openedAt } = event.data;
      return { ...state, lastSequence: sequence, open: { windowId, sequence, openedAt } };
    }
    case 'SettlementWindowClosed': {
      const closing = state.open;
      assert(closing !== null && closing.windowId === event.data.windowId, `window ${event.data.windowId} was open when it closed`);
      return {
        ...state,
        open: null,
        unsettled: [...state.unsettled, { windowId: closing.windowId, sequence: closing.sequence }],
        // The next window opens in the same append; its id is the next number.
        lastClose: {
          closedWindowId: closing.windowId,
          openedWindowId: settlementWindowId(event.data.currency, closing.sequence + 1),
          requestReference: event.data.requestReference,
        },
      };
    }
    case 'SettlementWindowSettled':
      return {
        ...state,
        unsettled: state.unsettled.filter((window) => window.windowId !== event.data.windowId),
        lastSettlement: { windowId: event.data.windowId, requestReference: event.data.requestReference },
      };
    default:
      return assertNever(event);
  }
}

export function decide(command: SettlementWindowCommand, state: SettlementWindowsState): SettlementWindowEvent[] {
  const at = command.now.toISOString();
  switch (command.type) {
    case 'OpenFirstWindow':
      // Every start of the switch asks; only the very first one opens anything.
      if (state.lastSequence > 0) return [];
      return [{ type: 'SettlementWindowOpened', data: { windowId: settlementWindowId(command.data.currency, 1), currency: command.data.currency, sequence: 1, openedAt: at } }];
    case 'CloseWindow':
      return decideClose(command.data, state, at);
    case 'SettleWindow':
      return decideSettle(command.data, state, at);
    default:
      return assertNever(command);
  }
}

function decideClose(
  data: Extract<SettlementWindowCommand, { type: 'CloseWindow' }>['data'],
  state: SettlementWindowsState,
  at: string,
): SettlementWindowEvent[] {
  if (data.requestReference !== null && state.lastClose?.requestReference === data.requestReference) return [];
  const open = state.open;
  if (open === null) throw new DomainError('NO_OPEN_WINDOW', `no settlement window is open for ${data.currency} yet`);
  if (state.unsettled.length >= unsettledWindowsMax) {
    throw new DomainError(
      'TOO_MANY_UNSETTLED_WINDOWS',
      `${state.unsettled.length} closed ${data.currency} windows are waiting for settlement; settle them before closing more`,
    );
  }
  const nextSequence = open.sequence + 1;
  if (nextSequence > windowSequenceMax) throw new DomainError('WINDOW_SEQUENCE_EXHAUSTED', `${data.currency} has used every window number`);
  return [
    {
      type: 'SettlementWindowClosed',
      data: { windowId: open.windowId, currency: data.currency, closedAt: at, closedBy: data.closedBy, requestReference: data.requestReference },
    },
    {
      type: 'SettlementWindowOpened',
      data: { windowId: settlementWindowId(data.currency, nextSequence), currency: data.currency, sequence: nextSequence, openedAt: at },
    },
  ];
}

function decideSettle(
  data: Extract<SettlementWindowCommand, { type: 'SettleWindow' }>['data'],
  state: SettlementWindowsState,
  at: string,
): SettlementWindowEvent[] {
  const parsed = parseSettlementWindowId(data.windowId);
  if (parsed === null || parsed.sequence > state.lastSequence) {
    throw new DomainError('WINDOW_NOT_FOUND', `there is no settlement window ${data.windowId}`);
  }
  if (state.open?.windowId === data.windowId) {
    throw new DomainError('WINDOW_NOT_CLOSED', `window ${data.windowId} is still open; close it before settling it`);
  }
  if (!state.unsettled.some((window) => window.windowId === data.windowId)) {
    const retried = state.lastSettlement?.windowId === data.windowId && data.requestReference !== null && state.lastSettlement.requestReference === data.requestReference;
    if (retried) return [];
    throw new DomainError('WINDOW_ALREADY_SETTLED', `window ${data.windowId} is settled already`);
  }
  checkPositions(data.positions);
  return [
    {
      type: 'SettlementWindowSettled',
      data: {
        windowId: data.windowId,
        currency: parsed.currency,
        reference: data.reference,
        settledAt: at,
        positions: data.positions,
        requestReference: data.requestReference,
      },
    },
  ];
}

/** Positions come from the switch's own report, never from a client: a bad one is a programmer error. */
function checkPositions(positions: readonly SettledPosition[]): void {
  const seen = new Set<string>();
  for (const position of positions) {
    assert(!seen.has(position.participant), `participant ${position.participant} is settled once per window`);
    seen.add(position.participant);
    assert(/^[1-9][0-9]*$/.test(position.amountMinor), `a settled amount is a positive whole number of minor units, got ${position.amountMinor}`);
  }
}

export const settlementWindowDecider: Decider<SettlementWindowCommand, SettlementWindowEvent, SettlementWindowsState> = {
  initialState,
  evolve,
  decide,
  eventTypes: settlementWindowEventTypes,
};
