import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';

/**
 * Heap used as read just after the last full (mark-sweep-compact) collection: close to the live data, where heap
 * used sampled at random moments is a sawtooth between collections (a 60-minute soak at 638 payments/s sampled it
 * anywhere from 63 to 251 MiB). A leak raises this figure; allocation does not.
 *
 * One observer for the whole process, whatever number of switches it runs (tests run several): Node delivers gc
 * entries to an observer a moment after the collection, so the figure includes what was allocated in that moment.
 */
let lastMajorCollectionHeapUsedBytes: number | null = null;
let observer: PerformanceObserver | null = null;

/** A gc entry carries the collection's kind in `detail` (Node 16 and later); the typings do not say so. */
type GcEntry = PerformanceEntry & { detail?: { kind?: number } };

/** Starts watching full collections, once per process; later calls do nothing. */
export function watchMajorCollections(): void {
  if (observer !== null) return;
  observer = new PerformanceObserver((list) => {
    const sawMajor = list.getEntries().some((entry) => (entry as GcEntry).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR);
    if (sawMajor) lastMajorCollectionHeapUsedBytes = getHeapStatistics().used_heap_size;
  });
  observer.observe({ entryTypes: ['gc'] });
}

/** Heap used after the last full collection seen, or null when none has run since watching began. */
export function heapUsedAfterLastMajorCollectionBytes(): number | null {
  return lastMajorCollectionHeapUsedBytes;
}
