import type { Express } from 'express';

/**
 * What express 5 keeps of its routes, which the edge reads in two places: the 405 answers (api/app.ts) and the hot
 * routes' lane (api/hot-route-lane.ts). Express does not publish these types; they are read here, once.
 */
export type ExpressRoute = {
  path: unknown;
  methods: Record<string, boolean | undefined>;
  dispatch(request: unknown, response: unknown, done: (error?: unknown) => void): void;
};

export type RouterLayer = { route?: ExpressRoute; handle?: unknown };

/** The app's router layers, in the order express tries them. */
export function routerStack(app: Express): RouterLayer[] {
  return (app as unknown as { router: { stack: RouterLayer[] } }).router.stack;
}

/** The layers of a router mounted as a layer (`app.use(router)`), or null for any other layer. */
export function nestedStack(layer: RouterLayer): RouterLayer[] | null {
  const handle = layer.handle as { stack?: unknown } | undefined;
  return Array.isArray(handle?.stack) ? (handle.stack as RouterLayer[]) : null;
}

/** A route path's literal text as a regular expression that matches just it. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
