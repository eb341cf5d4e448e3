// One error catalogue for the domain. Each transport translates these once:
// REST in plugins/errors.ts, GraphQL in graphql/errors.ts.

export const ERROR_STATUS = {
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  EMAIL_NOT_VERIFIED: 403,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  EMAIL_TAKEN: 409,
  REQUEST_TIMEOUT: 408,
  PRECONDITION_FAILED: 412,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  HEADERS_TOO_LARGE: 431,
  VALIDATION_FAILED: 400,
  WEAK_PASSWORD: 400,
  INVALID_TOKEN: 400,
  RATE_LIMITED: 429,
  INTERNAL_SERVER_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface FieldProblem {
  field: string;
  message: string;
}

export class AppError extends Error {
  readonly status: number;
  /** Seconds, for RATE_LIMITED (sent as Retry-After). */
  retryAfter?: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: FieldProblem[],
  ) {
    super(message);
    this.name = 'AppError';
    this.status = ERROR_STATUS[code];
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

/** NUL (PostgreSQL rejects it in text) or a lone UTF-16 surrogate (not valid Unicode). */
// eslint-disable-next-line no-control-regex
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function unstorableText(value: string): boolean {
  return UNSTORABLE.test(value);
}
