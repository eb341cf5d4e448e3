'use client';

import { useRef, useState, type FormEvent, type RefObject } from 'react';
import { validateDescription, validateTitle } from '../../lib/validation';
import { TextAreaField, TextField } from '../forms/TextField';
import { useFormFields } from '../forms/useFormFields';

const validators = { title: validateTitle, description: validateDescription };

/** What a task form sends: trimmed, with an empty description as null. */
export interface TaskInput {
  title: string;
  description: string | null;
}

/** Resolves to an error message (the form keeps what was typed), or null when saved. */
export type SaveTask = (input: TaskInput) => Promise<string | null>;

export interface TaskEditor {
  onSubmit: (event: FormEvent<HTMLFormElement>) => Promise<void>;
  submitting: boolean;
  formError: string | null;
  titleInput: RefObject<HTMLInputElement | null>;
  field: ReturnType<typeof useFormFields<'title' | 'description'>>['field'];
  values: { title: string; description: string };
}

/**
 * The title/description editor's state, shared by the add form and a task's edit form: on submit it
 * validates both fields (focusing the first invalid one), saves, and shows the problem if saving
 * failed; `onSaved` runs after a successful save.
 */
export function useTaskEditor(
  initial: { title: string; description: string },
  save: SaveTask,
  onSaved: (editor: { reset: () => void; titleInput: HTMLInputElement | null }) => void,
): TaskEditor {
  const { values, field, validateAll, reset } = useFormFields(initial, validators);
  const [formError, setFormError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const titleInput = useRef<HTMLInputElement | null>(null);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setFormError(null);
    if (!validateAll()) return;
    setSubmitting(true);
    const description = values.description.trim();
    const problem = await save({
      title: values.title.trim(),
      description: description === '' ? null : description,
    });
    setSubmitting(false);
    if (problem) {
      setFormError(problem);
      return;
    }
    onSaved({ reset, titleInput: titleInput.current });
  };

  return { onSubmit, submitting, formError, titleInput, field, values };
}

/** The problem (if any), then the title and description fields; the form around them is the caller's. */
export function TaskEditorFields({
  editor,
  titleLabel,
  titlePlaceholder,
  descriptionLabel,
  descriptionHint,
  descriptionClassName,
}: {
  editor: TaskEditor;
  titleLabel: string;
  titlePlaceholder?: string;
  descriptionLabel: string;
  descriptionHint?: string;
  /** A class for the description field's wrapper (the add form hides it on a phone until used). */
  descriptionClassName?: string;
}) {
  const title = editor.field('title');
  return (
    <>
      {editor.formError ? (
        <p role="alert" className="notice notice--error">
          {editor.formError}
        </p>
      ) : null}
      <TextField
        label={titleLabel}
        placeholder={titlePlaceholder}
        autoComplete="off"
        {...title}
        ref={(element) => {
          editor.titleInput.current = element;
          title.ref(element);
        }}
      />
      <TextAreaField
        label={descriptionLabel}
        hint={descriptionHint}
        rows={2}
        wrapperClassName={descriptionClassName}
        {...editor.field('description')}
      />
    </>
  );
}
