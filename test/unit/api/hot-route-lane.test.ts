import express, { type Express } from 'express';
import type { AddressInfo } from 'node:net';
import { hotRouteLane, type HotRoute } from '../../../api/hot-route-lane';

/**
 * The lane's own rules, on a real express app: it dispatches only a plain URL of a hot route, and it refuses to be
 * bound where it would skip something the router would have run first.
 */
const transferById: HotRoute[] = [{ method: 'GET', path: '/v1/transfers/:id' }];

function appWithLane(register: (app: Express) => void): { app: Express; bind: () => void } {
  const app = express();
  const lane = hotRouteLane(transferById);
  app.use(lane.middleware);
  register(app);
  return { app, bind: () => lane.bind(app) };
}

describe('binding the hot-route lane', () => {
  it('refuses an earlier route that could answer the same request (a parameter or the same text, in any case)', () => {
    const withParameter = appWithLane((app) => {
      app.get('/v1/transfers/:other', (_request, response) => void response.end());
      app.get('/v1/transfers/:id', (_request, response) => void response.end());
    });
    expect(withParameter.bind).toThrow(/the route \/v1\/transfers\/:other comes before GET \/v1\/transfers\/:id/);
    const withStaticSegment = appWithLane((app) => {
      app.get('/V1/transfers/latest', (_request, response) => void response.end());
      app.get('/v1/transfers/:id', (_request, response) => void response.end());
    });
    expect(withStaticSegment.bind).toThrow(/comes before/);
    const withWildcard = appWithLane((app) => {
      app.get('/v1/{*rest}', (_request, response) => void response.end());
      app.get('/v1/transfers/:id', (_request, response) => void response.end());
    });
    expect(withWildcard.bind).toThrow(/comes before/);
  });

  it('refuses a middleware between the lane and the hot route, which the lane would skip', () => {
    const { bind } = appWithLane((app) => {
      app.use((_request, _response, next) => next());
      app.get('/v1/transfers/:id', (_request, response) => void response.end());
    });
    expect(bind).toThrow(/a middleware is mounted between the hot-route lane and \/v1\/transfers\/:id/);
  });

  it('accepts earlier routes of another method or another shape, and an app without the hot route', () => {
    const { bind } = appWithLane((app) => {
      app.post('/v1/transfers/batch', (_request, response) => void response.end());
      app.get('/v1/transfers', (_request, response) => void response.end());
      app.get('/v1/transfers/:id/evidence', (_request, response) => void response.end());
      app.get('/v1/transfers/:id', (_request, response) => void response.end());
    });
    expect(bind).not.toThrow();
    expect(appWithLane(() => undefined).bind).not.toThrow();
  });
});

describe('dispatching through the lane', () => {
  let server: ReturnType<Express['listen']>;
  let baseUrl: string;
  /** Which way each request reached the handler: the router notes the route it matched (a symbol of its tracing). */
  const seen: { url: string; params: unknown; viaRouter: boolean }[] = [];

  beforeAll(async () => {
    const { app, bind } = appWithLane((app) => {
      app.get('/v1/transfers/:id', (request, response, next) => {
        if (request.params.id === 'pass') return next('route');
        const matched = Object.getOwnPropertySymbols(request).find((symbol) => symbol.description === 'router.tracing.matchedRoute');
        const viaRouter = matched !== undefined && (request as unknown as Record<symbol, unknown>)[matched] === '/v1/transfers/:id';
        seen.push({ url: request.url, params: { ...request.params }, viaRouter });
        response.json({ id: request.params.id });
      });
      app.use((request, response) => void response.status(404).json({ passedOn: request.url }));
    });
    bind();
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('takes a plain URL and leaves the rest to the router, with the same parameters either way', async () => {
    seen.length = 0;
    for (const path of ['/v1/transfers/abc', '/v1/transfers/abc?x=1', '/V1/Transfers/abc', '/v1/transfers/ab%63', '/v1/transfers/abc/']) {
      const response = await fetch(`${baseUrl}${path}`);
      expect({ path, status: response.status, body: await response.json() }).toEqual({ path, status: 200, body: { id: 'abc' } });
    }
    expect(seen.map((entry) => entry.viaRouter)).toEqual([false, true, true, true, true]);
    expect(seen.every((entry) => JSON.stringify(entry.params) === '{"id":"abc"}')).toBe(true);
  });

  it("sends a request its handler passes on (next('route')) down the router, as the router would", async () => {
    const response = await fetch(`${baseUrl}/v1/transfers/pass`);
    expect({ status: response.status, body: await response.json() }).toEqual({ status: 404, body: { passedOn: '/v1/transfers/pass' } });
  });
});
