/**
 * Session ids whose access tokens must stop working before they expire (logout, account
 * deletion). Entries live as long as the longest access token could.
 */
export interface RevocationStore {
  revoke(sessionId: string, ttlSeconds: number): Promise<void>;
  isRevoked(sessionId: string): Promise<boolean>;
}

/** Single-instance store. Bounded by the number of sessions revoked within one token lifetime. */
export class MemoryRevocationStore implements RevocationStore {
  private readonly until = new Map<string, number>();

  async revoke(sessionId: string, ttlSeconds: number): Promise<void> {
    this.sweep();
    this.until.set(sessionId, Date.now() + ttlSeconds * 1000);
  }

  async isRevoked(sessionId: string): Promise<boolean> {
    const until = this.until.get(sessionId);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    this.until.delete(sessionId);
    return false;
  }

  private sweep(): void {
    if (this.until.size < 1024) return;
    const now = Date.now();
    for (const [sid, until] of this.until) if (until <= now) this.until.delete(sid);
  }
}
