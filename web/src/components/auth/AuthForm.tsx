'use client';

import { useEffect, useRef, type ComponentProps, type ReactNode } from 'react';
import { TextField } from '../forms/TextField';
import type { AuthFormState } from './useAuthForm';

/**
 * The frame of an auth form: the error alert (focused when it appears, so it is read out), the form
 * named `label`, the caller's fields, and the submit button, disabled until hydrated and while sending.
 */
export function AuthForm({
  state,
  label,
  submitLabel,
  submittingLabel,
  children,
}: {
  state: AuthFormState;
  label: string;
  submitLabel: string;
  submittingLabel: string;
  children: ReactNode;
}) {
  const alertRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (state.formError) alertRef.current?.focus();
  }, [state.formError]);

  return (
    <>
      {state.formError ? (
        <div ref={alertRef} tabIndex={-1} role="alert" className="notice notice--error">
          {state.formError}
        </div>
      ) : null}
      {state.notice ? (
        <p role="status" className="notice notice--info">
          {state.notice}
        </p>
      ) : null}
      <form method="post" noValidate onSubmit={state.onSubmit} aria-label={label}>
        {children}
        <button type="submit" className="button button--primary" disabled={!state.hydrated || state.submitting}>
          {state.submitting ? submittingLabel : submitLabel}
        </button>
      </form>
    </>
  );
}

/** The email field, the same on both forms; the caller adds its value, handlers and readOnly. */
export function EmailField(props: Omit<ComponentProps<typeof TextField>, 'label'>) {
  return <TextField label="Email" type="email" autoComplete="email" inputMode="email" required {...props} />;
}
