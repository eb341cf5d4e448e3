'use client';

import { DESCRIPTION_MAX } from '../../lib/validation';
import { TaskEditorFields, useTaskEditor, type SaveTask } from './TaskEditor';

/** Resolves to an error message, or null when the task was created. */
export type CreateTask = SaveTask;

export function AddTaskForm({ onCreate }: { onCreate: CreateTask }) {
  // After adding, the form empties and the title is ready for the next task.
  const editor = useTaskEditor({ title: '', description: '' }, onCreate, ({ reset, titleInput }) => {
    reset();
    titleInput?.focus();
  });

  return (
    <form className="panel add-form" noValidate onSubmit={editor.onSubmit} aria-label="Add a task">
      <h2 className="visually-hidden">Add a task</h2>
      <TaskEditorFields
        editor={editor}
        titleLabel="New task"
        titlePlaceholder="What needs doing?"
        descriptionLabel="Description (optional)"
        descriptionHint={`Up to ${DESCRIPTION_MAX} characters.`}
      />
      <div className="add-form__actions">
        <button type="submit" className="button button--primary" disabled={editor.submitting}>
          {editor.submitting ? 'Adding…' : 'Add task'}
        </button>
      </div>
    </form>
  );
}
