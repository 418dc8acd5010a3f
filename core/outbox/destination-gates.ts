import type { DueEntry } from './due-queue';

type Gate = { openAtMs: number; probing: boolean; parked: DueEntry[]; failuresInARow: number };

export type Admission = { decision: 'attempt' } | { decision: 'wait'; untilMs: number } | { decision: 'parked' };

/**
 * Keeps a receiver that is down from being hit by every delivery queued for it. After a destination-wide
 * failure (refused, timed out, 5xx) the destination is closed until the failed delivery's next attempt time;
 * then one delivery probes it while the others wait, and they all flow again once it answers. A receiver down
 * for a day costs one attempt (and one event) per backoff period, not one per queued delivery.
 */
export class DestinationGates {
  private readonly gates = new Map<string, Gate>();

  /** Whether a due delivery to `destination` may be attempted now. */
  admit(destination: string, entry: DueEntry, nowMs: number): Admission {
    const gate = this.gates.get(destination);
    if (gate === undefined) return { decision: 'attempt' };
    if (gate.probing) {
      gate.parked.push(entry);
      return { decision: 'parked' };
    }
    if (gate.openAtMs > nowMs) return { decision: 'wait', untilMs: gate.openAtMs };
    gate.probing = true;
    return { decision: 'attempt' };
  }

  /** Whether nothing holds deliveries to `destination` back: it has not failed since it last answered. */
  isOpen(destination: string): boolean {
    return !this.gates.has(destination);
  }

  /**
   * How many attempts to the destination have failed since it last answered. The backoff grows with this, not
   * only with the probing delivery's own attempts, since successive probes may be different deliveries.
   */
  failuresInARow(destination: string): number {
    return this.gates.get(destination)?.failuresInARow ?? 0;
  }

  /** The destination did not answer: close it until `retryAtMs`; returns the parked entries, due then. */
  failed(destination: string, retryAtMs: number): DueEntry[] {
    const gate = this.gates.get(destination);
    const parked = gate?.parked ?? [];
    const failuresInARow = (gate?.failuresInARow ?? 0) + 1;
    this.gates.set(destination, { openAtMs: Math.max(retryAtMs, gate?.openAtMs ?? 0), probing: false, parked: [], failuresInARow });
    return parked.map((entry) => ({ ...entry, dueAtMs: retryAtMs }));
  }

  /** The destination answered (whatever it said about this delivery): open it; returns the parked entries. */
  answered(destination: string): DueEntry[] {
    const gate = this.gates.get(destination);
    this.gates.delete(destination);
    return gate?.parked ?? [];
  }

  clear(): void {
    this.gates.clear();
  }
}
