'use client';

import Link from 'next/link';
import { useId, useMemo } from 'react';
import { authClient } from '../../lib/auth/client';
import { PASSWORD_MAX, PASSWORD_MIN, validateEmail, validateName, validatePassword } from '../../lib/validation';
import { TextField } from '../forms/TextField';
import { useFormFields } from '../forms/useFormFields';
import { AuthForm, EmailField } from './AuthForm';
import { PasswordMeter, usePasswordStrength } from './PasswordStrength';
import { useAuthForm } from './useAuthForm';

export const PASSWORD_RULE = `${PASSWORD_MIN} to ${PASSWORD_MAX} characters, hard to guess: a few unrelated words work well. Your name, your email or a common password will not do.`;

export function SignUpForm() {
  const strength = usePasswordStrength();
  const validators = useMemo(
    () => ({
      name: validateName,
      email: validateEmail,
      password: (value: string, all: Record<'name' | 'email' | 'password', string>) =>
        validatePassword(value, { forSignUp: true }) ?? strength.problem(value, { email: all.email, name: all.name }),
    }),
    [strength],
  );
  const { values, field, validateAll } = useFormFields({ name: '', email: '', password: '' }, validators);
  const state = useAuthForm(
    async () => {
      // A fast typist (or a password manager) may submit before the estimator is in: wait for it,
      // so the form refuses what the API would refuse.
      await strength.load();
      return validateAll();
    },
    (fetchOptions) =>
      authClient.signUp.email(
        { name: values.name.trim(), email: values.email.trim(), password: values.password },
        fetchOptions,
      ),
  );
  const meterId = useId();
  const context = { email: values.email, name: values.name };
  const verdict = strength.assess(values.password, context);
  const passwordField = field('password');

  return (
    <div className="auth-card">
      <h1>Create your account</h1>
      <AuthForm
        state={state}
        label="Create your account"
        submitLabel="Create account"
        submittingLabel="Creating account…"
      >
        <TextField readOnly={!state.hydrated} label="Name" autoComplete="name" required {...field('name')} />
        <EmailField readOnly={!state.hydrated} {...field('email')} />
        <TextField
          readOnly={!state.hydrated}
          label="Password"
          type="password"
          autoComplete="new-password"
          hint={PASSWORD_RULE}
          describedBy={values.password === '' ? undefined : meterId}
          required
          {...passwordField}
          onFocus={() => void strength.load()}
          onChange={(event) => {
            void strength.load();
            passwordField.onChange(event);
          }}
        />
        <PasswordMeter
          id={meterId}
          password={values.password}
          verdict={verdict}
          status={strength.status}
          fieldError={passwordField.error}
        />
      </AuthForm>
      <p className="auth-switch">
        Already have an account? <Link href="/sign-in">Sign in</Link>
      </p>
    </div>
  );
}
