import { z } from 'zod';

/**
 * Where a `.cpuprofile` (node --cpu-prof) says the time goes: self time per category and the top functions. The
 * categories answer the question (HTTP parsing, validation, logging, serialization, SQLite, the payee
 * call, projections, GC), so that the work on throughput is chosen from the profile, not from guesses.
 */

const callFrameSchema = z.object({
  functionName: z.string(),
  url: z.string(),
  lineNumber: z.number().int(),
  columnNumber: z.number().int().optional(),
});

/** The parts of V8's profile format this reads; the rest (scriptId, positionTicks, hitCount...) is let through. */
export const cpuProfileSchema = z.object({
  nodes: z
    .array(z.object({ id: z.number().int(), callFrame: callFrameSchema, children: z.array(z.number().int()).optional() }))
    .min(1, 'a profile has at least its root node'),
  startTime: z.number(),
  endTime: z.number(),
  samples: z.array(z.number().int()),
  timeDeltas: z.array(z.number()),
});

export type CpuProfile = z.infer<typeof cpuProfileSchema>;
type CallFrame = z.infer<typeof callFrameSchema>;

export const profileCategories = [
  'HTTP parsing (node:http, net)',
  'express routing and middleware',
  'validation (zod)',
  'logging (pino)',
  'serialization (JSON)',
  'SQLite (better-sqlite3, our stores)',
  'payee call (HTTP client to the wallet)',
  'projections',
  'metrics (prom-client)',
  "switch's own code (core/, api/, adapters/)",
  'GC',
  'other (Node internals, V8, tsx)',
] as const;

export type ProfileCategory = (typeof profileCategories)[number];

/** V8's pseudo-frames: no code of anyone's, named in parentheses. */
const idleFrame = '(idle)';
const garbageCollectorFrame = '(garbage collector)';

/**
 * First match wins, so the more specific comes first: the projections' SQLite adapters are projections, the
 * payee client's node:http is the payee call. Paths are matched anywhere in the url (file:// URLs, absolute paths).
 */
const urlRules: readonly { category: ProfileCategory; pattern: RegExp }[] = [
  { category: 'validation (zod)', pattern: /\/node_modules\/zod\/|\/api\/validation\.ts|\/api\/schemas\// },
  {
    category: 'logging (pino)',
    pattern:
      /\/node_modules\/(pino|pino-std-serializers|sonic-boom|thread-stream|fast-redact|quick-format-unescaped|on-exit-leak-free|atomic-sleep|safe-stable-stringify)\/|\/api\/logger\.ts|\/api\/log-masking\.ts/,
  },
  {
    category: 'payee call (HTTP client to the wallet)',
    pattern: /\/adapters\/wallet-http\/|\/adapters\/payee-routing\.ts|^node:_http_(client|agent)$|undici/,
  },
  // The readers beside the projections (a key or a participant looked up per request) are SQLite reads.
  { category: 'SQLite (better-sqlite3, our stores)', pattern: /\/adapters\/readmodel-sqlite\/projections\/[^/]*-read-model\.ts/ },
  {
    category: 'projections',
    pattern:
      /\/core\/eventstore\/projection-|\/adapters\/readmodel-sqlite\/projections\/|\/adapters\/eventstore-sqlite\/polling-subscription\.ts/,
  },
  {
    category: 'SQLite (better-sqlite3, our stores)',
    pattern:
      /\/node_modules\/better-sqlite3\/|\/adapters\/eventstore-sqlite\/|\/adapters\/readmodel-sqlite\/|\/api\/sqlite-idempotency-store\.ts/,
  },
  { category: 'serialization (JSON)', pattern: /\/api\/views\/|\/core\/transfers\/transfer-view\.ts/ },
  {
    category: 'metrics (prom-client)',
    pattern: /\/node_modules\/(prom-client|tdigest|bintrees)\/|\/api\/metrics\.ts|\/api\/ledger-metrics\.ts/,
  },
  {
    category: 'express routing and middleware',
    pattern:
      /\/node_modules\/(express|router|body-parser|raw-body|on-finished|finalhandler|send|content-type|type-is|qs|iconv-lite|mime-types|mime-db|accepts|negotiator|statuses|depd|encodeurl|escape-html|proxy-addr|forwarded|cookie|cookie-signature|etag|fresh|parseurl|path-to-regexp|vary|media-typer|range-parser|http-errors|content-disposition|merge-descriptors|side-channel|call-bound|get-intrinsic)\//,
  },
  {
    category: 'HTTP parsing (node:http, net)',
    pattern: /^node:(_http_\w+|http|net|internal\/http|internal\/stream_base_commons|internal\/streams\/\w+|stream)$/,
  },
  { category: "switch's own code (core/, api/, adapters/)", pattern: /^(?!.*\/node_modules\/).*\/(core|api|adapters)\/[^/]+/ },
];

/**
 * The category of a frame by its own url or name, or null when the frame is its caller's: native code without a
 * url, and Node's own modules other than HTTP's (node:events, node:fs, node:crypto... do what their caller asks).
 */
export function categoryOfFrame(frame: CallFrame): ProfileCategory | null {
  if (frame.functionName === garbageCollectorFrame) return 'GC';
  if (frame.url === '') {
    // JSON.stringify and JSON.parse are V8 builtins with no url: their names are all there is.
    if (frame.functionName === 'stringify' || frame.functionName === 'parse') return 'serialization (JSON)';
    if (frame.functionName.startsWith('(')) return 'other (Node internals, V8, tsx)';
    return null;
  }
  for (const rule of urlRules) if (rule.pattern.test(frame.url)) return rule.category;
  return frame.url.startsWith('node:') ? null : 'other (Node internals, V8, tsx)';
}

export type FunctionTime = { functionName: string; location: string; category: ProfileCategory; selfMs: number };

export type ProfileBreakdown = {
  /** Self time of every sample in the window but (idle), in ms. */
  busyMs: number;
  idleMs: number;
  categories: { category: ProfileCategory; selfMs: number; share: number }[];
  topFunctions: FunctionTime[];
};

/** Microseconds on V8's monotonic clock (the same as process.hrtime's, divided by 1,000): only samples inside count. */
export type SampleWindow = { fromMicroseconds: number; toMicroseconds: number };

export const topFunctionsCount = 15;

/**
 * Self time per category over one or more profiles (one per process of a switch with several workers). A sample
 * lasts until the next one (the last until endTime), as Chrome's profiler reads them. Native frames without a url
 * (a better-sqlite3 statement's run, a socket write) are charged to their caller's category, so that SQLite's own
 * C++ time is SQLite's.
 */
export function breakdownOf(
  profiles: readonly CpuProfile[],
  window?: SampleWindow | readonly SampleWindow[],
  repositoryRoot = '',
): ProfileBreakdown {
  // Several windows are the slices of one phase that took turns with others (bench:checkout's paid checkouts).
  const windows = window === undefined ? undefined : 'fromMicroseconds' in window ? [window] : window;
  const inside = (timestamp: number): boolean =>
    windows === undefined || windows.some((each) => timestamp >= each.fromMicroseconds && timestamp < each.toMicroseconds);
  const categoryTotals = new Map<ProfileCategory, number>();
  const functionTotals = new Map<string, FunctionTime>();
  let busyMicroseconds = 0;
  let idleMicroseconds = 0;
  for (const profile of profiles) {
    const categories = categoriesOfNodes(profile);
    const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
    let timestamp = profile.startTime;
    for (let index = 0; index < profile.samples.length; index += 1) {
      timestamp += profile.timeDeltas[index] ?? 0;
      const next = index + 1 < profile.samples.length ? timestamp + (profile.timeDeltas[index + 1] ?? 0) : profile.endTime;
      const duration = Math.max(0, next - timestamp);
      if (!inside(timestamp)) continue;
      const nodeId = profile.samples[index] ?? -1;
      const frame = frames.get(nodeId);
      if (frame === undefined) continue;
      if (frame.functionName === idleFrame) {
        idleMicroseconds += duration;
        continue;
      }
      busyMicroseconds += duration;
      const category = categories.get(nodeId) ?? 'other (Node internals, V8, tsx)';
      categoryTotals.set(category, (categoryTotals.get(category) ?? 0) + duration);
      const location = locationOf(frame, repositoryRoot);
      // The category is part of the key: a native `run` under the event store and under a projection are two entries.
      const key = `${frame.functionName} ${location} ${category}`;
      const found = functionTotals.get(key) ?? { functionName: frame.functionName || '(anonymous)', location, category, selfMs: 0 };
      found.selfMs += duration;
      functionTotals.set(key, found);
    }
  }
  const busyMs = busyMicroseconds / 1000;
  return {
    busyMs: round(busyMs),
    idleMs: round(idleMicroseconds / 1000),
    categories: profileCategories
      .map((category) => {
        const selfMs = (categoryTotals.get(category) ?? 0) / 1000;
        return { category, selfMs: round(selfMs), share: busyMs === 0 ? 0 : round(selfMs / busyMs, 4) };
      })
      .sort((a, b) => b.selfMs - a.selfMs),
    topFunctions: [...functionTotals.values()]
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, topFunctionsCount)
      .map((entry) => ({ ...entry, selfMs: round(entry.selfMs / 1000) })),
  };
}

/** Each node's category: its own frame's, or for native code its caller's (parents come before children in V8's order, but this does not rely on it). */
function categoriesOfNodes(profile: CpuProfile): Map<number, ProfileCategory> {
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const categories = new Map<number, ProfileCategory>();
  const categoryOf = (id: number): ProfileCategory => {
    const known = categories.get(id);
    if (known !== undefined) return known;
    // Walk up to the first frame with a category of its own; the walk is bounded by the tree's depth.
    const chain: number[] = [];
    let current: number | undefined = id;
    let found: ProfileCategory = 'other (Node internals, V8, tsx)';
    while (current !== undefined) {
      const cached = categories.get(current);
      if (cached !== undefined) {
        found = cached;
        break;
      }
      chain.push(current);
      const frame = frames.get(current);
      const own = frame === undefined ? null : categoryOfFrame(frame);
      if (own !== null) {
        found = own;
        break;
      }
      current = parents.get(current);
    }
    for (const member of chain) categories.set(member, found);
    return found;
  };
  for (const node of profile.nodes) categoryOf(node.id);
  return categories;
}

/** Line numbers of our .ts files are of tsx's compiled output, not the source: only the file is named. */
function locationOf(frame: CallFrame, repositoryRoot: string): string {
  if (frame.url === '') return '(native)';
  const url = shortUrl(frame.url, repositoryRoot);
  return url.endsWith('.ts') ? url : `${url}:${frame.lineNumber + 1}`;
}

function shortUrl(url: string, repositoryRoot: string): string {
  const path = url.startsWith('file://') ? decodeURIComponent(url.slice('file://'.length)) : url;
  const nodeModules = path.lastIndexOf('/node_modules/');
  if (nodeModules >= 0) return path.slice(nodeModules + 1);
  return repositoryRoot !== '' && path.startsWith(`${repositoryRoot}/`) ? path.slice(repositoryRoot.length + 1) : path;
}

function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** The breakdown as the table the README shows. */
export function breakdownTable(breakdown: ProfileBreakdown): string {
  const lines = [
    `| category | self time ms | share of busy time |`,
    `| --- | ---: | ---: |`,
    ...breakdown.categories.map((row) => `| ${row.category} | ${row.selfMs.toFixed(0)} | ${(row.share * 100).toFixed(1)} % |`),
    `| busy (all of the above) | ${breakdown.busyMs.toFixed(0)} | 100 % |`,
    `| (idle, not counted) | ${breakdown.idleMs.toFixed(0)} | |`,
    '',
    `| top ${topFunctionsCount} functions by self time | where | category | self ms |`,
    `| --- | --- | --- | ---: |`,
    ...breakdown.topFunctions.map(
      (entry) => `| ${entry.functionName} | ${entry.location} | ${entry.category} | ${entry.selfMs.toFixed(0)} |`,
    ),
  ];
  return lines.join('\n');
}

/**
 * Which process of a switch a profile is from, by the code it ran inside the window (every process imports the
 * same modules, so what it loaded says nothing): the writer (the cluster's primary, or the one process of a switch
 * without workers) runs the ledger engine; a front-end worker serves HTTP without it; anything else (tsx's module
 * loader thread) is neither.
 */
export type ProcessRole = 'writer' | 'front-end worker' | 'other thread';

export function roleOfProfile(profile: CpuProfile, window?: SampleWindow): ProcessRole {
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  // A module's top level (a frame without a function name), its static initialisers and the bundler's helpers
  // (`__toCommonJS`) run wherever the module is imported: they say nothing of the process's role.
  const ownCode = (name: string): boolean => /^[A-Za-z$]/.test(name);
  const urls = new Map(profile.nodes.map((node) => [node.id, ownCode(node.callFrame.functionName) ? node.callFrame.url : '']));
  const ran = new Set<number>();
  let timestamp = profile.startTime;
  for (let index = 0; index < profile.samples.length; index += 1) {
    timestamp += profile.timeDeltas[index] ?? 0;
    if (window !== undefined && (timestamp < window.fromMicroseconds || timestamp >= window.toMicroseconds)) continue;
    // Every frame on the sampled stack ran; a frame seen before has had its callers added already.
    for (let current = profile.samples[index]; current !== undefined && !ran.has(current); current = parents.get(current)) ran.add(current);
  }
  const ranUrls = [...ran].map((id) => urls.get(id) ?? '');
  if (ranUrls.some((url) => /\/core\/ledger\/(single-writer-engine|decide-batch|submit-queue)\.ts$/.test(url))) return 'writer';
  if (ranUrls.some((url) => /^node:_http_server$|\/node_modules\/express\//.test(url))) return 'front-end worker';
  return 'other thread';
}
