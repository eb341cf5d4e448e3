'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { authClient } from '../../lib/auth/client';
import { describeAuthError } from '../../lib/auth/errors';
import { validateEmail, validatePassword } from '../../lib/validation';
import { TextField } from '../forms/TextField';
import { useFormFields } from '../forms/useFormFields';
import { useHydrated } from '../forms/useHydrated';
import { useSession } from '../session/SessionProvider';

const REASONS: Record<string, string> = {
  'signed-out': 'You have signed out.',
  expired: 'Your session has ended. Sign in again to continue.',
};

const validators = {
  email: validateEmail,
  password: (value: string) => validatePassword(value, { forSignUp: false }),
};

export function SignInForm({ reason }: { reason?: string | undefined }) {
  const router = useRouter();
  const { status, refresh } = useSession();
  const { values, field, validateAll } = useFormFields({ email: '', password: '' }, validators);
  const [formError, setFormError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const alertRef = useRef<HTMLDivElement>(null);
  const hydrated = useHydrated();

  useEffect(() => {
    if (status === 'signed-in') router.replace('/');
  }, [status, router]);

  useEffect(() => {
    if (formError) alertRef.current?.focus();
  }, [formError]);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setFormError(null);
    if (!validateAll()) return;
    setSubmitting(true);
    let retryAfterSeconds: number | null = null;
    const { error } = await authClient.signIn
      .email(
        { email: values.email.trim(), password: values.password },
        {
          onError: ({ response }) =>
            void (retryAfterSeconds =
              Number(response.headers.get('Retry-After') ?? response.headers.get('X-Retry-After')) || null),
        },
      )
      .catch(() => ({ error: { status: 0 } }));
    if (error) {
      setFormError(describeAuthError(error, { retryAfterSeconds }));
      setSubmitting(false);
      return;
    }
    await refresh();
    router.replace('/');
  };

  const notice = reason ? REASONS[reason] : undefined;

  return (
    <div className="auth-card">
      <h1>Sign in</h1>
      {notice ? (
        <p className="notice notice--info" role="status">
          {notice}
        </p>
      ) : null}
      {formError ? (
        <div ref={alertRef} tabIndex={-1} role="alert" className="notice notice--error">
          {formError}
        </div>
      ) : null}
      <form method="post" noValidate onSubmit={onSubmit} aria-label="Sign in">
        <TextField
          readOnly={!hydrated}
          label="Email"
          type="email"
          autoComplete="email"
          inputMode="email"
          required
          {...field('email')}
        />
        <TextField
          readOnly={!hydrated}
          label="Password"
          type="password"
          autoComplete="current-password"
          required
          {...field('password')}
        />
        <button type="submit" className="button button--primary" disabled={!hydrated || submitting}>
          {submitting ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p className="auth-switch">
        New here? <Link href="/sign-up">Create an account</Link>
      </p>
    </div>
  );
}
