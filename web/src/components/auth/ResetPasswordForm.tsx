'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useMemo, useRef, useState } from 'react';
import { callPublic } from '../../lib/account/api';
import { validatePassword } from '../../lib/validation';
import { FormResult, failureOutcome, useSubmission } from '../account/AccountForm';
import { TextField } from '../forms/TextField';
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
  // With two-factor sign-in on, the API asks for a code (or a backup code) with the new password.
  const [needsCode, setNeedsCode] = useState(false);
  const [useBackup, setUseBackup] = useState(false);
  const [code, setCode] = useState('');
  const [codeError, setCodeError] = useState<string | undefined>(undefined);
  const codeRef = useRef<HTMLInputElement | null>(null);
  const inputRef = useRef<HTMLInputElement | null>(null);

  const onSubmit = async () => {
    await strength.load();
    if (!validateAll()) return;
    const secondFactor = code.trim();
    if (needsCode && secondFactor === '') {
      setCodeError(useBackup ? 'Enter one of your backup codes.' : 'Enter the 6-digit code from your authenticator app.');
      codeRef.current?.focus();
      return;
    }
    setCodeError(undefined);
    return run(async () => {
      const proof = !needsCode ? {} : useBackup ? { backupCode: secondFactor } : { code: secondFactor.replace(/\s+/g, '') };
      const result = await callPublic({
        method: 'POST',
        path: '/api/auth/password/reset',
        body: { token, newPassword: values.newPassword, ...proof },
      });
      if (result.ok) {
        router.replace('/sign-in?reason=password-reset');
        return null;
      }
      if (result.code === 'TWO_FACTOR_REQUIRED') {
        setNeedsCode(true);
        return { error: 'Your account has two-factor sign-in: enter the code from your authenticator app (or a backup code) as well.' };
      }
      if (result.code === 'INVALID_CODE') {
        setCodeError(useBackup ? 'That backup code is not right, or it was already used.' : 'That code is not right. Enter the current code from your authenticator app.');
        codeRef.current?.focus();
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
        {needsCode ? (
          <>
            <TextField
              key={useBackup ? 'backup' : 'totp'}
              label={useBackup ? 'Backup code' : 'Code from your authenticator app'}
              name="code"
              autoComplete={useBackup ? 'off' : 'one-time-code'}
              inputMode={useBackup ? undefined : 'numeric'}
              required
              value={code}
              error={codeError}
              ref={codeRef}
              onChange={(event) => setCode(event.target.value)}
            />
            <p className="auth-aside">
              <button
                type="button"
                className="button button--quiet button--small"
                onClick={() => {
                  setUseBackup((backup) => !backup);
                  setCode('');
                  setCodeError(undefined);
                }}
              >
                {useBackup ? 'Use the code from your app' : 'Use a backup code'}
              </button>
            </p>
          </>
        ) : null}
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
