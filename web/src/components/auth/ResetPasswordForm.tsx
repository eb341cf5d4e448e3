'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useMemo, useRef, useState } from 'react';
import { callPublic } from '../../lib/account/api';
import { validatePassword } from '../../lib/validation';
import { FormResult, failureOutcome, useSubmission } from '../account/AccountForm';
import { useFormFields } from '../forms/useFormFields';
import { useHydrated } from '../forms/useHydrated';
import { NewPasswordField } from './NewPasswordField';
import { usePasswordStrength } from './PasswordStrength';
import { useTokenFromLink } from './useTokenFromLink';

/** The link does not say whose account it is: the API checks the account's own words on submit. */
const NO_CONTEXT = {};

export function ResetPasswordForm({ token: linkToken }: { token: string | undefined }) {
  const router = useRouter();
  const hydrated = useHydrated();
  const token = useTokenFromLink(linkToken);
  const strength = usePasswordStrength();
  const validators = useMemo(
    () => ({
      newPassword: (value: string) =>
        value === '' ? 'Enter a new password.' : (validatePassword(value, { forSignUp: true }) ?? strength.problem(value, NO_CONTEXT)),
    }),
    [strength],
  );
  const { values, field, validateAll, setErrors } = useFormFields({ newPassword: '' }, validators);
  const { busy, outcome, run } = useSubmission();
  const [linkDead, setLinkDead] = useState(false);
  const inputRef = useRef<HTMLInputElement | null>(null);

  const onSubmit = async () => {
    await strength.load();
    if (!validateAll()) return;
    return run(async () => {
      const result = await callPublic({
        method: 'POST',
        path: '/api/auth/password/reset',
        body: { token, newPassword: values.newPassword },
      });
      if (result.ok) {
        router.replace('/sign-in?reason=password-reset');
        return null;
      }
      if (result.code === 'INVALID_TOKEN') setLinkDead(true);
      const failed = failureOutcome(result, { field: 'newPassword' });
      if (failed && 'field' in failed && failed.field) {
        setErrors({ newPassword: failed.error });
        inputRef.current?.focus();
      }
      return failed;
    });
  };

  if (!token) {
    return (
      <div className="auth-card">
        <h1>Choose a new password</h1>
        <p className="notice notice--error">
          This link is incomplete. Open the link from the email again, or ask for a new one.
        </p>
        <p className="auth-switch">
          <Link href="/forgot-password">Ask for a new link</Link>
        </p>
      </div>
    );
  }

  return (
    <div className="auth-card">
      <h1>Choose a new password</h1>
      <p className="auth-intro">After this, every session of your account is signed out, and you sign in with the new password.</p>
      <form
        method="post"
        noValidate
        aria-label="Choose a new password"
        onSubmit={(event) => {
          event.preventDefault();
          void onSubmit();
        }}
      >
        <NewPasswordField
          readOnly={!hydrated}
          label="New password"
          binding={field('newPassword')}
          strength={strength}
          context={NO_CONTEXT}
          inputRef={(element) => {
            inputRef.current = element;
          }}
        />
        <button type="submit" className="button button--primary" disabled={!hydrated || busy}>
          {busy ? 'Saving…' : 'Save the new password'}
        </button>
      </form>
      <FormResult outcome={outcome} />
      <p className="auth-switch">
        {linkDead ? <Link href="/forgot-password">Ask for a new link</Link> : <Link href="/sign-in">Back to sign in</Link>}
      </p>
    </div>
  );
}
