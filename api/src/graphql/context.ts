import type { RequestOrigin } from '../domain/accounts/events.js';
import type { SecurityActivityService } from '../domain/accounts/security-activity.service.js';
import type { SessionService } from '../domain/accounts/sessions.service.js';
import type { TaskService } from '../domain/tasks/task.service.js';
import type { UserService } from '../domain/users/user.service.js';
import type { Viewer } from '../domain/users/user.types.js';

export interface GraphQLContext {
  /** Null for anonymous callers; `@auth` guarantees it is set inside guarded resolvers. */
  viewer: Viewer | null;
  requestId: string;
  tasks: TaskService;
  users: UserService;
  sessions: SessionService;
  activity: SecurityActivityService;
  /** Where the request came from (client address, user agent), for the security events it causes. */
  origin: RequestOrigin;
}

/** For resolvers behind `@auth`: the directive has already rejected anonymous callers. */
export function graphqlViewer(context: GraphQLContext): Viewer {
  if (!context.viewer) throw new Error('graphqlViewer() used outside an @auth field');
  return context.viewer;
}
