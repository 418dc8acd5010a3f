import express, { type ErrorRequestHandler, type Express, type Request, type RequestHandler, type Response } from 'express';
import { randomUUID } from 'node:crypto';
import type { Principal, Role } from '../core/auth/principal';
import { apiLimits } from './api-limits';
import type { AppDependencies } from './app-dependencies';
import { errorBody, HttpError, statusOf, toErrorAnswer } from './http-error';
import {
  decodesAsUtf8,
  firstDuplicateKey,
  firstIllFormedString,
  isWellFormedUtf8,
  mayHoldSurrogateEscape,
  UnsupportedCharsetError,
} from './body-integrity';
import { refuseRepeatedAuthorization } from './auth';
import { hotRouteLane } from './hot-route-lane';
import { escapeRegExp, nestedStack, routerStack, type RouterLayer } from './router-stack';
import { maskSensitiveText } from './log-masking';
import { attachMoneyPathAdmission, moneyPathAdmission } from './money-path-admission';
import { rawBodyOf, requestContext, setRawBody, setRequestContext } from './request-context';
import { createRouteKit, type EdgeDependencies, type RouteModule } from './route-kit';
import { aliasRoutes } from './routes/aliases';
import { auditRoutes } from './routes/audit';
import { participantFundsRoutes } from './routes/participant-funds';
import { participantClientCertificateRoutes } from './routes/participant-client-certificates';
import { participantKeyRoutes } from './routes/participant-keys';
import { participantRoutes } from './routes/participants';
import { partyRoutes } from './routes/parties';
import { regulatorDashboardRoutes } from './routes/regulator-dashboard';
import { regulatorKeyRoutes } from './routes/regulator-keys';
import { systemRoutes } from './routes/system';

/** Body limits (api/api-limits.ts): 1 MiB everywhere, a full batch of maximum-size transfers on the batch route. */
export const bodyBytesMax = apiLimits.bodyBytesMax;
export const batchBodyBytesMax = apiLimits.batchBodyBytesMax;
export const batchPath = '/v1/transfers/batch';
const payPagePrefix = '/pay';
/** A pay form carries one mobile number: a few hundred bytes is plenty. */
const payFormBytesMax = 2048;
/**
 * More fields than a form of payFormBytesMax bytes can hold: the byte limit bounds the form, and fields the pay page
 * does not read are ignored, as its OpenAPI entry allows (a lower count refused forms the document calls valid).
 */
const payFormFieldsMax = payFormBytesMax + 1;
/**
 * How deep a JSON body may nest. The API's deepest body (a batch item's payer) is 4 levels; anything near the
 * parser's own limit would overflow the stack of whatever walks it recursively (the idempotency fingerprint).
 */
export const bodyDepthMax = 32;

const requestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;

/** The switch's own routes; the transfers module is passed in by whoever assembles the switch. */
export const builtInRouteModules: readonly RouteModule[] = [
  systemRoutes,
  participantRoutes,
  participantKeyRoutes,
  participantClientCertificateRoutes,
  participantFundsRoutes,
  regulatorKeyRoutes,
  regulatorDashboardRoutes,
  aliasRoutes,
  partyRoutes,
  auditRoutes,
];

/**
 * The express app: request ids and logs first, then JSON bodies within their limits, then the routes, then
 * 404 and the error handler, which answers every failure as {"error":{"code","message","details"}}.
 */
export function createApp(dependencies: AppDependencies, extraRouteModules: readonly RouteModule[] = []): Express {
  return createEdgeApp(dependencies, [...builtInRouteModules, ...extraRouteModules]);
}

/**
 * The same app over the given route modules only: what a front-end worker (api/cluster/) serves itself, with the
 * same request ids, logs, body limits, 404/405 and error answers as the whole switch.
 */
export function createEdgeApp<Dependencies extends EdgeDependencies>(
  dependencies: Dependencies,
  routeModules: readonly RouteModule<Dependencies>[],
): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  // First, before the request id, the request log and the body: a shed payment costs the switch as little as it can.
  // The switch's own server judges even earlier, before express (api/http-server.ts); a request is judged once.
  const admission = moneyPathAdmission(
    dependencies.config.moneyPathInFlightMax,
    dependencies.metrics,
    dependencies.config.moneyPathLoopDelayMaxMs,
  );
  attachMoneyPathAdmission(app, admission);
  app.use(admission);
  app.use(requestIdAndLog(dependencies));
  app.use(oneAuthorizationHeader);
  // Then the rate limits: a request over its rate is refused before its body is read or anything is recorded.
  if (dependencies.rateLimiting) app.use(dependencies.rateLimiting);
  // The raw bytes are kept beside the parsed body: a signed request (Hisaab-JWS) is verified over them exactly.
  const jsonOptions = {
    inflate: false,
    strict: true,
    type: 'application/json',
    // A body in another charset is refused before it is decoded: UTF-7, UTF-16 or UTF-32 would be decoded into text
    // that is not in the bytes a signature, a proxy or a log saw (UTF-7 reads `+ADI-` as `2`).
    verify: (request: Request, _response: Response, body: Buffer, encoding: string | null) => {
      if (!decodesAsUtf8(encoding)) throw new UnsupportedCharsetError(encoding ?? '');
      setRawBody(request, body);
    },
  } as const;
  app.use(batchPath, express.json({ ...jsonOptions, limit: batchBodyBytesMax }));
  app.use(express.json({ ...jsonOptions, limit: bodyBytesMax }));
  // The hosted pay page's form (api/routes/pay-page.ts) posts as a browser does without JavaScript.
  app.use(payPagePrefix, express.urlencoded({ extended: false, limit: payFormBytesMax, parameterLimit: payFormFieldsMax }));
  app.use(onlyJsonBodies);
  app.use(refuseDeepBodies);
  app.use(refuseAmbiguousBodies);
  const lane = hotRouteLane();
  app.use(lane.middleware);
  const kit = createRouteKit(dependencies);
  for (const register of routeModules) register(app, kit);
  lane.bind(app);
  const routeTable = declaredRoutes(app);
  app.use((request: Request) => {
    const allowed = allowedMethods(routeTable, request.path);
    if (allowed.length > 0) {
      throw new HttpError('METHOD_NOT_ALLOWED', `${request.path} answers ${allowed.join(', ')}, not ${request.method}`, [], {
        Allow: allowed.join(', '),
      });
    }
    throw new HttpError('ROUTE_NOT_FOUND', `there is no route ${request.method} ${request.path}`);
  });
  app.use(errorHandler(dependencies));
  return app;
}

type DeclaredRoute = { pattern: RegExp; parameters: number; methods: readonly string[] };
/** The routes registered so far, walked from the app's router (nested routers included), as path patterns. */
function declaredRoutes(app: Express): DeclaredRoute[] {
  const routes: DeclaredRoute[] = [];
  const walk = (stack: readonly RouterLayer[]) => {
    for (const layer of stack) {
      if (layer.route && typeof layer.route.path === 'string') {
        const methods = Object.entries(layer.route.methods)
          .filter(([method, enabled]) => enabled && method !== '_all')
          .map(([method]) => method.toUpperCase());
        // Express answers HEAD wherever it answers GET.
        if (methods.includes('GET')) methods.push('HEAD');
        const segments = layer.route.path.split('/').map((segment) => (segment.startsWith(':') ? '[^/]+' : escapeRegExp(segment)));
        routes.push({ pattern: new RegExp(`^${segments.join('/')}/?$`), parameters: layer.route.path.split(':').length - 1, methods });
      } else {
        const nested = nestedStack(layer);
        if (nested !== null) walk(nested);
      }
    }
  };
  walk(routerStack(app));
  return routes;
}

/**
 * The methods a path is declared with, sorted: a request with another method is answered 405 with these in Allow.
 * Of the patterns that match, only the most specific count (fewest parameters): /v1/transfers/batch is its own
 * resource, not a transfer id.
 */
function allowedMethods(routes: readonly DeclaredRoute[], path: string): string[] {
  const matching = routes.filter((route) => route.pattern.test(path));
  const fewestParameters = Math.min(...matching.map((route) => route.parameters));
  const methods = new Set<string>();
  for (const route of matching) if (route.parameters === fewestParameters) for (const method of route.methods) methods.add(method);
  return [...methods].sort();
}

function requestIdAndLog(dependencies: EdgeDependencies): RequestHandler {
  return (request, response, next) => {
    const incoming = request.get('x-request-id');
    const requestId = incoming !== undefined && requestIdPattern.test(incoming) ? incoming : randomUUID();
    const startedAtNs = process.hrtime.bigint();
    setRequestContext(request, { requestId, startedAtNs, principal: null });
    response.set('X-Request-Id', requestId);
    // Every answer is JSON (or text for /metrics) as its Content-Type says: a browser must not guess otherwise.
    response.set('X-Content-Type-Options', 'nosniff');
    keepSecretsOutOfCaches(response);
    response.on('finish', () => {
      const route = routePattern(request);
      const durationSeconds = Number(process.hrtime.bigint() - startedAtNs) / 1e9;
      const status = String(response.statusCode);
      dependencies.metrics.httpRequests.inc({ method: request.method, route, status });
      dependencies.metrics.httpRequestDurationSeconds.observe({ method: request.method, route }, durationSeconds);
      dependencies.logger.info(
        {
          requestId,
          method: request.method,
          path: request.originalUrl,
          route,
          status: response.statusCode,
          durationMs: Math.round(durationSeconds * 1e6) / 1e3,
          ...callerOf(requestContext(request).principal),
        },
        'request',
      );
    });
    next();
  };
}

/**
 * Who called, for the request log: the role, the participant and the key id (which names a key without
 * revealing it; the key itself is never logged). Null for a caller without a valid key, and for the operator's
 * single configured key, which has no id.
 */
function callerOf(principal: Principal | null): { role: Role | null; participantId: string | null; keyId: string | null } {
  if (principal === null) return { role: null, participantId: null, keyId: null };
  switch (principal.role) {
    case 'operator':
      return { role: principal.role, participantId: null, keyId: null };
    case 'participant':
      return { role: principal.role, participantId: principal.participantId, keyId: principal.keyId };
    case 'merchant':
    case 'regulator':
      return { role: principal.role, participantId: null, keyId: principal.keyId };
  }
}

/** Names of body fields that carry a key or a secret (`key`, `signingSecret`, `previousSigningSecret`, ...). */
const secretFieldPattern = /^key$|secret/i;

/**
 * An answer that carries a key or a secret is shown once: no cache (browser, proxy) may keep a copy. Checked on
 * the body itself, so that every route that hands out a secret, now or later, is covered without opting in.
 */
function keepSecretsOutOfCaches(response: Response): void {
  const json = response.json.bind(response);
  response.json = (body?: unknown) => {
    if (carriesSecret(body)) response.set('Cache-Control', 'no-store');
    return json(body);
  };
}

function carriesSecret(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  return Object.keys(body).some((field) => secretFieldPattern.test(field));
}

/** The matched route's pattern (bounded label values for metrics), or "unmatched". */
function routePattern(request: Request): string {
  const route: unknown = request.route;
  if (typeof route === 'object' && route !== null && 'path' in route && typeof route.path === 'string') return route.path;
  return 'unmatched';
}

/** A body that is present but not JSON is refused, rather than silently read as "no body". */
const onlyJsonBodies: RequestHandler = (request, _response, next) => {
  const hasBody = request.get('transfer-encoding') !== undefined || (request.get('content-length') ?? '0') !== '0';
  if (hasBody && request.body === undefined) {
    throw new HttpError('UNSUPPORTED_MEDIA_TYPE', 'request bodies are JSON: send Content-Type: application/json');
  }
  next();
};

/** A body nested beyond bodyDepthMax is refused before any handler walks it. */
const refuseDeepBodies: RequestHandler = (request, _response, next) => {
  if (nestsDeeperThan(request.body, bodyDepthMax)) {
    throw new HttpError('VALIDATION_FAILED', `the body nests deeper than ${bodyDepthMax} levels of objects and arrays`, [
      { path: ['body'], message: `at most ${bodyDepthMax} levels of nesting` },
    ]);
  }
  next();
};

/** One Authorization header at most (api/auth.ts): checked before the rate limits read the key. */
const oneAuthorizationHeader: RequestHandler = (request, _response, next) => {
  refuseRepeatedAuthorization(request.rawHeaders);
  next();
};

/**
 * A JSON body that different readers could read differently is refused (api/body-integrity.ts): bytes that are not
 * UTF-8, a field given twice in one object, a string that is not well-formed Unicode.
 */
const refuseAmbiguousBodies: RequestHandler = (request, _response, next) => {
  const raw = rawBodyOf(request);
  if (raw.length === 0) return next();
  if (!isWellFormedUtf8(raw)) throw new HttpError('MALFORMED_JSON', 'the body is not valid UTF-8');
  const text = raw.toString('utf8');
  const duplicate = firstDuplicateKey(text);
  if (duplicate !== null) {
    throw new HttpError('VALIDATION_FAILED', `the body gives the field ${JSON.stringify(duplicate.at(-1))} twice in one object`, [
      { path: ['body', ...duplicate], message: 'a field may appear once in an object' },
    ]);
  }
  const illFormed = mayHoldSurrogateEscape(text) ? firstIllFormedString(request.body) : null;
  if (illFormed !== null) {
    throw new HttpError('VALIDATION_FAILED', 'the body holds text that is not well-formed Unicode (a lone surrogate)', [
      { path: ['body', ...illFormed], message: 'must be well-formed Unicode text' },
    ]);
  }
  next();
};

/** Recursion here stops at `levels`, so it is bounded whatever the input; plain loops keep a 4 MiB batch under 1 ms. */
function nestsDeeperThan(value: unknown, levels: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (levels === 0) return true;
  if (Array.isArray(value)) {
    for (const item of value as unknown[]) if (nestsDeeperThan(item, levels - 1)) return true;
    return false;
  }
  // A parsed JSON body: a plain object whose keys are all its own.
  const record = value as Record<string, unknown>;
  for (const key in record) if (nestsDeeperThan(record[key], levels - 1)) return true;
  return false;
}

type BodyParserError = { type: string; status: number; limit?: number };

function isBodyParserError(error: unknown): error is BodyParserError {
  return (
    typeof error === 'object' &&
    error !== null &&
    'type' in error &&
    typeof error.type === 'string' &&
    'status' in error &&
    typeof error.status === 'number'
  );
}

function bodyParserAnswer(error: BodyParserError): HttpError {
  switch (error.type) {
    case 'entity.too.large':
      return new HttpError(
        'PAYLOAD_TOO_LARGE',
        `the body is larger than the ${Math.round((error.limit ?? bodyBytesMax) / 1024)} KiB this route accepts`,
      );
    case 'parameters.too.many':
      // A form with more fields than the pay form's limit: too large in fields, as a body too large in bytes is.
      return new HttpError('PAYLOAD_TOO_LARGE', `the form has more than the ${payFormFieldsMax} fields this route accepts`);
    case 'entity.parse.failed':
      return new HttpError('MALFORMED_JSON', 'the body is not valid JSON (or not a JSON object or array)');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new HttpError('UNSUPPORTED_MEDIA_TYPE', 'send uncompressed JSON in UTF-8');
    default:
      return new HttpError('BAD_REQUEST', 'the request body could not be read');
  }
}

/** The router could not percent-decode a path parameter: the client's mistake, not ours. */
function isPathDecodingError(error: unknown): boolean {
  return error instanceof URIError && 'status' in error && error.status === 400;
}

/** Errors raised by express or its parsers on bad input, as the answers they deserve; anything else as it is. */
function edgeError(error: unknown): unknown {
  if (error instanceof HttpError) return error;
  if (isPathDecodingError(error)) {
    return new HttpError('VALIDATION_FAILED', 'the path is not valid percent-encoded UTF-8', [
      { path: ['path'], message: 'invalid percent-encoding' },
    ]);
  }
  return isBodyParserError(error) ? bodyParserAnswer(error) : error;
}

function errorHandler(dependencies: EdgeDependencies): ErrorRequestHandler {
  return (error: unknown, request, response, next) => {
    if (response.headersSent) {
      next(error);
      return;
    }
    const answer = toErrorAnswer(edgeError(error));
    const { requestId } = requestContext(request);
    if (answer !== null) {
      response.status(answer.status).set(answer.headers).json(answer.body);
      if (answer.status >= 500)
        dependencies.logger.warn({ requestId, code: answer.body.error.code }, maskSensitiveText(answer.body.error.message));
      return;
    }
    // A programmer error: the details go to the log, never to the client.
    dependencies.logger.error({ requestId, err: error }, 'unhandled error');
    response
      .status(statusOf('INTERNAL'))
      .json(errorBody('INTERNAL', `an internal error occurred; quote request id ${requestId} to the operator`));
  };
}
