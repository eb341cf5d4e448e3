'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { authClient } from '../../lib/auth/client';
import { describeAuthError } from '../../lib/auth/errors';
import { PASSWORD_MAX, PASSWORD_MIN, validateEmail, validateName, validatePassword } from '../../lib/validation';
import { TextField } from '../forms/TextField';
import { useFormFields } from '../forms/useFormFields';
import { useHydrated } from '../forms/useHydrated';
import { useSession } from '../session/SessionProvider';

const validators = {
  name: validateName,
  email: validateEmail,
  password: (value: string) => validatePassword(value, { forSignUp: true }),
};

export function SignUpForm() {
  const router = useRouter();
  const { status, refresh } = useSession();
  const { values, field, validateAll } = useFormFields({ name: '', email: '', password: '' }, validators);
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
    const { error } = await authClient.signUp
      .email(
        { name: values.name.trim(), email: values.email.trim(), password: values.password },
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

  return (
    <div className="auth-card">
      <h1>Create your account</h1>
      {formError ? (
        <div ref={alertRef} tabIndex={-1} role="alert" className="notice notice--error">
          {formError}
        </div>
      ) : null}
      <form method="post" noValidate onSubmit={onSubmit} aria-label="Create your account">
        <TextField readOnly={!hydrated} label="Name" autoComplete="name" required {...field('name')} />
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
          autoComplete="new-password"
          hint={`${PASSWORD_MIN} to ${PASSWORD_MAX} characters.`}
          required
          {...field('password')}
        />
        <button type="submit" className="button button--primary" disabled={!hydrated || submitting}>
          {submitting ? 'Creating account…' : 'Create account'}
        </button>
      </form>
      <p className="auth-switch">
        Already have an account? <Link href="/sign-in">Sign in</Link>
      </p>
    </div>
  );
}
