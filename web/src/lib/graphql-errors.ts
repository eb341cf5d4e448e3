import type { CombinedError } from '@urql/core';

/** The API's error codes (GraphQL `extensions.code`). */
export type ApiErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'BAD_USER_INPUT' | 'CONFLICT';

export function errorCode(error: CombinedError | undefined): string | undefined {
  const code = error?.graphQLErrors.find((e) => typeof e.extensions?.code === 'string')?.extensions.code;
  return typeof code === 'string' ? code : undefined;
}

export function isAuthError(error: CombinedError): boolean {
  return error.response?.status === 401 || errorCode(error) === 'UNAUTHENTICATED';
}

/** A sentence for people; the API's own message only where it is written for them (bad input). */
export function describeGraphQLError(error: CombinedError): string {
  if (error.networkError && !error.graphQLErrors.length) {
    return 'Cannot reach the server. Check your connection and try again.';
  }
  switch (errorCode(error)) {
    case 'UNAUTHENTICATED':
      return 'Your session has ended. Sign in again to continue.';
    case 'FORBIDDEN':
      return 'You are not allowed to do that.';
    case 'NOT_FOUND':
      return 'That task no longer exists. It may have been deleted elsewhere.';
    case 'CONFLICT':
      return 'This task was changed elsewhere in the meantime.';
    case 'BAD_USER_INPUT': {
      const message = error.graphQLErrors[0]?.message;
      return message ? `The server did not accept that: ${message}` : 'The server did not accept that input.';
    }
    default:
      return 'Something went wrong on the server. Please try again.';
  }
}
