import { Account, Jwks, Session, User, Verification } from './auth.js';
import { Task } from './task.js';

export { Account, Jwks, Session, Task, User, Verification };
export const entities = [User, Session, Account, Verification, Jwks, Task];
