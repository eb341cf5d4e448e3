'use client';

import { RequireUser } from '../session/RequireUser';
import { AddTaskForm } from './AddTaskForm';
import { TaskBoard, TaskListSkeleton } from './TaskBoard';

const nothing = async () => null;

export function TasksScreen() {
  return (
    <RequireUser
      placeholder={
        <>
          {/* The real form, inert, so the list does not move when the session arrives. */}
          <div inert className="add-form-placeholder">
            <AddTaskForm onCreate={nothing} />
          </div>
          <TaskListSkeleton />
        </>
      }
    >
      <TaskBoard />
    </RequireUser>
  );
}
