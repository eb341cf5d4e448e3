// better-auth answers with codes (USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL, ...) or, when its rate
// limiter refuses, a bare 429. People get sentences.

export interface AuthErrorLike {
  code?: string | undefined;
  message?: string | undefined;
  status?: number | undefined;
}

export function describeAuthError(error: AuthErrorLike, options: { retryAfterSeconds?: number | null } = {}): string {
  if (error.status === 429) {
    const wait = options.retryAfterSeconds;
    return wait && wait > 0
      ? `Too many attempts. Wait ${wait} second${wait === 1 ? '' : 's'} and try again.`
      : 'Too many attempts. Wait a moment and try again.';
  }
  switch (error.code) {
    case 'USER_ALREADY_EXISTS':
    case 'USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL':
      return 'An account with this email already exists. Sign in instead, or use another email.';
    case 'INVALID_EMAIL_OR_PASSWORD':
    case 'INVALID_PASSWORD':
    case 'USER_NOT_FOUND':
    case 'CREDENTIAL_ACCOUNT_NOT_FOUND':
      return 'That email and password do not match an account.';
    case 'INVALID_EMAIL':
      return 'Enter a valid email address.';
    case 'PASSWORD_REJECTED':
      // The API's password policy (length, too common) explains itself in words.
      return error.message || 'Choose another password.';
    case 'PASSWORD_TOO_SHORT':
      return 'The password is too short.';
    case 'PASSWORD_TOO_LONG':
      return 'The password is too long.';
    case 'EMAIL_NOT_VERIFIED':
      return 'Confirm your email address before signing in.';
    case 'INVALID_ORIGIN':
    case 'MISSING_OR_NULL_ORIGIN':
    case 'CROSS_SITE_NAVIGATION_LOGIN_BLOCKED':
      return 'The server did not accept a request from this address. Open the app at the address it was set up for.';
    case 'INVALID_CODE':
      return 'That code is not right. Enter the current code from your authenticator app.';
    case 'INVALID_BACKUP_CODE':
      return 'That backup code is not right, or it was already used.';
    case 'INVALID_TWO_FACTOR_COOKIE':
    case 'TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE':
      return 'This sign-in has expired or had too many wrong codes. Sign in again with your password.';
    case 'FAILED_TO_CREATE_USER':
      return 'The account could not be created. Please try again.';
    default:
      break;
  }
  if (!error.status) return 'Cannot reach the server. Check your connection and try again.';
  if (error.status >= 500) return 'The server had a problem. Please try again in a moment.';
  return 'That did not work. Please check the form and try again.';
}
