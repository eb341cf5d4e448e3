'use client';

import Link from 'next/link';
import { useMemo } from 'react';
import { authClient } from '../../lib/auth/client';
import { validateEmail, validateName, validatePassword } from '../../lib/validation';
import { TextField } from '../forms/TextField';
import { useFormFields } from '../forms/useFormFields';
import { AuthForm, EmailField } from './AuthForm';
import { NewPasswordField } from './NewPasswordField';
import { usePasswordStrength } from './PasswordStrength';
import { useAuthForm } from './useAuthForm';

export { PASSWORD_RULE } from './NewPasswordField';

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
  const context = useMemo(() => ({ email: values.email, name: values.name }), [values.email, values.name]);

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
        <NewPasswordField
          readOnly={!state.hydrated}
          label="Password"
          binding={field('password')}
          strength={strength}
          context={context}
        />
      </AuthForm>
      <p className="auth-switch">
        Already have an account? <Link href="/sign-in">Sign in</Link>
      </p>
    </div>
  );
}
