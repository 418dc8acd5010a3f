import type { Express, RequestHandler } from 'express';
import { assert } from '../core/assert';
import { escapeRegExp, routerStack, type ExpressRoute, type RouterLayer } from './router-stack';

/**
 * The routes a payment and its read take most often (issue 10). Express finds a route by trying every layer of its
 * router in turn, a path match each: about ninety for a GET of a transfer, a tenth of what the switch spends on that
 * GET. These are dispatched straight to their route once the app's own middleware (admission, request id and log,
 * rate limits, body parsing) has run, through express's own route dispatch, so their handlers, errors and answers
 * are exactly those of the router.
 */
export const hotRoutes: readonly HotRoute[] = [
  { method: 'POST', path: '/v1/transfers' },
  { method: 'GET', path: '/v1/transfers/:id' },
];

export type HotRoute = { method: 'GET' | 'POST'; path: string };

type BoundRoute = {
  method: string;
  /** The request's whole URL, with the route's parameters as groups (see urlPattern). */
  pattern: RegExp;
  parameterNames: readonly string[];
  route: ExpressRoute;
};

/**
 * The lane: a middleware to mount after the app's own middleware and before any route, and `bind`, called once
 * every route is registered, which finds each hot route in the router and checks that nothing registered between
 * the lane and it could have answered one of its requests first (a programmer error: the lane would skip it, so
 * the app refuses to start).
 *
 * A request takes the lane only when its URL is plainly the route's: the same method, lower case, no query, no
 * fragment, no trailing slash, parameters of URL-unreserved characters only. Anything else (HEAD, `/V1/Transfers/x`,
 * `%41`, `#x`) goes through the router as before, which answers it as it always did. A handler that passes the
 * request on (`next('route')`, as the GET does for `/v1/transfers/batch`) sends it down the router from the lane
 * onwards, which runs that route's handlers once more before the routes after it: the answer is the router's, and
 * a handler that passes a request on must therefore do nothing before it does (the GET's `notTheBatch` does
 * nothing else). The router's tracing channel (`express.router.request`, which the switch does not subscribe to)
 * sees a lane request under the lane's layer, not the route's.
 */
export function hotRouteLane(routes: readonly HotRoute[] = hotRoutes): { middleware: RequestHandler; bind(app: Express): void } {
  let bound: readonly BoundRoute[] | null = null;
  const middleware: RequestHandler = (request, response, next) => {
    assert(bound !== null, 'the hot-route lane is bound once the routes are registered');
    for (const candidate of bound) {
      if (request.method !== candidate.method) continue;
      const match = candidate.pattern.exec(request.url);
      if (match === null) continue;
      // A null prototype, as the router's own parameters have: an id named `__proto__` is just an id.
      const params = Object.create(null) as Record<string, string>;
      candidate.parameterNames.forEach((name, index) => {
        params[name] = match[index + 1] ?? '';
      });
      request.params = params;
      candidate.route.dispatch(request, response, next);
      return;
    }
    next();
  };
  return {
    middleware,
    bind(app) {
      const stack = routerStack(app);
      const lanePosition = stack.findIndex((layer) => layer.handle === middleware);
      assert(lanePosition >= 0, 'the hot-route lane is mounted before it is bound');
      // An app assembled without a hot route's module (a test's, say) leaves that route to the router.
      bound = routes.flatMap((hot) => bindRoute(stack, lanePosition, hot) ?? []);
    },
  };
}

function bindRoute(stack: readonly RouterLayer[], lanePosition: number, hot: HotRoute): BoundRoute | null {
  const method = hot.method.toLowerCase();
  const position = stack.findIndex(
    (layer, index) => index > lanePosition && layer.route?.path === hot.path && layer.route.methods[method] === true,
  );
  const layer = stack[position];
  if (layer?.route === undefined) return null;
  for (const earlier of stack.slice(lanePosition + 1, position)) {
    assert(earlier.route !== undefined, `a middleware is mounted between the hot-route lane and ${hot.path}: the lane would skip it`);
    const handles = earlier.route.methods[method] === true || earlier.route.methods._all === true;
    assert(
      !handles || !pathsOverlap(earlier.route.path, hot.path),
      `the route ${String(earlier.route.path)} comes before ${hot.method} ${hot.path} and would answer its requests first`,
    );
  }
  return { method: hot.method, ...urlPattern(hot.path), route: layer.route };
}

/**
 * `/v1/transfers/:id` → `^/v1/transfers/([A-Za-z0-9._~-]+)$`. A parameter takes only URL-unreserved characters (every
 * id the API issues or accepts): a URL with anything the router reads differently than it is written (`%` encoding,
 * a `#` fragment, which the router drops, or a backslash, which it reads as `/`) goes through the router.
 */
function urlPattern(path: string): { pattern: RegExp; parameterNames: string[] } {
  const parameterNames: string[] = [];
  const segments = path.split('/').map((segment) => {
    if (!segment.startsWith(':')) return escapeRegExp(segment);
    parameterNames.push(segment.slice(1));
    return '([A-Za-z0-9._~-]+)';
  });
  return { pattern: new RegExp(`^${segments.join('/')}$`), parameterNames };
}

/**
 * Whether some URL could match both route paths, as the router matches them (without case, a trailing slash
 * ignored). Only plain paths are compared: segments of unreserved characters and whole-segment `:name`
 * parameters. Anything else in the earlier path (a parameter inside a segment, a wildcard, an optional part, an
 * escape, a regular expression) is taken to overlap, which makes the app refuse to start rather than guess.
 */
function pathsOverlap(earlier: unknown, hot: string): boolean {
  if (typeof earlier !== 'string') return true;
  const earlierSegments = earlier.replace(/\/$/, '').split('/');
  const hotSegments = hot.split('/');
  if (!earlierSegments.every((segment) => plainParameter.test(segment) || plainText.test(segment))) return true;
  if (earlierSegments.length !== hotSegments.length) return false;
  return earlierSegments.every((segment, index) => {
    const other = hotSegments[index] ?? '';
    return segment.startsWith(':') || other.startsWith(':') || segment.toLowerCase() === other.toLowerCase();
  });
}

const plainParameter = /^:[A-Za-z_][A-Za-z0-9_]*$/;
const plainText = /^[A-Za-z0-9._~-]*$/;
