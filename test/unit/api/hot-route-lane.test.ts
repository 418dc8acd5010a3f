import express, { type Express } from 'express';
import type { AddressInfo } from 'node:net';
import { hotRouteLane, type HotRoute } from '../../../api/hot-route-lane';
import { rawHttpRequest } from '../../support/http-client';

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

  it('refuses earlier paths the router reads as overlapping: a trailing slash, a parameter inside a segment, an escape', () => {
    for (const earlier of ['/v1/transfers/:other/', '/v1/trans:rest/:id', '/v1/transfer\\s/:id']) {
      const { bind } = appWithLane((app) => {
        app.get(earlier, (_request, response) => void response.end());
        app.get('/v1/transfers/:id', (_request, response) => void response.end());
      });
      expect(bind).toThrow(/comes before/);
    }
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
    const targets = [
      '/v1/transfers/abc',
      '/v1/transfers/abc?x=1',
      '/v1/transfers/abc?',
      '/V1/Transfers/abc',
      '/v1/transfers/ab%63',
      '/v1/transfers/abc/',
      '/v1/transfers/abc#fragment',
    ];
    for (const target of targets) {
      const answer = await rawHttpRequest(baseUrl, 'GET', target);
      expect({ target, status: answer.status, body: answer.body }).toEqual({ target, status: 200, body: { id: 'abc' } });
    }
    expect(seen.map((entry) => entry.viaRouter)).toEqual([false, true, true, true, true, true, true]);
    expect(seen.every((entry) => JSON.stringify(entry.params) === '{"id":"abc"}')).toBe(true);
  });

  it('leaves a backslash to the router, whose reading of it depends on the rest of the target', async () => {
    seen.length = 0;
    const plain = await rawHttpRequest(baseUrl, 'GET', '/v1/transfers/ab\\cd');
    expect({ status: plain.status, body: plain.body }).toEqual({ status: 200, body: { id: 'ab\\cd' } });
    expect(seen.map((entry) => entry.viaRouter)).toEqual([true]);
    // With a fragment the router parses the whole URL, and a backslash becomes a slash: another path, no route.
    const withFragment = await rawHttpRequest(baseUrl, 'GET', '/v1/transfers/ab\\cd#x');
    expect(withFragment.status).toBe(404);
  });

  it("sends a request its handler passes on (next('route')) down the router, as the router would", async () => {
    const response = await fetch(`${baseUrl}/v1/transfers/pass`);
    expect({ status: response.status, body: await response.json() }).toEqual({ status: 404, body: { passedOn: '/v1/transfers/pass' } });
  });
});
