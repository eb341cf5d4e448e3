// The API access token (a short-lived JWT) lives here, in memory only: never in localStorage,
// sessionStorage or a cookie. The long-lived credential is better-auth's httpOnly session cookie;
// GET /api/auth/token trades it for a fresh JWT.
//
// Invariants:
// - at most one refresh is in flight; concurrent callers share it;
// - a token is refreshed shortly before it expires (timer) and on demand (a 401 from the API);
// - after clear() (sign-out, another user) nothing from an older refresh is kept or scheduled;
// - when the session itself is gone (the token endpoint answers 401/403), onSessionEnded runs once.

export type TokenFetchResult =
  | { ok: true; token: string }
  /** The session is gone: signing in again is the only way on. */
  | { ok: false; reason: 'unauthenticated' }
  /** Network down or server error: the session may still be fine, try again later. */
  | { ok: false; reason: 'unavailable' };

export interface TokenManagerOptions {
  fetchToken: () => Promise<TokenFetchResult>;
  onSessionEnded: () => void;
  now?: () => number;
}

/** Refresh this long before `exp`: a fifth of the token's lifetime, at most a minute. */
export function refreshMarginMs(lifetimeMs: number): number {
  return Math.min(60_000, Math.max(0, lifetimeMs) / 5);
}

interface Claims {
  exp?: number;
  iat?: number;
}

/** Reads (does not verify) a JWT's payload: only to learn when to refresh. */
export function readClaims(token: string): Claims {
  const part = token.split('.')[1];
  if (!part) return {};
  try {
    const base64 = part
      .replace(/-/g, '+')
      .replace(/_/g, '/')
      .padEnd(Math.ceil(part.length / 4) * 4, '=');
    const parsed: unknown = JSON.parse(atob(base64));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Claims) : {};
  } catch {
    return {};
  }
}

export class TokenManager {
  private token: string | null = null;
  private expiresAt = 0;
  private refreshAt = 0;
  private inflight: Promise<string | null> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private generation = 0;
  private ended = false;
  private readonly now: () => number;

  constructor(private readonly options: TokenManagerOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The current token without any network call (may be null or about to expire). */
  peek(): string | null {
    return this.token;
  }

  /** True once the token endpoint refused (the session is gone), until clear(). */
  get sessionEnded(): boolean {
    return this.ended;
  }

  /** True when there is no token or it is inside its refresh margin. */
  needsRefresh(): boolean {
    return this.token === null || this.now() >= this.refreshAt;
  }

  /** A usable token, refreshing first when needed; null when signed out or unreachable. */
  async get(): Promise<string | null> {
    if (!this.needsRefresh()) return this.token;
    return this.refresh();
  }

  /** Fetches a new token (or joins the refresh already in flight). */
  refresh(): Promise<string | null> {
    if (this.inflight) return this.inflight;
    const generation = this.generation;
    const run = this.options
      .fetchToken()
      .catch((): TokenFetchResult => ({ ok: false, reason: 'unavailable' }))
      .then((result) => {
        if (generation !== this.generation) return null; // cleared meanwhile: drop it
        if (result.ok) {
          this.store(result.token);
          return result.token;
        }
        if (result.reason === 'unauthenticated') {
          this.drop();
          if (!this.ended) {
            this.ended = true;
            this.options.onSessionEnded();
          }
          return null;
        }
        // Unavailable: keep what we have (the API may still accept it) and let the next
        // operation try again.
        return this.token !== null && this.now() < this.expiresAt ? this.token : null;
      })
      .finally(() => {
        if (this.inflight === run) this.inflight = null;
      });
    this.inflight = run;
    return run;
  }

  /** Forget the token and cancel the timer: on sign-out or when the user changes. */
  clear(): void {
    this.generation += 1;
    this.inflight = null;
    this.ended = false;
    this.drop();
  }

  private drop(): void {
    this.token = null;
    this.expiresAt = 0;
    this.refreshAt = 0;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private store(token: string): void {
    const now = this.now();
    const { exp, iat } = readClaims(token);
    // The token's lifetime by the server's clock, counted from now by ours: a skewed client
    // clock then cannot make a fresh token look expired (and loop on refreshes). Without
    // readable claims assume one minute: refreshing early is harmless.
    const lifetimeMs = typeof exp === 'number' && typeof iat === 'number' && exp > iat ? (exp - iat) * 1000 : 60_000;
    this.token = token;
    this.expiresAt = now + lifetimeMs;
    this.refreshAt = this.expiresAt - refreshMarginMs(lifetimeMs);
    if (this.timer !== null) clearTimeout(this.timer);
    const generation = this.generation;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (generation === this.generation) void this.refresh();
    }, this.refreshAt - now);
  }
}
