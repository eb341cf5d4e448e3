'use client';

import { forwardRef, useId, type InputHTMLAttributes, type ReactNode, type TextareaHTMLAttributes } from 'react';

interface FieldChrome {
  label: string;
  hint?: string | undefined;
  error?: string | undefined;
  /** Ids of more text that describes the control (read after the error and hint), e.g. a strength meter. */
  describedBy?: string | undefined;
  /** An extra class for the wrapper around label, control and messages. */
  wrapperClassName?: string | undefined;
}

/** What the control needs to be labelled and to announce its hint and error. */
interface ControlA11y {
  id: string;
  'aria-invalid': true | undefined;
  'aria-describedby': string | undefined;
}

type RenderControl = (a11y: ControlA11y) => ReactNode;

/**
 * The label, hint and error around one control; `control` renders the input or textarea with the
 * id and aria attributes that tie them together (the error is read before the hint).
 */
function Field({ chrome, control }: { chrome: FieldChrome & { id?: string | undefined }; control: RenderControl }) {
  const { label, hint, error, id, describedBy, wrapperClassName } = chrome;
  const generated = useId();
  const inputId = id ?? generated;
  const hintId = hint ? `${inputId}-hint` : undefined;
  const errorId = error ? `${inputId}-error` : undefined;
  return (
    <div className={wrapperClassName ? `field ${wrapperClassName}` : 'field'}>
      <label htmlFor={inputId}>{label}</label>
      {hint ? (
        <span id={hintId} className="hint">
          {hint}
        </span>
      ) : null}
      {control({
        id: inputId,
        'aria-invalid': error ? true : undefined,
        'aria-describedby': [errorId, hintId, describedBy].filter(Boolean).join(' ') || undefined,
      })}
      {error ? (
        <p id={errorId} className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** A labelled input whose hint and error are announced with it (aria-describedby). */
export const TextField = forwardRef<HTMLInputElement, FieldChrome & InputHTMLAttributes<HTMLInputElement>>(
  function TextField({ label, hint, error, id, describedBy, wrapperClassName, ...input }, ref) {
    return (
      <Field
        chrome={{ label, hint, error, id, describedBy, wrapperClassName }}
        control={(a11y) => <input ref={ref} {...a11y} {...input} />}
      />
    );
  },
);

/** The same for a multi-line textarea. */
export const TextAreaField = forwardRef<HTMLTextAreaElement, FieldChrome & TextareaHTMLAttributes<HTMLTextAreaElement>>(
  function TextAreaField({ label, hint, error, id, describedBy, wrapperClassName, ...area }, ref) {
    return (
      <Field
        chrome={{ label, hint, error, id, describedBy, wrapperClassName }}
        control={(a11y) => <textarea ref={ref} {...a11y} {...area} />}
      />
    );
  },
);
