// The account routes answer with codes (INVALID_CREDENTIALS, INVALID_TOKEN, ...); people get
// sentences. Where the API writes its message for people (a refused password, a bad name, a dead
// link) that message is shown as it comes.
import type { ApiResult } from './api';

type Failure = Extract<ApiResult<unknown>, { ok: false }>;

/** Codes whose message is written for people: shown next to the field they are about. */
export const FIELD_CODES = new Set(['WEAK_PASSWORD', 'PASSWORD_REJECTED', 'VALIDATION_FAILED']);

export const INVALID_LINK = 'This link is invalid or has expired. Ask for a new one.';

export function describeAccountError(
  failure: Failure,
  wording: { wrongPassword?: string; notFound?: string } = {},
): string {
  if (failure.status === 0) return 'Cannot reach the server. Check your connection and try again.';
  if (failure.status === 429) {
    const wait = failure.retryAfterSeconds;
    return wait && wait > 0
      ? `Too many attempts. Wait ${wait} second${wait === 1 ? '' : 's'} and try again.`
      : 'Too many attempts. Wait a moment and try again.';
  }
  switch (failure.code) {
    case 'INVALID_CREDENTIALS':
      return wording.wrongPassword ?? 'That password is not right.';
    case 'UNAUTHENTICATED':
      return 'Your session has ended. Sign in again to continue.';
    case 'INVALID_TOKEN':
      return failure.message ?? INVALID_LINK;
    case 'EMAIL_TAKEN':
      return 'Another account already uses that address. Choose another one.';
    case 'NOT_FOUND':
      return wording.notFound ?? 'That no longer exists.';
    case 'WEAK_PASSWORD':
    case 'PASSWORD_REJECTED':
    case 'VALIDATION_FAILED':
      return failure.message ?? 'The server did not accept that. Check the form and try again.';
    case 'PASSKEY_CHALLENGE_INVALID':
    case 'PASSKEY_REJECTED':
      return failure.message ?? 'The passkey was not accepted. Try again.';
    default:
      break;
  }
  if (failure.status >= 500) return 'The server had a problem. Please try again in a moment.';
  return 'That did not work. Please check the form and try again.';
}
