// The API's input rules, mirrored so forms can say what is wrong before a round trip.
// The API stays the authority: its BAD_USER_INPUT messages are shown as they come.

export const TITLE_MAX = 200;
export const DESCRIPTION_MAX = 2000;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;
export const NAME_MAX = 100;

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

/** Characters as the API counts them: code points after NFKC normalisation. */
export function passwordLength(password: string): number {
  return [...password.normalize('NFKC')].length;
}

export function validatePassword(password: string, { forSignUp }: { forSignUp: boolean }): string | undefined {
  if (password === '') return 'Enter your password.';
  if (!forSignUp) return undefined;
  const length = passwordLength(password);
  if (length < PASSWORD_MIN) return `Use at least ${PASSWORD_MIN} characters.`;
  if (length > PASSWORD_MAX) return `Use at most ${PASSWORD_MAX} characters.`;
  return undefined;
}

export function validateName(name: string): string | undefined {
  const length = name.trim().length;
  if (length === 0) return 'Enter your name.';
  if (length > NAME_MAX) return `Keep your name to ${NAME_MAX} characters.`;
  return undefined;
}
