'use client';

import type { PasswordContext } from '@taskgate/common/password';
import { useId, type ChangeEvent } from 'react';
import { PASSWORD_MAX, PASSWORD_MIN } from '../../lib/validation';
import { TextField } from '../forms/TextField';
import { PasswordMeter, type PasswordStrength } from './PasswordStrength';

export const PASSWORD_RULE = `${PASSWORD_MIN} to ${PASSWORD_MAX} characters, hard to guess: a few unrelated words work well. Your name, your email or a common password will not do.`;

/** What useFormFields' `field(name)` gives one field. */
export interface FieldBinding {
  name: string;
  value: string;
  error: string | undefined;
  ref: (element: HTMLInputElement | HTMLTextAreaElement | null) => void;
  onChange: (event: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => void;
  onBlur: () => void;
}

/**
 * A password being chosen (sign-up, a password change, a reset): the field with the policy as its
 * hint and the strength meter under it, which the field's description points at. The estimator
 * starts loading at the first focus or keystroke, not with the page.
 */
export function NewPasswordField({
  label,
  binding,
  strength,
  context,
  readOnly,
  inputRef,
}: {
  label: string;
  binding: FieldBinding;
  strength: PasswordStrength;
  /** The account's words (e-mail, name) the estimator counts against the password. */
  context: PasswordContext;
  readOnly?: boolean;
  /** Also given the input element (to focus it after a refusal). */
  inputRef?: (element: HTMLInputElement | null) => void;
}) {
  const meterId = useId();
  return (
    <>
      <TextField
        readOnly={readOnly}
        label={label}
        type="password"
        autoComplete="new-password"
        hint={PASSWORD_RULE}
        describedBy={binding.value === '' ? undefined : meterId}
        required
        {...binding}
        ref={(element) => {
          inputRef?.(element);
          binding.ref(element);
        }}
        onFocus={() => void strength.load()}
        onChange={(event) => {
          void strength.load();
          binding.onChange(event);
        }}
      />
      <PasswordMeter
        id={meterId}
        password={binding.value}
        verdict={strength.assess(binding.value, context)}
        status={strength.status}
        fieldError={binding.error}
      />
    </>
  );
}
