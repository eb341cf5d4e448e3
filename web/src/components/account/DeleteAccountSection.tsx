'use client';

import { useMemo, useRef } from 'react';
import { validatePassword } from '../../lib/validation';
import { TextField } from '../forms/TextField';
import { useFormFields } from '../forms/useFormFields';
import { useSession } from '../session/SessionProvider';
import { AccountFormElement, AccountSection, FormResult, failureOutcome, useSubmission } from './AccountForm';
import { focusField, useAccountApi, type AccountUser } from './useAccountApi';

export function DeleteAccountSection({ user }: { user: AccountUser }) {
  const call = useAccountApi();
  const { leaveAfter } = useSession();
  const validators = useMemo(() => ({ password: (value: string) => validatePassword(value, { forSignUp: false }) }), []);
  const { values, field, validateAll, setErrors } = useFormFields({ password: '' }, validators);
  const { busy, outcome, run } = useSubmission();
  const formRef = useRef<HTMLFormElement>(null);

  const onSubmit = () => {
    if (!validateAll()) return;
    return run(async () => {
      const result = await call({ method: 'DELETE', path: '/api/auth/me', body: { password: values.password } });
      if (result.ok) {
        await leaveAfter('deleted');
        return { success: 'Your account is deleted.' };
      }
      const failed = failureOutcome(result, {
        wrongPassword: 'That password is not right. Your account is not deleted.',
        wrongPasswordField: 'password',
      });
      if (failed && 'field' in failed && failed.field) {
        setErrors({ password: failed.error });
        focusField(formRef.current, 'password');
      }
      return failed;
    });
  };

  return (
    <AccountSection
      title="Delete your account"
      className="account-section--danger"
      description="This deletes your account and all your tasks at once, and signs you out everywhere. It cannot be undone."
    >
      <AccountFormElement label="Delete your account" onSubmit={onSubmit} formRef={formRef}>
        <input type="email" name="username" autoComplete="username" value={user.email} readOnly hidden />
        <TextField
          label="Your password, to confirm"
          type="password"
          autoComplete="current-password"
          required
          {...field('password')}
        />
        <button type="submit" className="button button--danger-solid" disabled={busy}>
          {busy ? 'Deleting…' : 'Delete my account'}
        </button>
      </AccountFormElement>
      <FormResult outcome={outcome} />
    </AccountSection>
  );
}
