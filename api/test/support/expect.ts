// Assertions on REST error answers, shared by the suites: the one documented error shape
// `{"error": {code, message, details?, requestId}}` (README "Errors").
import { expect } from 'vitest';
import type { HttpResult } from './harness.js';

/**
 * A REST error answer: `status`, a JSON body that is exactly `{error}`, the error `code` and a
 * non-empty message (equal to `message`, or matching it, when given). The request id is checked
 * on every response by the harness (checkedRequestId).
 */
export function expectError(res: HttpResult, status: number, code: string, message?: string | RegExp) {
  expect({ status: res.status, text: res.text }).toMatchObject({ status });
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(Object.keys(res.body ?? {})).toEqual(['error']);
  expect(res.body.error.code).toBe(code);
  expect(typeof res.body.error.message).toBe('string');
  expect(res.body.error.message.length).toBeGreaterThan(0);
  if (message instanceof RegExp) expect(res.body.error.message).toMatch(message);
  else if (message !== undefined) expect(res.body.error.message).toBe(message);
}

/** The fields named by a 400 VALIDATION_FAILED answer, sorted, each once. */
export function detailFields(res: HttpResult): string[] {
  expectError(res, 400, 'VALIDATION_FAILED');
  expect(Array.isArray(res.body.error.details), res.text).toBe(true);
  for (const d of res.body.error.details) {
    expect(Object.keys(d).sort()).toEqual(['field', 'message']);
    expect(d.message.length).toBeGreaterThan(0);
  }
  return [...new Set<string>(res.body.error.details.map((d: { field: string }) => d.field))].sort();
}
