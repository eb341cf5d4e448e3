'use client';

import Link from 'next/link';
import { useState } from 'react';
import { authClient } from '../../lib/auth/client';
import { ResendVerification } from './ResendVerification';
import { validateEmail, validatePassword } from '../../lib/validation';
import { TextField } from '../forms/TextField';
import { useFormFields } from '../forms/useFormFields';
import { AuthForm, EmailField } from './AuthForm';
import { TwoFactorStep } from './TwoFactorStep';
import { PasskeySignIn } from './PasskeySignIn';
import { useAuthForm } from './useAuthForm';

const REASONS: Record<string, string> = {
  'signed-out': 'You have signed out.',
  expired: 'Your session has ended. Sign in again to continue.',
  'password-reset': 'Your password is changed, and every session is signed out. Sign in with the new password.',
  deleted: 'Your account and its tasks are deleted.',
};

const validators = {
  email: validateEmail,
  password: (value: string) => validatePassword(value, { forSignUp: false }),
};

export function SignInForm({ reason }: { reason?: string | undefined }) {
  const { values, field, validateAll } = useFormFields({ email: '', password: '' }, validators);
  // With two-factor on, the right password answers `twoFactorRedirect`: the code step follows.
  const [secondStep, setSecondStep] = useState(false);
  const state = useAuthForm(validateAll, async (fetchOptions) => {
    const result = await authClient.signIn.email({ email: values.email.trim(), password: values.password }, fetchOptions);
    if (!result.error && result.data && 'twoFactorRedirect' in result.data && result.data.twoFactorRedirect) {
      setSecondStep(true);
      return { error: null, pending: true };
    }
    return result;
  });

  if (secondStep) {
    return (
      <div className="auth-card">
        <h1>Two-factor sign-in</h1>
        <TwoFactorStep onRestart={() => setSecondStep(false)} />
      </div>
    );
  }

  const notice = reason ? REASONS[reason] : undefined;

  return (
    <div className="auth-card">
      <h1>Sign in</h1>
      {notice ? (
        <p className="notice notice--info" role="status">
          {notice}
        </p>
      ) : null}
      <AuthForm state={state} label="Sign in" submitLabel="Sign in" submittingLabel="Signing in…">
        <EmailField readOnly={!state.hydrated} autoComplete="username webauthn" {...field('email')} />
        <TextField
          readOnly={!state.hydrated}
          label="Password"
          type="password"
          autoComplete="current-password"
          required
          {...field('password')}
        />
        <p className="auth-aside">
          <Link href="/forgot-password">Forgot password?</Link>
        </p>
      </AuthForm>
      <PasskeySignIn />
      {state.errorCode === 'EMAIL_NOT_VERIFIED' ? <ResendVerification email={values.email.trim()} /> : null}
      <p className="auth-switch">
        New here? <Link href="/sign-up">Create an account</Link>
      </p>
    </div>
  );
}
