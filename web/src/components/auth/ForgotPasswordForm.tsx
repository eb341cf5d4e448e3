'use client';

import Link from 'next/link';
import { useMemo, useState } from 'react';
import { callPublic } from '../../lib/account/api';
import { validateEmail } from '../../lib/validation';
import { FormResult, failureOutcome, useSubmission } from '../account/AccountForm';
import { useFormFields } from '../forms/useFormFields';
import { useHydrated } from '../forms/useHydrated';
import { EmailField } from './AuthForm';

/** The same words for every address, known or not: the page tells nobody whether an account exists. */
export const FORGOT_CONFIRMATION =
  'If an account exists for that address, a link to reset its password is on its way.';

export function ForgotPasswordForm() {
  const hydrated = useHydrated();
  const validators = useMemo(() => ({ email: validateEmail }), []);
  const { values, field, validateAll } = useFormFields({ email: '' }, validators);
  const { busy, outcome, run } = useSubmission();
  const [sentTo, setSentTo] = useState<string | null>(null);

  const onSubmit = () => {
    if (!validateAll()) return;
    const email = values.email.trim();
    return run(async () => {
      const result = await callPublic({ method: 'POST', path: '/api/auth/password/forgot', body: { email } });
      if (!result.ok) return failureOutcome(result);
      setSentTo(email);
      return null;
    });
  };

  return (
    <div className="auth-card">
      <h1>Reset your password</h1>
      <div role="status">
        {sentTo ? (
          <div className="notice notice--ok">
            <p className="notice__p">{FORGOT_CONFIRMATION}</p>
            <p className="notice__p">
              Check the inbox of <strong>{sentTo}</strong>. The link works for 30 minutes, once.
            </p>
          </div>
        ) : null}
      </div>
      {sentTo ? (
        <p className="auth-switch">
          <button type="button" className="link-inline" onClick={() => setSentTo(null)}>
            Use another address
          </button>{' '}
          · <Link href="/sign-in">Back to sign in</Link>
        </p>
      ) : (
        <>
          <p className="auth-intro">Enter the email address of your account. We send you a link to choose a new password.</p>
          <form
            method="post"
            noValidate
            aria-label="Reset your password"
            onSubmit={(event) => {
              event.preventDefault();
              void onSubmit();
            }}
          >
            <EmailField readOnly={!hydrated} {...field('email')} />
            <button type="submit" className="button button--primary" disabled={!hydrated || busy}>
              {busy ? 'Sending…' : 'Send the link'}
            </button>
          </form>
          <FormResult outcome={outcome} />
          <p className="auth-switch">
            Remembered it? <Link href="/sign-in">Sign in</Link>
          </p>
        </>
      )}
    </div>
  );
}
