'use client';

import { useMemo, useRef } from 'react';
import { ResendVerification } from '../auth/ResendVerification';
import { validateEmail, validatePassword } from '../../lib/validation';
import { TextField } from '../forms/TextField';
import { useFormFields } from '../forms/useFormFields';
import { AccountFormElement, AccountSection, FormResult, failureOutcome, useSubmission } from './AccountForm';
import { focusField, useAccountApi, type AccountUser } from './useAccountApi';

export function EmailSection({ user }: { user: AccountUser }) {
  const call = useAccountApi();
  const change = useSubmission();
  const formRef = useRef<HTMLFormElement>(null);
  const validators = useMemo(
    () => ({
      newEmail: (value: string) =>
        validateEmail(value) ??
        (value.trim().toLowerCase() === user.email.toLowerCase() ? 'This is already your address.' : undefined),
      password: (value: string) => validatePassword(value, { forSignUp: false }),
    }),
    [user.email],
  );
  const { values, field, validateAll, setErrors, reset } = useFormFields({ newEmail: '', password: '' }, validators);

  const onChange = () => {
    if (!validateAll()) return;
    const newEmail = values.newEmail.trim();
    return change.run(async () => {
      const result = await call({
        method: 'POST',
        path: '/api/auth/email',
        body: { newEmail, password: values.password },
      });
      // The API answers alike whether or not another account uses the address (that owner is
      // told by mail), so the page cannot say more than where the link went.
      if (result.ok) {
        reset();
        return { success: `Check ${newEmail} for a link to confirm the change.` };
      }
      const failed = failureOutcome(result, {
        field: 'newEmail',
        wrongPassword: 'That password is not right.',
        wrongPasswordField: 'password',
      });
      if (failed && 'field' in failed && failed.field) {
        setErrors({ [failed.field]: failed.error });
        focusField(formRef.current, failed.field);
      }
      return failed;
    });
  };

  return (
    <AccountSection title="Email address">
      <p className="account-email">
        <span className="account-email__address">{user.email}</span>{' '}
        {user.emailVerified ? (
          <span className="badge badge--ok">Verified</span>
        ) : (
          <span className="badge badge--warn">Not verified</span>
        )}
      </p>
      {user.emailVerified ? null : (
        <div className="account-email__verify">
          <p className="account-section__intro">
            We sent a link to this address when you signed up. Open it to confirm the address is yours.
          </p>
          <ResendVerification email={user.email} />
        </div>
      )}

      <h3>Change your email address</h3>
      <p className="account-section__intro">
        We send a link to the new address; the change happens when you open it. Your current address gets a
        notice.
      </p>
      <AccountFormElement label="Change your email address" onSubmit={onChange} formRef={formRef}>
        <TextField
          label="New email address"
          type="email"
          inputMode="email"
          autoComplete="email"
          required
          {...field('newEmail')}
        />
        <TextField label="Your password" type="password" autoComplete="current-password" required {...field('password')} />
        <button type="submit" className="button button--primary" disabled={change.busy}>
          {change.busy ? 'Sending…' : 'Send confirmation link'}
        </button>
      </AccountFormElement>
      <FormResult outcome={change.outcome} />
    </AccountSection>
  );
}
