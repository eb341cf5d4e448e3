'use client';

import { useCallback, useEffect, useId, useRef, useState, type FormEvent, type ReactNode, type Ref } from 'react';
import type { ApiResult } from '../../lib/account/api';
import { describeAccountError, FIELD_CODES } from '../../lib/account/errors';

type Failure = Extract<ApiResult<unknown>, { ok: false }>;

/** What a submit ended with: a sentence for the live region, or an error (maybe for one field). */
export type SubmitOutcome = { success: string } | { error: string; field?: string | undefined } | null;

/**
 * The busy flag and the last outcome of one form. `run` does nothing while a submit is in flight
 * (a double click sends once).
 */
export function useSubmission() {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<SubmitOutcome>(null);
  const inFlight = useRef(false);

  const run = useCallback(async (work: () => Promise<SubmitOutcome>) => {
    if (inFlight.current) return;
    inFlight.current = true;
    setBusy(true);
    setOutcome(null);
    try {
      setOutcome(await work());
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  }, []);

  return { busy, outcome, run, clear: () => setOutcome(null) };
}

/**
 * A refusal as an outcome: the API's message for people goes next to `field` when the code is
 * about that field (a weak password, a bad name); everything else is a sentence for the form.
 */
export function failureOutcome(
  failure: Failure,
  options: { field?: string; wrongPassword?: string; wrongPasswordField?: string; notFound?: string } = {},
): SubmitOutcome {
  const error = describeAccountError(failure, options);
  if (failure.code && FIELD_CODES.has(failure.code) && options.field) return { error, field: options.field };
  if (failure.code === 'INVALID_CREDENTIALS' && options.wrongPasswordField)
    return { error, field: options.wrongPasswordField };
  return { error };
}

/**
 * One account section: a heading, a short explanation, the form, and its result. The success
 * message goes into a polite live region that is always in the page (so it is announced); an
 * error is an alert, focused when it appears.
 */
export function AccountSection({
  title,
  description,
  children,
  className,
}: {
  title: string;
  description?: ReactNode;
  children: ReactNode;
  className?: string;
}) {
  const headingId = useId();
  return (
    <section aria-labelledby={headingId} className={className ? `panel account-section ${className}` : 'panel account-section'}>
      <h2 id={headingId}>{title}</h2>
      {description ? <p className="account-section__intro">{description}</p> : null}
      {children}
    </section>
  );
}

export function FormResult({ outcome }: { outcome: SubmitOutcome }) {
  const alertRef = useRef<HTMLDivElement>(null);
  const error = outcome && 'error' in outcome && !outcome.field ? outcome.error : null;
  const success = outcome && 'success' in outcome ? outcome.success : '';
  useEffect(() => {
    if (error) alertRef.current?.focus();
  }, [error]);
  return (
    <>
      {error ? (
        <div ref={alertRef} tabIndex={-1} role="alert" className="notice notice--error account-result">
          {error}
        </div>
      ) : null}
      <p role="status" className={success ? 'notice notice--ok account-result' : 'account-result--empty'}>
        {success}
      </p>
    </>
  );
}

/** The form element: labelled by its submit's purpose, never submitted natively. */
export function AccountFormElement({
  label,
  onSubmit,
  children,
  formRef,
}: {
  label: string;
  onSubmit: () => void | Promise<void>;
  children: ReactNode;
  formRef?: Ref<HTMLFormElement>;
}) {
  return (
    <form
      ref={formRef}
      method="post"
      noValidate
      aria-label={label}
      onSubmit={(event: FormEvent<HTMLFormElement>) => {
        event.preventDefault();
        void onSubmit();
      }}
    >
      {children}
    </form>
  );
}
