// Refusals only HTTP has: the request itself is wrong (method, media type, size, timing), decided
// before any domain code runs. rest/rest-errors.ts gives each its status.

export type HttpOnlyCode = 'METHOD_NOT_ALLOWED' | 'REQUEST_TIMEOUT' | 'PAYLOAD_TOO_LARGE' | 'UNSUPPORTED_MEDIA_TYPE' | 'HEADERS_TOO_LARGE';

/** Thrown by hooks that check the request's HTTP form, not its meaning. */
export class HttpRefusal extends Error {
  constructor(
    readonly code: HttpOnlyCode,
    message: string,
  ) {
    super(message);
    this.name = 'HttpRefusal';
  }
}
