import { z } from 'zod';
import { apiLimits } from './api-limits';

/**
 * The building blocks of the OpenAPI document: one way to describe an operation, its roles, its parameters,
 * its Idempotency-Key and its answers. Every schema in the document is generated from a zod schema (zod 4's
 * JSON Schema output): request bodies and parameters from the validators the routes run, response bodies from
 * api/schemas/response-schemas.ts, which the document test checks real answers against.
 */

export type JsonSchema = Record<string, unknown>;
export type Operation = Record<string, unknown>;

const componentUri = (id: string) => `#/components/schemas/${id}`;

/** The id a schema was registered under with `.meta({ id })`: such a schema is a component, named by $ref. */
function idOf(schema: z.ZodType): string | undefined {
  const meta = z.globalRegistry.get(schema);
  return typeof meta?.id === 'string' ? meta.id : undefined;
}

/** JSON Schema (2020-12, as OpenAPI 3.1 uses) of a zod schema, as the client writes it (`io: 'input'`). */
export function schemaOf(schema: z.ZodType): JsonSchema {
  const id = idOf(schema);
  if (id !== undefined) return ref(id);
  const { $schema: _dialect, $defs: _components, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  // The schemas it refers to by id are the document's components, not definitions of their own.
  return JSON.parse(JSON.stringify(rest).replaceAll('"#/$defs/', '"#/components/schemas/')) as JsonSchema;
}

/** Every schema registered with an id, as the document's components. */
export function componentSchemas(): Record<string, JsonSchema> {
  const generated = z.toJSONSchema(z.globalRegistry, { io: 'input', unrepresentable: 'any', uri: componentUri }) as {
    schemas: Record<string, JsonSchema>;
  };
  const schemas: Record<string, JsonSchema> = {};
  for (const [id, schema] of Object.entries(generated.schemas)) {
    const { $schema: _dialect, $id: _uri, id: _id, ...rest } = schema;
    schemas[id] = rest;
  }
  return schemas;
}

/** The parameters of one place ("path" or "query") from the zod object that validates them. */
export function parametersOf(schema: z.ZodType, where: 'path' | 'query'): JsonSchema[] {
  const generated = schemaOf(schema) as { properties?: Record<string, JsonSchema>; required?: string[] };
  const required = new Set(generated.required ?? []);
  return Object.entries(generated.properties ?? {}).map(([name, parameterSchema]) => {
    const { description, ...rest } = parameterSchema;
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

export const ref = (name: string): JsonSchema => ({ $ref: componentUri(name) });
export const json = (schema: JsonSchema) => ({ content: { 'application/json': { schema } } });

/** An answer with a JSON body described by a zod schema. */
export const answer = (description: string, schema: z.ZodType) => ({ description, ...json(schemaOf(schema)) });
/** An error answer: the shared error body, with the codes the route gives under this status. */
export const errorAnswer = (description: string) => ({ description, ...json(ref('Error')) });

const kibibytes = (bytes: number) => `${Math.round(bytes / 1024)} KiB`;

/** The answers every authenticated operation can give, whatever it does. */
const commonErrors: Record<string, string> = {
  '400': 'VALIDATION_FAILED (or a specific code such as INVALID_AMOUNT, INVALID_IBAN): the request is not valid; nothing changed',
  '401': 'UNAUTHENTICATED: no bearer key, or not a valid one',
  '403': "FORBIDDEN: the key's role or owner may not do this",
  '413': `PAYLOAD_TOO_LARGE: the body is over ${kibibytes(apiLimits.bodyBytesMax)} (${kibibytes(apiLimits.batchBodyBytesMax)} for the transfer batch)`,
  '415': 'UNSUPPORTED_MEDIA_TYPE: bodies are JSON (Content-Type: application/json)',
  '503': 'the switch is catching up or overloaded; retry after the Retry-After seconds',
};

export function operation(input: {
  summary: string;
  roles: string[];
  body?: z.ZodType;
  idempotencyKey?: 'optional' | 'required';
  path?: z.ZodType;
  query?: z.ZodType;
  responses: Record<string, unknown>;
}): Operation {
  const parameters = [...(input.path ? parametersOf(input.path, 'path') : []), ...(input.query ? parametersOf(input.query, 'query') : [])];
  if (input.idempotencyKey) {
    parameters.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: input.idempotencyKey === 'required',
      description: 'Same key and body: the original answer. Same key, other body: 409 IDEMPOTENCY_CONFLICT.',
      schema: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.:-]+$' },
    });
  }
  const responses: Record<string, unknown> = { ...input.responses };
  if (input.roles.length > 0) {
    for (const [status, description] of Object.entries(commonErrors)) responses[status] ??= errorAnswer(description);
  }
  // A key reused with another body answers 409 on every idempotent route; one reused with the same body while its
  // first request runs waits for that request and gets its answer.
  if (input.idempotencyKey) responses['409'] ??= errorAnswer('IDEMPOTENCY_CONFLICT: this Idempotency-Key was used with another request');
  return {
    summary: input.summary,
    description: `Roles: ${input.roles.join(', ')}.`,
    'x-roles': input.roles,
    ...(input.roles.length > 0 ? { security: [{ bearer: [] }] } : { security: [] }),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(input.body ? { requestBody: { required: true, ...json(schemaOf(input.body)) } } : {}),
    responses,
  };
}
