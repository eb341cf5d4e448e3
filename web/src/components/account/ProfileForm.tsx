'use client';

import { useMemo, useRef } from 'react';
import { validateName } from '../../lib/validation';
import { TextField } from '../forms/TextField';
import { useFormFields } from '../forms/useFormFields';
import { AccountFormElement, AccountSection, FormResult, failureOutcome, useSubmission } from './AccountForm';
import { focusField, useAccountApi, type AccountUser } from './useAccountApi';

export function ProfileForm({ user, onSaved }: { user: AccountUser; onSaved: (user: AccountUser) => void }) {
  const call = useAccountApi();
  const validators = useMemo(() => ({ name: validateName }), []);
  const { values, field, validateAll, setErrors } = useFormFields({ name: user.name }, validators);
  const { busy, outcome, run } = useSubmission();
  const formRef = useRef<HTMLFormElement>(null);

  const onSubmit = () => {
    if (!validateAll()) return;
    return run(async () => {
      const result = await call<{ user?: AccountUser } & Partial<AccountUser>>({
        method: 'PATCH',
        path: '/api/auth/me',
        body: { name: values.name.trim() },
      });
      if (!result.ok) {
        const failed = failureOutcome(result, { field: 'name' });
        if (failed && 'field' in failed && failed.field) {
          setErrors({ name: failed.error });
          focusField(formRef.current, 'name');
        }
        return failed;
      }
      const saved = result.data?.user ?? result.data;
      onSaved({ ...user, ...(saved && typeof saved === 'object' ? saved : {}), name: values.name.trim() });
      return { success: 'Your name is saved.' };
    });
  };

  return (
    <AccountSection title="Profile" description="Your name is shown in the header and to you only.">
      <AccountFormElement label="Profile" onSubmit={onSubmit} formRef={formRef}>
        <TextField label="Name" autoComplete="name" required {...field('name')} />
        <button type="submit" className="button button--primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save name'}
        </button>
      </AccountFormElement>
      <FormResult outcome={outcome} />
    </AccountSection>
  );
}
