// Task ids are UUIDs (version 7, domain/tasks/uuidv7.ts). A malformed id is a mistake in the
// request, answered the same on every transport: VALIDATION_FAILED on `id`, "must be a UUID".
import { validationFailed, type FieldProblem } from '../domain-errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Any UUID, in either case. */
export function isUuid(value: string): boolean {
  return UUID.test(value.toLowerCase());
}

export const MALFORMED_ID: FieldProblem = { field: 'id', message: 'must be a UUID' };

/** Throws VALIDATION_FAILED unless `id` is a UUID. */
export function checkTaskId(id: string): void {
  if (!isUuid(id)) throw validationFailed([MALFORMED_ID]);
}
