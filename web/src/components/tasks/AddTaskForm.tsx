'use client';

import { useRef, useState, type FormEvent } from 'react';
import { DESCRIPTION_MAX, validateDescription, validateTitle } from '../../lib/validation';
import { TextAreaField, TextField } from '../forms/TextField';
import { useFormFields } from '../forms/useFormFields';

const validators = { title: validateTitle, description: validateDescription };

/** Resolves to an error message, or null when the task was created. */
export type CreateTask = (input: { title: string; description: string | null }) => Promise<string | null>;

export function AddTaskForm({ onCreate }: { onCreate: CreateTask }) {
  const { values, field, validateAll, reset } = useFormFields({ title: '', description: '' }, validators);
  const [formError, setFormError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const titleRef = useRef<HTMLInputElement | null>(null);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setFormError(null);
    if (!validateAll()) return;
    setSubmitting(true);
    const description = values.description.trim();
    const problem = await onCreate({
      title: values.title.trim(),
      description: description === '' ? null : description,
    });
    setSubmitting(false);
    if (problem) {
      setFormError(problem);
      return;
    }
    reset();
    titleRef.current?.focus();
  };

  const title = field('title');
  return (
    <form className="panel add-form" noValidate onSubmit={onSubmit} aria-label="Add a task">
      <h2 className="visually-hidden">Add a task</h2>
      {formError ? (
        <p role="alert" className="notice notice--error">
          {formError}
        </p>
      ) : null}
      <TextField
        label="New task"
        placeholder="What needs doing?"
        autoComplete="off"
        {...title}
        ref={(element) => {
          titleRef.current = element;
          title.ref(element);
        }}
      />
      <TextAreaField
        label="Description (optional)"
        hint={`Up to ${DESCRIPTION_MAX} characters.`}
        rows={2}
        {...field('description')}
      />
      <div className="add-form__actions">
        <button type="submit" className="button button--primary" disabled={submitting}>
          {submitting ? 'Adding…' : 'Add task'}
        </button>
      </div>
    </form>
  );
}
