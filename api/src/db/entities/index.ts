import { Account, Jwks, RefreshRotation, Session, User, Verification } from './auth.js';
import { Passkey } from './passkey.js';
import { SecurityEvent } from './security-event.js';
import { Task } from './task.js';
import { TwoFactor } from './two-factor.js';

export { Account, Jwks, Passkey, RefreshRotation, SecurityEvent, Session, Task, TwoFactor, User, Verification };
export const entities = [User, Session, Account, Verification, Jwks, RefreshRotation, Task, SecurityEvent, Passkey, TwoFactor];
