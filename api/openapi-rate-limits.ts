import { errorAnswer, type JsonSchema } from './openapi-kit';
import { exemptPaths } from './rate-limit/rate-limiting';

const methods = new Set(['get', 'put', 'post', 'patch', 'delete', 'head', 'options']);

const description =
  'RATE_LIMITED: more requests than the key (or, without a valid key and on the pay pages, the client address) may send; nothing was done';

/** The pay page itself answers a browser with a page (api/rate-limit/rate-limiting.ts); every other route with JSON. */
const htmlAnswered = new Set(['/pay/{id} get', '/pay/{id} post']);

/** The 429 every rate-limited operation may answer (api/rate-limit/), with the fields that come with it. */
function rateLimitedAnswer(html: boolean): JsonSchema {
  const text = (meaning: string) => ({ description: meaning, schema: { type: 'string' } });
  return {
    ...(html ? { description, content: { 'text/html': { schema: { type: 'string' } } } } : errorAnswer(description)),
    headers: {
      'Retry-After': { description: 'Seconds to wait before the request can be served', schema: { type: 'integer', minimum: 1 } },
      'RateLimit-Policy': text('draft-ietf-httpapi-ratelimit-headers-10: `"<policy>";q=<burst>;w=<seconds to refill>`'),
      RateLimit: text('draft-ietf-httpapi-ratelimit-headers-10: `"<policy>";r=<remaining>;t=<seconds until full>`'),
    },
  };
}

/** Adds the 429 answer to every operation of every path the rate limiter applies to (all but operations' own). */
export function withRateLimitAnswers(paths: Record<string, JsonSchema>): Record<string, JsonSchema> {
  const answered: Record<string, JsonSchema> = {};
  for (const [path, item] of Object.entries(paths)) {
    if (exemptPaths.has(path)) {
      answered[path] = item;
      continue;
    }
    answered[path] = Object.fromEntries(
      Object.entries(item).map(([key, value]) => {
        if (!methods.has(key) || typeof value !== 'object' || value === null) return [key, value];
        const operation = value as { responses?: Record<string, unknown> };
        const answer = rateLimitedAnswer(htmlAnswered.has(`${path} ${key}`));
        return [key, { ...operation, responses: { ...operation.responses, '429': answer } }];
      }),
    );
  }
  return answered;
}
