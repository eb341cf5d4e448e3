export type TaskStatus = 'ALL' | 'PENDING' | 'COMPLETED';

export interface TaskRecord {
  id: string;
  title: string;
  description: string | null;
  completed: boolean;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

export interface TaskPageRecord {
  nodes: TaskRecord[];
  endCursor: string | null;
  hasNextPage: boolean;
  /** Lets the page count matching tasks lazily (only when a client asks). */
  status: TaskStatus;
}

export interface TaskInput {
  title: string;
  description?: string | null;
}

export interface TaskPatch {
  title?: string;
  description?: string | null;
  completed?: boolean;
}

export { DESCRIPTION_MAX, PAGE_DEFAULT, PAGE_MAX, TITLE_MAX } from '@taskgate/common/limits';
