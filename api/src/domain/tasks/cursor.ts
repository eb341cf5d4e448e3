// Opaque keyset cursor: base64url("<created_at ms>.<uuid>") of the last row of a page.
import { validationFailed } from '../domain-errors.js';
import { isUuid } from './task-id.js';

const CURSOR = /^[A-Za-z0-9_-]{1,128}$/;
const MAX_TIMESTAMP_MS = 253_402_300_799_999;

export interface CursorPosition {
  createdAt: Date;
  id: string;
}

export function encodeCursor(row: CursorPosition): string {
  return Buffer.from(`${row.createdAt.getTime()}.${row.id}`).toString('base64url');
}

/** Decodes a cursor from a client; anything malformed is a validation error on `field`. */
export function decodeCursor(cursor: string, field: string): CursorPosition {
  const bad = () => validationFailed([{ field, message: 'is not a valid cursor' }]);
  if (!CURSOR.test(cursor)) throw bad();
  const [ms, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('.');
  if (rest.length > 0 || !ms || !id || !/^[0-9]{1,15}$/.test(ms) || !isUuid(id) || id !== id.toLowerCase()) throw bad();
  // Past 9999-12-31 a timestamp has no ISO-8601 form PostgreSQL accepts.
  if (Number(ms) > MAX_TIMESTAMP_MS) throw bad();
  const createdAt = new Date(Number(ms));
  if (Number.isNaN(createdAt.getTime())) throw bad();
  return { createdAt, id };
}
