import type { Request } from 'express';

/** A body that is absent (no content) validates as {} so that missing fields are reported one by one. */
export function bodyOf(request: Request): unknown {
  return request.body === undefined ? {} : request.body;
}
