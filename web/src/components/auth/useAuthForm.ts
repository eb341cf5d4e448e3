'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useState, type FormEvent } from 'react';
import { describeAuthError, type AuthErrorLike } from '../../lib/auth/errors';
import { useHydrated } from '../forms/useHydrated';
import { useSession } from '../session/SessionProvider';

/** The fetch options handed to an authClient call, so the hook can read a refusal's Retry-After. */
export interface AuthFetchOptions {
  onError: (context: { response: Response }) => void;
}

/**
 * One better-auth call (`authClient.signIn.email(...)`, ...) with the given fetch options.
 * `pending: true`: accepted, but not signed in yet (a second step follows on the same page).
 */
export type AuthCall = (fetchOptions: AuthFetchOptions) => Promise<{ error: AuthErrorLike | null; data?: unknown; pending?: boolean }>;

/**
 * Said when sign-up created the account without a session: the API requires a verified address
 * first (REQUIRE_EMAIL_VERIFICATION), and answers a taken address the same way.
 */
export const VERIFY_FIRST_NOTICE = 'Check your inbox: follow the link we sent to confirm your address, then sign in.';

export interface AuthFormState {
  onSubmit: (event: FormEvent<HTMLFormElement>) => Promise<void>;
  /** The sentence to show for the last failed submit, or null. */
  formError: string | null;
  /** The API's code for the last failed submit (EMAIL_NOT_VERIFIED, ...), or null. */
  errorCode: string | null;
  /** What to do next when the call succeeded without signing in (verify the address first), or null. */
  notice: string | null;
  submitting: boolean;
  /** False until React has hydrated the form; the form stays read-only until then (see useHydrated). */
  hydrated: boolean;
}

/**
 * What the sign-in and sign-up forms share: a viewer who is (or becomes) signed in goes to the task
 * list; a submit validates the fields, makes the better-auth call, and on failure shows the error in
 * words (a 429 says how long to wait, from Retry-After) and lets the user submit again.
 */
export function useAuthForm(validateAll: () => boolean | Promise<boolean>, call: AuthCall): AuthFormState {
  const router = useRouter();
  const { status, refresh } = useSession();
  const [formError, setFormError] = useState<string | null>(null);
  const [errorCode, setErrorCode] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const hydrated = useHydrated();

  useEffect(() => {
    if (status === 'signed-in') router.replace('/');
  }, [status, router]);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setFormError(null);
    setErrorCode(null);
    setNotice(null);
    if (!(await validateAll())) return;
    setSubmitting(true);
    let retryAfterSeconds: number | null = null;
    const { error, data, pending } = await call({
      onError: ({ response }) =>
        void (retryAfterSeconds =
          Number(response.headers.get('Retry-After') ?? response.headers.get('X-Retry-After')) || null),
    }).catch(() => ({ error: { status: 0 }, data: undefined, pending: false }));
    if (error) {
      setFormError(describeAuthError(error, { retryAfterSeconds }));
      setErrorCode(('code' in error ? error.code : undefined) ?? null);
      setSubmitting(false);
      return;
    }
    if (pending) {
      setSubmitting(false);
      return;
    }
    if (data && typeof data === 'object' && 'token' in data && data.token === null) {
      setNotice(VERIFY_FIRST_NOTICE);
      setSubmitting(false);
      return;
    }
    await refresh();
    router.replace('/');
  };

  return { onSubmit, formError, errorCode, notice, submitting, hydrated };
}
