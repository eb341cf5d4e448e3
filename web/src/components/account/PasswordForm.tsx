'use client';

import { useId, useMemo, useRef, useState } from 'react';
import { NewPasswordField } from '../auth/NewPasswordField';
import { usePasswordStrength } from '../auth/PasswordStrength';
import { validatePassword } from '../../lib/validation';
import { TextField } from '../forms/TextField';
import { useFormFields } from '../forms/useFormFields';
import { AccountFormElement, AccountSection, FormResult, failureOutcome, useSubmission } from './AccountForm';
import { focusField, useAccountApi, type AccountUser } from './useAccountApi';

export function PasswordForm({ user, onChanged }: { user: AccountUser; onChanged: () => void }) {
  const call = useAccountApi();
  const strength = usePasswordStrength();
  const context = useMemo(() => ({ email: user.email, name: user.name }), [user.email, user.name]);
  const validators = useMemo(
    () => ({
      currentPassword: (value: string) =>
        value === '' ? 'Enter your current password.' : undefined,
      newPassword: (value: string, all: Record<'currentPassword' | 'newPassword', string>) => {
        if (value === '') return 'Enter a new password.';
        if (value === all.currentPassword) return 'Choose a password different from your current one.';
        return validatePassword(value, { forSignUp: true }) ?? strength.problem(value, context);
      },
    }),
    [strength, context],
  );
  const { values, field, validateAll, setErrors, reset } = useFormFields(
    { currentPassword: '', newPassword: '' },
    validators,
  );
  const [revokeOthers, setRevokeOthers] = useState(true);
  const { busy, outcome, run } = useSubmission();
  const formRef = useRef<HTMLFormElement>(null);
  const checkboxId = useId();

  const onSubmit = async () => {
    // Wait for the estimator, so the form refuses what the API would refuse.
    await strength.load();
    if (!validateAll()) return;
    return run(async () => {
      const result = await call({
        method: 'POST',
        path: '/api/auth/password',
        body: { currentPassword: values.currentPassword, newPassword: values.newPassword, revokeOtherSessions: revokeOthers },
      });
      if (result.ok) {
        reset();
        onChanged();
        return {
          success: revokeOthers
            ? 'Your password is changed, and your other sessions are signed out.'
            : 'Your password is changed.',
        };
      }
      const failed = failureOutcome(result, {
        field: 'newPassword',
        wrongPassword: 'Your current password is not right.',
        wrongPasswordField: 'currentPassword',
      });
      if (failed && 'field' in failed && failed.field) {
        setErrors({ [failed.field]: failed.error });
        focusField(formRef.current, failed.field);
      }
      return failed;
    });
  };

  return (
    <AccountSection title="Password">
      <AccountFormElement label="Change your password" onSubmit={onSubmit} formRef={formRef}>
        {/* For password managers: which account this password belongs to. */}
        <input type="email" name="username" autoComplete="username" value={user.email} readOnly hidden />
        <TextField
          label="Current password"
          type="password"
          autoComplete="current-password"
          required
          {...field('currentPassword')}
        />
        <NewPasswordField label="New password" binding={field('newPassword')} strength={strength} context={context} />
        <div className="check-field">
          <input
            id={`${checkboxId}-revoke`}
            type="checkbox"
            checked={revokeOthers}
            onChange={(event) => setRevokeOthers(event.target.checked)}
          />
          <label htmlFor={`${checkboxId}-revoke`}>Sign out my other sessions</label>
        </div>
        <button type="submit" className="button button--primary" disabled={busy}>
          {busy ? 'Changing password…' : 'Change password'}
        </button>
      </AccountFormElement>
      <FormResult outcome={outcome} />
    </AccountSection>
  );
}
