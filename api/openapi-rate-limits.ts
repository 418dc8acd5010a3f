import { errorAnswer, type JsonSchema } from './openapi-kit';
import { exemptPaths } from './rate-limit/rate-limiting';

const methods = new Set(['get', 'put', 'post', 'patch', 'delete', 'head', 'options']);

/** The 429 every rate-limited operation may answer (api/rate-limit/), with the fields that come with it. */
function rateLimitedAnswer(): JsonSchema {
  const text = (description: string) => ({ description, schema: { type: 'string' } });
  return {
    ...errorAnswer(
      'RATE_LIMITED: more requests than the key (or, without a valid key and on the pay pages, the client address) may send; nothing was done',
    ),
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
        return [key, { ...operation, responses: { ...operation.responses, '429': rateLimitedAnswer() } }];
      }),
    );
  }
  return answered;
}
