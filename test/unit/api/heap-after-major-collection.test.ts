import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createSwitchMetrics } from '../../../api/metrics';
import { heapUsedAfterLastMajorCollectionBytes } from '../../../api/heap-after-major-collection';

/** A full collection on demand: V8's gc function, exposed for this process and fetched from a fresh context. */
function collectFully(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
}

/** gc entries reach an observer a moment after the collection. */
async function entriesDelivered(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 50));
}

it('serves the heap used after the last full collection once one has run, and updates it at the next', async () => {
  const metrics = createSwitchMetrics();
  const retained: number[][] = [];
  // Two full collections before the baseline: the first after a busy test file can leave what weak references
  // and finalizers held (a CI run read 40 MB more at the first than at the next).
  collectFully();
  collectFully();
  await entriesDelivered();
  const first = heapUsedAfterLastMajorCollectionBytes();
  expect(first).not.toBeNull();
  expect(first).toBeGreaterThan(0);
  // Twenty million live numbers held across the next collection must show in the figure: 160 MB as doubles, and at
  // least 80 MB however V8 packs them (a loaded CI run counted ten million as 41 MB).
  retained.push(new Array<number>(20_000_000).fill(1.5));
  collectFully();
  await entriesDelivered();
  const second = heapUsedAfterLastMajorCollectionBytes() ?? 0;
  expect(second - (first ?? 0)).toBeGreaterThan(60 * 1024 * 1024);
  const text = await metrics.registry.metrics();
  const line = text.split('\n').find((each) => each.startsWith('hisaab_heap_used_after_major_gc_bytes '));
  expect(Number(line?.split(' ')[1])).toBe(second);
  expect(retained[0]?.length).toBe(20_000_000);
});
