import { defineEntity, p } from '@mikro-orm/core';
import { DESCRIPTION_MAX, TITLE_MAX } from '@taskgate/common/limits';
import { User } from './auth.js';

/** A user's task. Every read and write is scoped by `owner` (see domain/tasks/task.service.ts). */
export const Task = defineEntity({
  name: 'Task',
  tableName: 'task',
  properties: {
    id: p.uuid().primary().defaultRaw('gen_random_uuid()'),
    owner: p.manyToOne(User).fieldName('owner_id').deleteRule('cascade'),
    title: p.string().length(TITLE_MAX),
    description: p.string().length(DESCRIPTION_MAX).nullable(),
    completed: p.boolean().default(false),
    createdAt: p.datetime(3).defaultRaw('now()'),
    updatedAt: p.datetime(3).defaultRaw('now()'),
    version: p.integer().default(1).version(),
  },
  checks: [{ name: 'task_title_length', expression: `((char_length((title)::text) >= 1) AND (char_length((title)::text) <= ${TITLE_MAX}))` }],
  indexes: [
    {
      name: 'task_owner_created_id_index',
      expression: 'create index "task_owner_created_id_index" on "task" ("owner_id", "created_at" desc, "id" desc)',
    },
  ],
});

