'use client';

import { useEffect, useRef, useState, type FocusEvent } from 'react';
import { DESCRIPTION_MAX } from '../../lib/validation';
import { TaskEditorFields, useTaskEditor, type SaveTask } from './TaskEditor';

/** Resolves to an error message, or null when the task was created. */
export type CreateTask = SaveTask;

/**
 * The add form. On a phone it starts as the title field alone (the list starts right below it);
 * the description and the Add button appear while the form has focus or holds text (CSS:
 * `data-expanded`, `data-filled`). Enter in the title adds the task either way.
 */
export function AddTaskForm({ onCreate }: { onCreate: CreateTask }) {
  // After adding, the form empties and the title is ready for the next task.
  const editor = useTaskEditor({ title: '', description: '' }, onCreate, ({ reset, titleInput }) => {
    reset();
    titleInput?.focus();
  });
  const filled = editor.values.title !== '' || editor.values.description !== '' || editor.formError !== null;
  const [expanded, setExpanded] = useState(false);

  // Folding the form moves everything below it up. When focus leaves because the user pressed on
  // something below (a task's Edit, say), fold only once that press is over, or the press would
  // land on whatever moved under the finger.
  const pointerDown = useRef(false);
  useEffect(() => {
    const down = () => void (pointerDown.current = true);
    const up = () => void setTimeout(() => (pointerDown.current = false), 0);
    document.addEventListener('pointerdown', down, true);
    document.addEventListener('pointerup', up, true);
    document.addEventListener('pointercancel', up, true);
    return () => {
      document.removeEventListener('pointerdown', down, true);
      document.removeEventListener('pointerup', up, true);
      document.removeEventListener('pointercancel', up, true);
    };
  }, []);
  const onBlur = (event: FocusEvent<HTMLFormElement>) => {
    if (event.currentTarget.contains(event.relatedTarget as Node | null)) return;
    const fold = () => setExpanded(false);
    if (!pointerDown.current) return fold();
    const afterPress = () => void setTimeout(fold, 0);
    document.addEventListener('pointerup', afterPress, { once: true });
    document.addEventListener('pointercancel', afterPress, { once: true });
  };

  return (
    <form
      className="panel add-form"
      noValidate
      onSubmit={editor.onSubmit}
      aria-label="Add a task"
      data-filled={filled ? 'true' : 'false'}
      data-expanded={expanded ? 'true' : 'false'}
      onFocus={() => setExpanded(true)}
      onBlur={onBlur}
    >
      <h2 className="visually-hidden">Add a task</h2>
      <TaskEditorFields
        editor={editor}
        titleLabel="New task"
        titlePlaceholder="What needs doing?"
        descriptionLabel="Description (optional)"
        descriptionHint={`Up to ${DESCRIPTION_MAX} characters.`}
        descriptionClassName="add-form__more"
      />
      <div className="add-form__actions add-form__more">
        <button type="submit" className="button button--primary" disabled={editor.submitting}>
          {editor.submitting ? 'Adding…' : 'Add task'}
        </button>
      </div>
    </form>
  );
}
