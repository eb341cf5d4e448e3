// The domain's error catalogue: codes and constructors, no transport. Each transport translates
// these once: REST in rest/rest-errors.ts (codes → HTTP statuses), GraphQL in
// graphql/graphql-errors.ts (codes → extensions.code).

export const ERROR_CODES = [
  'UNAUTHENTICATED',
  'INVALID_CREDENTIALS',
  'EMAIL_NOT_VERIFIED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'EMAIL_TAKEN',
  'PRECONDITION_FAILED',
  'VALIDATION_FAILED',
  'WEAK_PASSWORD',
  'INVALID_TOKEN',
  'INVALID_CODE',
  'INVALID_CHALLENGE',
  'TWO_FACTOR_REQUIRED',
  'PASSKEY_CHALLENGE_INVALID',
  'PASSKEY_REJECTED',
  'RATE_LIMITED',
  'INTERNAL_SERVER_ERROR',
  'SERVICE_UNAVAILABLE',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface FieldProblem {
  field: string;
  message: string;
}

export class AppError extends Error {
  /** Seconds, for RATE_LIMITED (sent as Retry-After). */
  retryAfter?: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: FieldProblem[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
  }
}

export function rateLimited(retryAfter: number): AppError {
  const error = new AppError('RATE_LIMITED', `Too many attempts; retry in ${retryAfter} s.`);
  error.retryAfter = retryAfter;
  return error;
}

export const notFound = (what = 'Task') => new AppError('NOT_FOUND', `${what} not found.`);

export const validationFailed = (details: FieldProblem[]) =>
  new AppError('VALIDATION_FAILED', details.map((d) => `${d.field}: ${d.message}`).join('; '), details);

/**
 * A dependency the service cannot do without (the database) did not answer. The cause is kept
 * for the log; the message a client sees says nothing about it.
 */
export const serviceUnavailable = (cause: unknown) =>
  new AppError('SERVICE_UNAVAILABLE', 'Service temporarily unavailable.', undefined, { cause });

/** The same problems with their field names translated (a transport's own names for the domain's). */
export function renameFields(error: unknown, names: Record<string, string>): unknown {
  if (!(error instanceof AppError) || error.code !== 'VALIDATION_FAILED' || !error.details) return error;
  return validationFailed(error.details.map((d) => ({ field: names[d.field] ?? d.field, message: d.message })));
}

/** NUL (PostgreSQL rejects it in text) or a lone UTF-16 surrogate (not valid Unicode). */
// eslint-disable-next-line no-control-regex
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The one message for text that cannot be stored, wherever it is found. */
export const UNSTORABLE_MESSAGE = 'contains characters that cannot be stored (NUL or an unpaired surrogate)';

export function unstorableText(value: string): boolean {
  return UNSTORABLE.test(value);
}
