/**
 * Route classes (issue 15, item 3): each API key has a bucket per class, so a key that floods reads cannot use up
 * its own payments' allowance, and a flood of payments leaves the key able to look up what happened to them.
 * - `money`: a POST that moves money (transfers, batches, refunds, funds in/out);
 * - `write`: every other POST, PUT, PATCH and DELETE;
 * - `read`: GET, HEAD and anything else.
 */
export const routeClasses = ['money', 'write', 'read'] as const;
export type RouteClass = (typeof routeClasses)[number];

const moneyRoutePatterns: readonly RegExp[] = [
  /^\/v1\/transfers\/?$/,
  /^\/v1\/transfers\/batch\/?$/,
  /^\/v1\/refunds\/?$/,
  /^\/v1\/participants\/[^/]+\/funds\/?$/,
];
const writeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function routeClassOf(method: string, path: string): RouteClass {
  if (!writeMethods.has(method)) return 'read';
  if (method === 'POST' && moneyRoutePatterns.some((pattern) => pattern.test(path))) return 'money';
  return 'write';
}
