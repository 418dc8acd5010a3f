/**
 * The profile parser of `npm run profile:transfers` on a small profile written by hand in V8's format: which
 * category each frame's self time goes to, how native frames take their caller's, the sample window, and the
 * top functions. If this drifts, the README's table would point the work at the wrong place.
 */
import {
  breakdownOf,
  breakdownTable,
  categoryOfFrame,
  cpuProfileSchema,
  roleOfProfile,
  type CpuProfile,
} from '../../../load-tests/cpu-profile';

const root = '/repo';
type Frame = { functionName: string; url: string };

/** One node per frame under (root); `calls` hangs a child under a parent. Samples name frames; each lasts `deltaUs`. */
function profileOf(frames: Record<string, Frame>, calls: Record<string, string>, samples: readonly string[], deltaUs = 1_000): CpuProfile {
  const names = ['(root)', ...Object.keys(frames)];
  const idOf = (name: string): number => names.indexOf(name) + 1;
  const nodes = names.map((name) => {
    const frame = name === '(root)' ? { functionName: '(root)', url: '' } : (frames[name] as Frame);
    const children = names.filter((child) => child !== '(root)' && (calls[child] ?? '(root)') === name).map(idOf);
    return { id: idOf(name), callFrame: { ...frame, lineNumber: 9, columnNumber: 0, scriptId: '0' }, children };
  });
  const startTime = 1_000_000;
  return cpuProfileSchema.parse({
    nodes,
    startTime,
    endTime: startTime + (samples.length + 1) * deltaUs,
    samples: samples.map(idOf),
    timeDeltas: samples.map(() => deltaUs),
  });
}

const frames: Record<string, Frame> = {
  parser: { functionName: 'parserOnHeadersComplete', url: 'node:_http_common' },
  server: { functionName: 'connectionListener', url: 'node:_http_server' },
  zod: { functionName: 'safeParse', url: `file://${root}/node_modules/zod/v4/core/parse.js` },
  pino: { functionName: 'write', url: `file://${root}/node_modules/pino/lib/proto.js` },
  stringify: { functionName: 'stringify', url: '' },
  store: { functionName: 'append', url: `file://${root}/adapters/eventstore-sqlite/sqlite-event-store.ts` },
  statementRun: { functionName: 'run', url: '' },
  client: { functionName: 'signedPost', url: `file://${root}/adapters/wallet-http/signed-post.ts` },
  agent: { functionName: 'addRequest', url: 'node:_http_agent' },
  projection: { functionName: 'apply', url: `file://${root}/adapters/readmodel-sqlite/projections/transfers-projection.ts` },
  projectionRun: { functionName: 'run', url: '' },
  readModel: { functionName: 'findKey', url: `file://${root}/adapters/readmodel-sqlite/projections/keys-read-model.ts` },
  gc: { functionName: '(garbage collector)', url: '' },
  idle: { functionName: '(idle)', url: '' },
  router: { functionName: 'next', url: `file://${root}/node_modules/router/index.js` },
  service: { functionName: 'complete', url: `file://${root}/core/transfers/transfer-service.ts` },
  emit: { functionName: 'emit', url: 'node:events' },
  ticks: { functionName: 'processTicksAndRejections', url: 'node:internal/process/task_queues' },
};
const calls: Record<string, string> = {
  parser: 'server',
  statementRun: 'store',
  projectionRun: 'projection',
  emit: 'pino',
};

describe('the category of a frame', () => {
  it.each([
    ['parser', 'HTTP parsing (node:http, net)'],
    ['zod', 'validation (zod)'],
    ['pino', 'logging (pino)'],
    ['stringify', 'serialization (JSON)'],
    ['store', 'SQLite (better-sqlite3, our stores)'],
    ['client', 'payee call (HTTP client to the wallet)'],
    ['agent', 'payee call (HTTP client to the wallet)'],
    ['projection', 'projections'],
    // A read model's reader (a key looked up per request) is a SQLite read, not a projection's work.
    ['readModel', 'SQLite (better-sqlite3, our stores)'],
    ['gc', 'GC'],
    ['router', 'express routing and middleware'],
    ['service', "switch's own code (core/, api/, adapters/)"],
  ] as const)('%s is %s', (name, category) => {
    expect(categoryOfFrame({ ...(frames[name] as Frame), lineNumber: 0 })).toBe(category);
  });

  it("is its caller's for native code without a url and for Node's own modules other than HTTP's", () => {
    expect(categoryOfFrame({ functionName: 'run', url: '', lineNumber: 0 })).toBeNull();
    expect(categoryOfFrame({ functionName: 'emit', url: 'node:events', lineNumber: 0 })).toBeNull();
  });
});

describe('the breakdown of a profile', () => {
  const samples = [
    'parser',
    'parser',
    'zod',
    'pino',
    'emit',
    'stringify',
    'store',
    'statementRun',
    'statementRun',
    'statementRun',
    'client',
    'agent',
    'projection',
    'projectionRun',
    'gc',
    'idle',
    'idle',
    'router',
    'service',
    'ticks',
  ];
  const profile = profileOf(frames, calls, samples);

  it('charges each sample to its category, native frames to their caller, and leaves (idle) out', () => {
    const breakdown = breakdownOf([profile], undefined, root);
    const selfMs = Object.fromEntries(breakdown.categories.map((row) => [row.category, row.selfMs]));
    expect(selfMs).toEqual({
      'HTTP parsing (node:http, net)': 2,
      'validation (zod)': 1,
      'logging (pino)': 2,
      'serialization (JSON)': 1,
      'SQLite (better-sqlite3, our stores)': 4,
      'payee call (HTTP client to the wallet)': 2,
      projections: 2,
      GC: 1,
      'express routing and middleware': 1,
      "switch's own code (core/, api/, adapters/)": 1,
      'metrics (prom-client)': 0,
      'other (Node internals, V8, tsx)': 1,
    });
    expect(breakdown.busyMs).toBe(18);
    expect(breakdown.idleMs).toBe(2);
    expect(breakdown.categories[0]).toEqual({ category: 'SQLite (better-sqlite3, our stores)', selfMs: 4, share: 0.2222 });
    expect(breakdown.categories.reduce((sum, row) => sum + row.share, 0)).toBeCloseTo(1, 3);
  });

  it('lists the top functions by self time, named by repository path', () => {
    const top = breakdownOf([profile], undefined, root).topFunctions;
    expect(top[0]).toEqual({ functionName: 'run', location: '(native)', category: 'SQLite (better-sqlite3, our stores)', selfMs: 3 });
    expect(top.find((entry) => entry.functionName === 'next')?.location).toBe('node_modules/router/index.js:10');
    expect(top.find((entry) => entry.functionName === 'append')?.location).toBe('adapters/eventstore-sqlite/sqlite-event-store.ts');
    expect(top.length).toBeLessThanOrEqual(15);
  });

  it('counts only the samples inside the window, and sums several profiles (one per worker process)', () => {
    // Samples fall at startTime + 1 ms, + 2 ms, ...: the window [+1 ms, +3 ms) holds the two parser samples.
    const window = { fromMicroseconds: profile.startTime + 1_000, toMicroseconds: profile.startTime + 3_000 };
    const windowed = breakdownOf([profile, profile], window, root);
    expect(windowed.busyMs).toBe(4);
    expect(windowed.categories[0]).toEqual({ category: 'HTTP parsing (node:http, net)', selfMs: 4, share: 1 });
  });

  it('prints the table the README shows', () => {
    const table = breakdownTable(breakdownOf([profile], undefined, root));
    expect(table).toContain('| SQLite (better-sqlite3, our stores) | 4 | 22.2 % |');
    expect(table).toContain('| (idle, not counted) | 2 | |');
  });

  it('refuses a file that is not a V8 profile', () => {
    expect(() => cpuProfileSchema.parse({ nodes: [], samples: [] })).toThrow();
  });
});

describe('roleOfProfile', () => {
  const roleFrames: Record<string, Frame> = {
    moduleTop: { functionName: '', url: `file://${root}/core/ledger/single-writer-engine.ts` },
    helper: { functionName: '__toCommonJS', url: `file://${root}/core/ledger/single-writer-engine.ts` },
    tick: { functionName: 'runTick', url: `file://${root}/core/ledger/single-writer-engine.ts` },
    server: { functionName: 'connectionListener', url: 'node:_http_server' },
    loader: { functionName: 'load', url: 'node:internal/modules/esm/loader' },
  };

  it('tells the writer by the ledger engine it ran, a worker by the HTTP it served, and not by the modules it loaded', () => {
    expect(roleOfProfile(profileOf(roleFrames, { tick: 'server' }, ['tick', 'server']))).toBe('writer');
    // Every process imports the engine's module: its top level and the bundler's helpers say nothing.
    expect(roleOfProfile(profileOf(roleFrames, { helper: 'moduleTop' }, ['moduleTop', 'helper', 'server']))).toBe('front-end worker');
    expect(roleOfProfile(profileOf(roleFrames, {}, ['loader']))).toBe('other thread');
  });

  it('looks only at the samples inside the window', () => {
    const profile = profileOf(roleFrames, {}, ['tick', 'server', 'server']);
    expect(roleOfProfile(profile, { fromMicroseconds: 1_001_500, toMicroseconds: 1_010_000 })).toBe('front-end worker');
  });
});
