import { z } from 'zod';

/**
 * The building blocks of the OpenAPI document, shared by every part of it (api/openapi.ts and the modules'
 * own path files): one way to describe an operation, its roles, its Idempotency-Key and its error answers.
 */

export type JsonSchema = Record<string, unknown>;
export type Operation = Record<string, unknown>;

/** JSON Schema (2020-12, as OpenAPI 3.1 uses) of a request validator: the document describes what is enforced. */
export function schemaOf(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

export const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
export const json = (schema: JsonSchema) => ({ content: { 'application/json': { schema } } });

const errorResponses: Record<string, { description: string }> = {
  '400': { description: 'VALIDATION_FAILED (or a specific code such as INVALID_AMOUNT, INVALID_IBAN): the request is not valid; nothing changed' },
  '401': { description: 'UNAUTHENTICATED: no bearer key, or not a valid one' },
  '403': { description: 'FORBIDDEN: the key\'s role or owner may not do this' },
  '413': { description: 'PAYLOAD_TOO_LARGE: the body is over 1 MiB (4 MiB for the transfer batch)' },
  '415': { description: 'UNSUPPORTED_MEDIA_TYPE: bodies are JSON (Content-Type: application/json)' },
  '503': { description: 'the switch is catching up or overloaded; retry after the Retry-After seconds' },
};

export function errors(...statuses: string[]): Record<string, unknown> {
  const selected: Record<string, unknown> = {};
  for (const status of ['400', '401', '403', '413', '415', '503', ...statuses]) {
    selected[status] = { ...(errorResponses[status] ?? { description: status }), ...json(ref('Error')) };
  }
  return selected;
}

export function operation(input: {
  summary: string;
  roles: string[];
  body?: JsonSchema;
  idempotencyKey?: 'optional' | 'required';
  parameters?: JsonSchema[];
  responses: Record<string, unknown>;
}): Operation {
  const parameters = [...(input.parameters ?? [])];
  if (input.idempotencyKey) {
    parameters.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: input.idempotencyKey === 'required',
      description: 'Same key and body: the original answer. Same key, other body: 409 IDEMPOTENCY_CONFLICT.',
      schema: { type: 'string', maxLength: 128, pattern: '^[A-Za-z0-9_.:-]+$' },
    });
  }
  return {
    summary: input.summary,
    description: `Roles: ${input.roles.join(', ')}.`,
    'x-roles': input.roles,
    ...(input.roles.length > 0 ? { security: [{ bearer: [] }] } : { security: [] }),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(input.body ? { requestBody: { required: true, ...json(input.body) } } : {}),
    responses: input.responses,
  };
}
