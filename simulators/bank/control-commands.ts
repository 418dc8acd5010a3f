import { isDomainError } from '../../core/errors';
import { formatAmount, parseAmount } from '../../core/money';
import type { BankHostSimulator } from './bank-host-simulator';

/**
 * Line commands a running simulator takes on stdin, so a demo or an operator can make the bank misbehave:
 *   decline on|off · delay <ms> · refuse on|off · drop · balance <account> · stats
 *   send <payer-account> <payee> <amount> [timeout-ms]
 * Each answers one JSON object.
 */
export type CommandReply = Record<string, unknown>;

const TRANSFER_TIMEOUT_MS_MAX = 120_000;

export async function runCommand(simulator: BankHostSimulator, line: string): Promise<CommandReply> {
  const words = line
    .trim()
    .split(/\s+/)
    .filter((word) => word.length > 0);
  const [command, first, second, third, fourth] = words;
  switch (command) {
    case undefined:
      return { ok: true };
    case 'decline':
    case 'refuse': {
      if (first !== 'on' && first !== 'off') return failure(`${command} takes on or off`);
      simulator.configure(command === 'decline' ? { decline: first === 'on' } : { refuseConnections: first === 'on' });
      return { ok: true, [command]: first === 'on' };
    }
    case 'delay': {
      const delayMs = wholeNumber(first, 120_000);
      if (delayMs === null) return failure('delay takes milliseconds from 0 to 120000');
      simulator.configure({ delayMs });
      return { ok: true, delayMs };
    }
    case 'drop':
      simulator.dropConnections();
      return { ok: true, dropped: true };
    case 'balance': {
      const balance = first === undefined ? null : simulator.accounts.balanceOf(first);
      if (balance === null) return failure('no such account');
      return { ok: true, account: first, balance: formatAmount(balance, 'PKR') };
    }
    case 'stats':
      return { ok: true, ...simulator.statistics() };
    case 'send':
      return send(simulator, first, second, third, fourth);
    default:
      return failure(`unknown command "${command.slice(0, 20)}"`);
  }
}

async function send(
  simulator: BankHostSimulator,
  payer: string | undefined,
  payee: string | undefined,
  amountText: string | undefined,
  timeoutText: string | undefined,
): Promise<CommandReply> {
  if (payer === undefined || payee === undefined || amountText === undefined)
    return failure('send takes <payer-account> <payee> <amount> [timeout-ms]');
  let amountMinor: bigint;
  try {
    amountMinor = parseAmount(amountText, 'PKR');
  } catch (error) {
    if (isDomainError(error)) return failure(error.message);
    throw error;
  }
  const timeoutMs = timeoutText === undefined ? 10_000 : wholeNumber(timeoutText, TRANSFER_TIMEOUT_MS_MAX);
  if (timeoutMs === null || timeoutMs === 0) return failure(`the timeout is 1 to ${TRANSFER_TIMEOUT_MS_MAX} ms`);
  const result = await simulator.sendTransfer({ payerAccount: payer, payee, amountMinor, timeoutMs });
  if (result.status === 'not_sent' || result.status === 'refused') return { ok: false, status: result.status, reason: result.reason };
  return {
    ok: result.status === 'approved',
    status: result.status,
    transferId: result.transferId,
    ...('responseCode' in result ? { responseCode: result.responseCode } : {}),
  };
}

function wholeNumber(text: string | undefined, maximum: number): number | null {
  if (text === undefined || !/^[0-9]{1,9}$/.test(text)) return null;
  const value = Number(text);
  return value <= maximum ? value : null;
}

function failure(error: string): CommandReply {
  return { ok: false, error };
}
