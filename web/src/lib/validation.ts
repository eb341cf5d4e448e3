// The API's input rules, mirrored so forms can say what is wrong before a round trip.
// The API stays the authority: its BAD_USER_INPUT messages are shown as they come.

import { lengthProblem } from '@taskgate/common/password';

// The password policy (length and strength) is the API's own, from the shared package.
export { PASSWORD_MAX, PASSWORD_MIN } from '@taskgate/common/password';

// Task and name limits are the API's own, from the shared package.
export { DESCRIPTION_MAX, NAME_MAX, TITLE_MAX } from '@taskgate/common/limits';
import { DESCRIPTION_MAX, NAME_MAX, TITLE_MAX } from '@taskgate/common/limits';

export type FieldErrors<K extends string> = Partial<Record<K, string>>;

export function validateTitle(title: string): string | undefined {
  const length = title.trim().length;
  if (length === 0) return 'Enter a title.';
  if (length > TITLE_MAX) return `Keep the title to ${TITLE_MAX} characters (it has ${length}).`;
  return undefined;
}

export function validateDescription(description: string): string | undefined {
  if (description.length > DESCRIPTION_MAX) {
    return `Keep the description to ${DESCRIPTION_MAX} characters (it has ${description.length}).`;
  }
  return undefined;
}

// Deliberately loose (something@something.tld): the server decides what it accepts.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function validateEmail(email: string): string | undefined {
  if (email.trim() === '') return 'Enter your email address.';
  if (!EMAIL.test(email.trim())) return 'Enter an email address like name@example.com.';
  return undefined;
}

/**
 * Empty, or (for a new password) outside the length rule, in the API's words ("Password must be at
 * least 8 characters."). The strength rule needs the estimator: see components/auth/PasswordStrength.
 */
export function validatePassword(password: string, { forSignUp }: { forSignUp: boolean }): string | undefined {
  if (password === '') return 'Enter your password.';
  if (!forSignUp) return undefined;
  const problem = lengthProblem(password);
  return problem ? `Password ${problem}.` : undefined;
}

export function validateName(name: string): string | undefined {
  const length = name.trim().length;
  if (length === 0) return 'Enter your name.';
  if (length > NAME_MAX) return `Keep your name to ${NAME_MAX} characters.`;
  return undefined;
}
