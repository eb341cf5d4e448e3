'use client';

import { useCallback, useRef, useState, type ChangeEvent } from 'react';
import type { FieldErrors } from '../../lib/validation';

/** Checks one field; `all` holds every field's current value (a password rule reads the email and name). */
type Validators<K extends string> = Record<K, (value: string, all: Record<K, string>) => string | undefined>;

/**
 * Field values with inline validation: a field is checked when it loses focus (if it was
 * edited) and on submit; once it shows an error, the error updates as the user types.
 */
export function useFormFields<K extends string>(initial: Record<K, string>, validators: Validators<K>) {
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState<FieldErrors<K>>({});
  const edited = useRef(new Set<K>());
  const elements = useRef(new Map<K, HTMLInputElement | HTMLTextAreaElement>());

  const check = useCallback(
    (name: K, value: string, all: Record<K, string>) => {
      setErrors((previous) => ({ ...previous, [name]: validators[name](value, all) }));
    },
    [validators],
  );

  const field = (name: K) => ({
    name,
    value: values[name],
    error: errors[name],
    ref: (element: HTMLInputElement | HTMLTextAreaElement | null) => {
      if (element) elements.current.set(name, element);
      else elements.current.delete(name);
    },
    onChange: (event: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => {
      const value = event.target.value;
      edited.current.add(name);
      setValues((previous) => ({ ...previous, [name]: value }));
      if (errors[name]) check(name, value, { ...values, [name]: value });
    },
    onBlur: () => {
      if (edited.current.has(name)) check(name, values[name], values);
    },
  });

  /** Validates every field; focuses the first invalid one. True when all are valid. */
  const validateAll = (): boolean => {
    const next = {} as FieldErrors<K>;
    let first: K | undefined;
    for (const name of Object.keys(validators) as K[]) {
      const error = validators[name](values[name], values);
      next[name] = error;
      if (error && first === undefined) first = name;
    }
    setErrors(next);
    if (first !== undefined) elements.current.get(first)?.focus();
    return first === undefined;
  };

  const reset = () => {
    setValues(initial);
    setErrors({});
    edited.current.clear();
  };

  return { values, errors, field, validateAll, reset, setErrors };
}
