// Two validators: bodies are validated strictly (no coercion, unknown fields rejected — Fastify's
// default would silently strip them); querystrings and params get string→number coercion.
import { Ajv, type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import type { FieldProblem } from '../domain/domain-errors.js';
import { MALFORMED_ID } from '../domain/tasks/task-id.js';

function makeAjv(coerceTypes: boolean) {
  // verbose: errors carry their schema, so a bounded integer is worded as its whole rule (below).
  const ajv = new Ajv({ allErrors: true, coerceTypes, removeAdditional: false, useDefaults: true, strict: false, verbose: true });
  addFormats.default(ajv, ['uuid', 'email', 'date-time']);
  return ajv;
}

const strict = makeAjv(false);
const coercing = makeAjv(true);

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? strict : coercing).compile(schema as object);

/** An error on an integer schema with both bounds (wrong type, or out of range). */
function boundedInteger(e: ErrorObject): boolean {
  const schema = e.parentSchema as { type?: unknown; minimum?: unknown; maximum?: unknown } | undefined;
  return (
    schema?.type === 'integer' &&
    typeof schema.minimum === 'number' &&
    typeof schema.maximum === 'number' &&
    ['type', 'minimum', 'maximum'].includes(e.keyword)
  );
}

/** Ajv errors → per-field problems (`title`, `description`, `limit`, …). */
export function fieldProblems(errors: ErrorObject[], part: string | undefined): FieldProblem[] {
  const out: FieldProblem[] = [];
  const paths = new Map<string, number>();
  for (const e of errors) paths.set(e.instancePath, (paths.get(e.instancePath) ?? 0) + 1);
  // A union of literals (`status`) fails once per literal ("must be equal to constant"), an enum
  // once: either way, name every allowed value.
  const allowed = new Map<string, unknown[]>();
  for (const e of errors) {
    const params = e.params as { allowedValue?: unknown; allowedValues?: unknown[] };
    const values = e.keyword === 'const' ? [params.allowedValue] : e.keyword === 'enum' ? (params.allowedValues ?? []) : [];
    if (values.length > 0) allowed.set(e.instancePath, [...(allowed.get(e.instancePath) ?? []), ...values]);
  }
  for (const e of errors) {
    // A `string | null` field that fails as a string also reports "must be null" and the anyOf
    // itself: keep only the informative message.
    if (e.keyword === 'anyOf') continue;
    if (e.keyword === 'type' && (e.params as { type?: string }).type === 'null' && (paths.get(e.instancePath) ?? 0) > 2) continue;
    const path = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
    let field = path || part || 'body';
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'additionalProperties') {
      const extra = String((e.params as { additionalProperty: string }).additionalProperty);
      field = path ? `${path}.${extra}` : extra;
      message = 'is not an allowed field';
    } else if (e.keyword === 'required') {
      const missing = String((e.params as { missingProperty: string }).missingProperty);
      field = path ? `${path}.${missing}` : missing;
      message = 'is required';
    } else if (boundedInteger(e)) {
      // The task service's wording for a page size: "must be an integer from 1 to 100".
      const { minimum, maximum } = e.parentSchema as { minimum: number; maximum: number };
      message = `must be an integer from ${minimum} to ${maximum}`;
    } else if (e.keyword === 'type') {
      // The domain's wording (task.service.ts): "must be a string", not Ajv's "must be string".
      const type = String((e.params as { type: unknown }).type);
      message = `must be ${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type.replace(',', ' or ')}`;
    } else if (e.keyword === 'format' && (e.params as { format: string }).format === 'uuid') {
      message = MALFORMED_ID.message;
    } else if (e.keyword === 'const' || e.keyword === 'enum') {
      message = `must be one of: ${[...new Set(allowed.get(e.instancePath))].map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ')}`;
    }
    if (!out.some((p) => p.field === field && p.message === message)) out.push({ field, message });
  }
  return out;
}
