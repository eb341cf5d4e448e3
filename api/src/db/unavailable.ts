// A connection failure becomes the domain's SERVICE_UNAVAILABLE here, in the one layer that
// knows the drivers, so no transport inspects a driver error.
import { AppError, serviceUnavailable } from '../domain/domain-errors.js';

const UNAVAILABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', '57P01', '57P03', '53300']);

/**
 * The database cannot be reached or did not answer in time: connection refused/reset, pg's
 * connect timeout ("timeout expired") and query timeout ("Query read timeout"), knex's pool
 * acquire timeout, or a server shutting down. Wrapped errors are recognised by their `cause`.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  const e = error as { code?: unknown; message?: unknown; cause?: unknown } | null;
  if (!e || typeof e !== 'object' || depth > 3) return false;
  if (typeof e.code === 'string' && UNAVAILABLE.has(e.code)) return true;
  if (
    typeof e.message === 'string' &&
    /Knex: Timeout acquiring a connection|Connection terminated|timeout exceeded when trying to connect|^timeout expired$|^Query read timeout$/i.test(
      e.message,
    )
  ) {
    return true;
  }
  return isDatabaseUnavailable(e.cause, depth + 1);
}

/** `error` as the domain sees it: SERVICE_UNAVAILABLE (cause kept) when the database is unreachable. */
export function asDomainError(error: unknown): unknown {
  return !(error instanceof AppError) && isDatabaseUnavailable(error) ? serviceUnavailable(error) : error;
}
