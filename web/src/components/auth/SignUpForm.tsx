'use client';

import Link from 'next/link';
import { authClient } from '../../lib/auth/client';
import { PASSWORD_MAX, PASSWORD_MIN, validateEmail, validateName, validatePassword } from '../../lib/validation';
import { TextField } from '../forms/TextField';
import { useFormFields } from '../forms/useFormFields';
import { AuthForm, EmailField } from './AuthForm';
import { useAuthForm } from './useAuthForm';

const validators = {
  name: validateName,
  email: validateEmail,
  password: (value: string) => validatePassword(value, { forSignUp: true }),
};

export function SignUpForm() {
  const { values, field, validateAll } = useFormFields({ name: '', email: '', password: '' }, validators);
  const state = useAuthForm(validateAll, (fetchOptions) =>
    authClient.signUp.email(
      { name: values.name.trim(), email: values.email.trim(), password: values.password },
      fetchOptions,
    ),
  );

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
          hint={`${PASSWORD_MIN} to ${PASSWORD_MAX} characters.`}
          required
          {...field('password')}
        />
      </AuthForm>
      <p className="auth-switch">
        Already have an account? <Link href="/sign-in">Sign in</Link>
      </p>
    </div>
  );
}
