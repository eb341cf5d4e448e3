'use client';

import { DESCRIPTION_MAX } from '../../lib/validation';
import { TaskEditorFields, useTaskEditor, type SaveTask } from './TaskEditor';

/** Resolves to an error message, or null when the task was created. */
export type CreateTask = SaveTask;

/**
 * The add form. On a phone it starts as the title field alone (the list starts right below it);
 * the description and the Add button appear while the form has focus or holds text (CSS:
 * `.add-form:focus-within`, `data-filled`). Enter in the title adds the task either way.
 */
export function AddTaskForm({ onCreate }: { onCreate: CreateTask }) {
  // After adding, the form empties and the title is ready for the next task.
  const editor = useTaskEditor({ title: '', description: '' }, onCreate, ({ reset, titleInput }) => {
    reset();
    titleInput?.focus();
  });
  const filled = editor.values.title !== '' || editor.values.description !== '' || editor.formError !== null;

  return (
    <form
      className="panel add-form"
      noValidate
      onSubmit={editor.onSubmit}
      aria-label="Add a task"
      data-filled={filled ? 'true' : 'false'}
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
