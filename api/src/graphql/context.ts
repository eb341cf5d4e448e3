import type { TaskService } from '../domain/tasks/task.service.js';
import type { UserService } from '../domain/users/user.service.js';
import type { Viewer } from '../domain/users/user.types.js';

export interface GraphQLContext {
  /** Null for anonymous callers; `@auth` guarantees it is set inside guarded resolvers. */
  viewer: Viewer | null;
  requestId: string;
  tasks: TaskService;
  users: UserService;
}

/** For resolvers behind `@auth`: the directive has already rejected anonymous callers. */
export function graphqlViewer(context: GraphQLContext): Viewer {
  if (!context.viewer) throw new Error('graphqlViewer() used outside an @auth field');
  return context.viewer;
}
