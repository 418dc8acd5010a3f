import { performance } from 'node:perf_hooks';
import type { LedgerEngine } from '../core/ledger/ledger-engine';
import type { SwitchMetrics } from './metrics';

/**
 * The ledger engine as the rest of the switch uses it, with every submit timed from the call until its events
 * are durable: the commit latency a payment sees (docs/ARCHITECTURE.md section 4's group commit trades a little of it for
 * throughput). Batch sizes come from the engine's own tick hook.
 */
export function withCommitLatency(engine: LedgerEngine, metrics: SwitchMetrics): LedgerEngine {
  const labels = { ledger: engine.ledger };
  return {
    ledger: engine.ledger,
    start: () => engine.start(),
    // The companions must be passed on: a payment's own events ride in the ledger's write with them.
    async submit(commands, companions) {
      const startedMs = performance.now();
      try {
        return await engine.submit(commands, companions);
      } finally {
        metrics.ledgerCommitLatencySeconds.observe(labels, (performance.now() - startedMs) / 1000);
      }
    },
    lookupAccount: (accountId) => engine.lookupAccount(accountId),
    lookupTransfer: (transferId) => engine.lookupTransfer(transferId),
    expire: () => engine.expire(),
    stats: () => engine.stats(),
    stop: () => engine.stop(),
  };
}
