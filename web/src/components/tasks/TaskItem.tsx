'use client';

import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import type { TaskFieldsFragment } from '../../gql/graphql';
import { DeleteIcon, EditIcon } from './icons';
import { TaskEditorFields, useTaskEditor, type TaskInput } from './TaskEditor';

export interface TaskActions {
  onToggle: (task: TaskFieldsFragment) => void;
  onDelete: (task: TaskFieldsFragment) => void;
  /** Resolves to an error message (the form stays open), or null when saved. */
  onSave: (task: TaskFieldsFragment, input: TaskInput) => Promise<string | null>;
}

type Mode = 'view' | 'edit' | 'confirm-delete';

export function TaskItem({ task, actions }: { task: TaskFieldsFragment; actions: TaskActions }) {
  const [mode, setMode] = useState<Mode>('view');
  const titleId = useId();
  const editButton = useRef<HTMLButtonElement>(null);
  const deleteButton = useRef<HTMLButtonElement>(null);
  const cancelDelete = useRef<HTMLButtonElement>(null);
  const returnFocusTo = useRef<'edit' | 'delete' | null>(null);

  // Put focus back where the user was after leaving edit / confirm mode.
  useEffect(() => {
    if (mode === 'confirm-delete') cancelDelete.current?.focus();
    if (mode === 'view' && returnFocusTo.current) {
      (returnFocusTo.current === 'edit' ? editButton : deleteButton).current?.focus();
      returnFocusTo.current = null;
    }
  }, [mode]);

  const back = (from: 'edit' | 'delete') => {
    returnFocusTo.current = from;
    setMode('view');
  };

  return (
    <li className={`task${task.completed ? ' task--done' : ''}`}>
      <input
        type="checkbox"
        checked={task.completed}
        onChange={() => actions.onToggle(task)}
        aria-labelledby={titleId}
        disabled={mode === 'edit'}
      />
      {mode === 'edit' ? (
        <EditTaskForm task={task} onSave={actions.onSave} onDone={() => back('edit')} titleId={titleId} />
      ) : (
        <>
          <div className="task__body">
            <p className="task__title" id={titleId}>
              {task.title}
            </p>
            {task.description ? <p className="task__description">{task.description}</p> : null}
          </div>
          {mode === 'confirm-delete' ? (
            <div className="task__confirm" role="group" aria-label={`Delete “${task.title}”?`}>
              <span>Delete this task?</span>
              <button
                type="button"
                className="button button--small button--danger-solid"
                onClick={() => actions.onDelete(task)}
              >
                Delete<span className="visually-hidden"> “{task.title}”</span>
              </button>
              <button type="button" className="button button--small" ref={cancelDelete} onClick={() => back('delete')}>
                Keep it
              </button>
            </div>
          ) : (
            <div className="task__actions">
              {/* Icon buttons: the words are for screen readers; the tooltip says the same. */}
              <button
                type="button"
                className="icon-button"
                title="Edit"
                ref={editButton}
                onClick={() => setMode('edit')}
              >
                <EditIcon />
                <span className="visually-hidden">Edit “{task.title}”</span>
              </button>
              <button
                type="button"
                className="icon-button icon-button--danger"
                title="Delete"
                ref={deleteButton}
                onClick={() => setMode('confirm-delete')}
              >
                <DeleteIcon />
                <span className="visually-hidden">Delete “{task.title}”</span>
              </button>
            </div>
          )}
        </>
      )}
    </li>
  );
}

function EditTaskForm({
  task,
  onSave,
  onDone,
  titleId,
}: {
  task: TaskFieldsFragment;
  onSave: TaskActions['onSave'];
  onDone: () => void;
  titleId: string;
}) {
  const editor = useTaskEditor(
    { title: task.title, description: task.description ?? '' },
    (input) => onSave(task, input),
    onDone,
  );
  const { titleInput } = editor;

  useEffect(() => {
    titleInput.current?.focus();
    titleInput.current?.select();
  }, [titleInput]);

  const onKeyDown = (event: KeyboardEvent<HTMLFormElement>) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      onDone();
    }
  };

  return (
    <form
      className="task__edit"
      noValidate
      onSubmit={editor.onSubmit}
      onKeyDown={onKeyDown}
      aria-label={`Edit “${task.title}”`}
    >
      {/* Keeps the checkbox's accessible name while editing. */}
      <span id={titleId} className="visually-hidden">
        {task.title}
      </span>
      <TaskEditorFields editor={editor} titleLabel="Title" descriptionLabel="Description" />
      <div className="task__edit-actions">
        <button type="submit" className="button button--small button--primary" disabled={editor.submitting}>
          {editor.submitting ? 'Saving…' : 'Save'}
        </button>
        <button type="button" className="button button--small" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
