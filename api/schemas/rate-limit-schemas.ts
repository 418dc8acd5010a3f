import { z } from 'zod';
import { rateLimitPerSecondMax, rateLimitPerSecondMin } from '../../core/rate-limit-overrides';

/** A participant's or merchant's own rate (PATCH): requests per second per key and route class; null: the default. */
export const rateLimitPerSecondSchema = z
  .int('must be a whole number of requests per second, or null for the default')
  .min(rateLimitPerSecondMin)
  .max(rateLimitPerSecondMax)
  .nullable();
