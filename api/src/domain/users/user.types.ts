export interface UserRecord {
  id: string;
  email: string;
  name: string;
  createdAt: Date;
}

/** Who is calling: resolved once per request from a verified access token. */
export interface Viewer {
  userId: string;
  /** better-auth session id (`sid` claim): the unit of revocation. */
  sessionId: string;
  role: 'USER' | 'ADMIN';
  /** The request this viewer is acting in (for audit lines); set per request, never cached. */
  requestId?: string;
}
