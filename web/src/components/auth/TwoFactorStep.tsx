'use client';

import { useMemo, useState } from 'react';
import { callPublic } from '../../lib/account/api';
import { TextField } from '../forms/TextField';
import { useFormFields } from '../forms/useFormFields';
import { AuthForm } from './AuthForm';
import { useAuthForm } from './useAuthForm';

/** Codes after which the password step has to be done again (the challenge is gone). */
const CHALLENGE_GONE = new Set(['INVALID_TWO_FACTOR_COOKIE', 'TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE']);

/**
 * The second step of a sign-in with two-factor on: the code from the authenticator app, or (after
 * "Use a backup code") one of the backup codes. better-auth keeps the challenge in a cookie; the
 * session cookie comes with the right code, and the page goes on to the task list like any sign-in.
 */
export function TwoFactorStep({ onRestart }: { onRestart: () => void }) {
  const [useBackup, setUseBackup] = useState(false);
  const validators = useMemo(
    () => ({
      code: (value: string) => {
        const trimmed = value.replace(/\s+/g, '');
        if (useBackup) return trimmed === '' ? 'Enter one of your backup codes.' : undefined;
        return /^\d{6}$/.test(trimmed) ? undefined : 'Enter the 6-digit code from your authenticator app.';
      },
    }),
    [useBackup],
  );
  const { values, field, validateAll } = useFormFields({ code: '' }, validators);
  const [gone, setGone] = useState(false);
  const state = useAuthForm(validateAll, async () => {
    const result = await callPublic({
      method: 'POST',
      path: useBackup ? '/api/auth/two-factor/verify-backup-code' : '/api/auth/two-factor/verify-totp',
      body: { code: useBackup ? values.code.trim() : values.code.replace(/\s+/g, '') },
    });
    if (result.ok) return { error: null };
    if (result.code && CHALLENGE_GONE.has(result.code)) setGone(true);
    return { error: { status: result.status, code: result.code, message: result.message } };
  });

  const codeField = field('code');
  return (
    <div className="two-factor-step">
      <p className="auth-aside">
        {useBackup
          ? 'Enter one of the backup codes you saved when you turned on two-factor sign-in. Each works once.'
          : 'Open your authenticator app and enter the 6-digit code it shows for Taskgate.'}
      </p>
      <AuthForm state={state} label="Two-factor code" submitLabel="Verify" submittingLabel="Verifying…">
        {useBackup ? (
          <TextField
            key="backup"
            readOnly={!state.hydrated}
            label="Backup code"
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            required
            {...codeField}
          />
        ) : (
          <TextField
            key="totp"
            readOnly={!state.hydrated}
            label="Authentication code"
            autoComplete="one-time-code"
            inputMode="numeric"
            pattern="[0-9 ]*"
            maxLength={8}
            required
            {...codeField}
          />
        )}
      </AuthForm>
      <p className="auth-aside">
        <button type="button" className="button button--quiet button--small" onClick={() => setUseBackup((backup) => !backup)}>
          {useBackup ? 'Use the code from your app' : 'Use a backup code'}
        </button>
      </p>
      {gone ? (
        <p className="auth-aside">
          <button type="button" className="button button--quiet button--small" onClick={onRestart}>
            Sign in again
          </button>
        </p>
      ) : null}
    </div>
  );
}
