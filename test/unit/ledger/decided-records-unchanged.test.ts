import { createHash } from 'node:crypto';
import { canonicalState } from '../../../core/ledger/canonical-state';
import type { LedgerCommand, UserData } from '../../../core/ledger/commands';
import { decideExpiry } from '../../../core/ledger/decide';
import { decideCommands } from '../../../core/ledger/decide-batch';
import { evolve } from '../../../core/ledger/evolve';
import { LedgerRecordEncoder } from '../../../core/ledger/ledger-record-encoder';
import { initialState, type LedgerState } from '../../../core/ledger/ledger-state';

/**
 * The log is the truth, so a change to how the engine decides (issue 18 item 3 moved pending transfers into typed
 * columns and passes hash words signed) must not change one byte of what it writes. This mix was decided by the code
 * before that change (main at b9f2839): the SHA-256 of every record, every tick's results and the final canonical
 * state, one per line, hashed again, is the digest below. A change that alters the records fails here; a deliberate
 * format change must version the record (core/ledger/ledger-record.ts) and make a new fixture, not edit this digest.
 */
const digestBeforeItem3 = '862201dda06f30b1748332557f891c61147f46dc0ebcb764baa049dae9fd2b54';
const expiriesPerTickMax = 4;

/** A fixed pseudo-random sequence (a linear congruential generator), so the mix is the same on every run. */
function sequence(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

function decideTick(state: LedgerState, encoder: LedgerRecordEncoder, commands: LedgerCommand[], nowMs: number, lines: string[]): void {
  encoder.begin(state.eventCount);
  for (let expiry = 0; expiry < expiriesPerTickMax; expiry += 1) {
    const decision = decideExpiry(state, { nowMs });
    if (decision === null || decision.result !== 'ok') break;
    evolve(state, decision.event);
    encoder.addFact(decision.event);
  }
  const results = decideCommands(state, commands, { nowMs }, encoder);
  for (const bytes of encoder.finish()) lines.push(createHash('sha256').update(bytes).digest('hex'));
  lines.push(results.join(','));
}

/** One tick's 200 commands: transfers, reservations, whole and partial posts, voids, failing linked chains, repeats. */
function commandsOfTick(tick: number, random: () => number): LedgerCommand[] {
  const commands: LedgerCommand[] = [];
  for (let index = 0; index < 200; index += 1) {
    const debitAccountId = `a${Math.floor(random() * 50)}`;
    let creditAccountId = `a${Math.floor(random() * 50)}`;
    if (creditAccountId === debitAccountId) creditAccountId = debitAccountId === 'a0' ? 'a1' : 'a0';
    const amountMinor = random() < 0.1 ? 2n ** 40n + BigInt(Math.floor(random() * 1e9)) : BigInt(1 + Math.floor(random() * 100000));
    const kind = random();
    const id = `x${tick}-${index}`;
    const userData: UserData | undefined = random() < 0.2 ? { purpose: 'P2P', transferId: id } : undefined;
    const moving = { ledger: 'PKR', debitAccountId, creditAccountId, amountMinor } as const;
    if (kind < 0.4) commands.push({ type: 'transfer', id, ...moving, code: 'P2P', userData });
    else if (kind < 0.8) {
      commands.push({ type: 'pending_transfer', id, ...moving, code: 'FEE', timeoutMs: 1000 + Math.floor(random() * 5000), userData });
    } else if (tick > 0) commands.push(...resolutionsOf(`x${tick - 1}-${Math.floor(random() * 200)}`, id, index, moving, random));
    const last = commands[commands.length - 1];
    if (random() < 0.02 && last !== undefined) commands.push({ ...last });
  }
  return commands;
}

function resolutionsOf(
  pendingId: string,
  id: string,
  index: number,
  moving: { ledger: 'PKR'; debitAccountId: string; creditAccountId: string; amountMinor: bigint },
  random: () => number,
): LedgerCommand[] {
  const choice = random();
  if (choice < 0.5) return [{ type: 'post_pending', id: `${id}-p`, pendingId }];
  if (choice < 0.7) return [{ type: 'post_pending', id: `${id}-pp`, pendingId, amountMinor: 1n + BigInt(Math.floor(random() * 50)) }];
  if (choice < 0.85) return [{ type: 'void_pending', id: `${id}-v`, pendingId }];
  // A linked chain; every other one ends in a transfer too large for any account, so the whole chain fails.
  const chain: LedgerCommand[] = [
    { type: 'transfer', id: `${id}-l1`, ...moving, code: 'P2P', linked: true },
    { type: 'post_pending', id: `${id}-l2`, pendingId, linked: index % 2 === 0 },
  ];
  if (index % 2 === 0) chain.push({ type: 'transfer', id: `${id}-l3`, ...moving, amountMinor: 10n ** 14n, code: 'P2P' });
  return chain;
}

it('decides a 40-tick mix into the same record bytes, results and final state as the code before issue 18 item 3', () => {
  const state = initialState('PKR');
  const encoder = new LedgerRecordEncoder();
  const lines: string[] = [];
  let nowMs = Date.parse('2026-12-04T12:00:00.000Z');
  const accounts: LedgerCommand[] = Array.from({ length: 50 }, (_unused, index) => ({
    type: 'create_account',
    id: `a${index}`,
    ledger: 'PKR',
    code: 'POSITION',
    owner: `o${index}`,
    debitLimitMinor: index % 3 === 0 ? 10n ** 12n : null,
  }));
  decideTick(state, encoder, accounts, nowMs, lines);
  const random = sequence(7);
  for (let tick = 0; tick < 40; tick += 1) {
    decideTick(state, encoder, commandsOfTick(tick, random), nowMs, lines);
    nowMs += 700;
  }
  lines.push(createHash('sha256').update(canonicalState(state)).digest('hex'));
  // The mix reaches the outcomes it is there for, not only ok.
  const results = new Set(lines.filter((line) => line.includes(',')).flatMap((line) => line.split(',')));
  expect(results.size).toBeGreaterThanOrEqual(5);
  expect(createHash('sha256').update(lines.join('\n')).digest('hex')).toBe(digestBeforeItem3);
});
