'use client';

import { RequireUser } from '../session/RequireUser';
import { TaskBoard, TaskListSkeleton } from './TaskBoard';

export function TasksScreen() {
  return (
    <RequireUser
      placeholder={
        <>
          <div className="panel add-form add-form--placeholder" aria-hidden="true" />
          <TaskListSkeleton />
        </>
      }
    >
      <TaskBoard />
    </RequireUser>
  );
}
