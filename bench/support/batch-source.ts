import type { LedgerCommand } from '../../core/ledger/commands';

/**
 * A ledger bench's batches, made one at a time as its submitters take them (each the steps of one batch: a single
 * submit, or a reserve submit then a post submit), undefined when there are no more. Made on demand instead of all
 * before the clock starts: a round's million commands held at once were most of the run's garbage collection, which
 * the ledger's own figure should not carry, while making 8,190 commands costs about a millisecond per batch.
 */
export type BatchSource = { next(): LedgerCommand[][] | undefined };
