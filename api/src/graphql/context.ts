import type { AccountService } from '../domain/accounts/account.service.js';
import type { AccountRequest } from '../domain/accounts/account.types.js';
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
  accounts: AccountService;
  /** Who sent the request (address, user agent) and its log, for the account service. */
  origin: AccountRequest;
  sessions: SessionService;
  activity: SecurityActivityService;
}

/** For resolvers behind `@auth`: the directive has already rejected anonymous callers. */
export function graphqlViewer(context: GraphQLContext): Viewer {
  if (!context.viewer) throw new Error('graphqlViewer() used outside an @auth field');
  return context.viewer;
}
