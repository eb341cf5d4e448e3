// Verifies access tokens (better-auth jwt plugin: EdDSA, `sub` = user id, `sid` = session id).
// The key set lives in memory and is re-read on an unknown `kid`, at most once per cooldown.
// Successful verifications are cached in a bounded LRU keyed by the token until its `exp`;
// the revocation set is consulted on every request, cached or not.
import { createLocalJWKSet, errors as joseErrors, jwtVerify, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';
import type { Viewer } from '../domain/users/user.types.js';
import type { RevocationStore } from './revocations.js';

export class InvalidTokenError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'InvalidTokenError';
  }
}

export interface AccessTokenVerifierOptions {
  issuer: string;
  audience: string;
  loadKeys: () => Promise<JSONWebKeySet>;
  revocations: RevocationStore;
  clockToleranceSeconds?: number;
  keyReloadCooldownMs?: number;
  cacheSize?: number;
}

interface Cached {
  viewer: Viewer;
  /** The token's `exp`, in ms since the epoch. */
  expiresAt: number;
}

/** A verified token: who it speaks for, and until when. */
export interface VerifiedToken {
  viewer: Viewer;
  expiresAt: number;
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const MAX_TOKEN_LENGTH = 4096;

export class AccessTokenVerifier {
  private keys: JWTVerifyGetKey | null = null;
  private lastLoad = 0;
  private loading: Promise<void> | null = null;
  private readonly cache: LRUCache<string, Cached>;

  constructor(private readonly options: AccessTokenVerifierOptions) {
    this.cache = new LRUCache({ max: options.cacheSize ?? 10_000, ttlAutopurge: false });
  }

  /** The viewer a token speaks for; throws InvalidTokenError for anything but a valid, live token. */
  async verify(token: string): Promise<Viewer> {
    return (await this.inspect(token)).viewer;
  }

  /** As verify(), with the token's expiry (a WebSocket authenticated by it closes then). */
  async inspect(token: string): Promise<VerifiedToken> {
    if (token.length > MAX_TOKEN_LENGTH || !JWT_SHAPE.test(token)) throw new InvalidTokenError('malformed');
    const cached = this.cache.get(token);
    if (cached) {
      await this.assertNotRevoked(cached.viewer.sessionId);
      return cached;
    }
    const payload = await this.verifySignature(token);
    const { sub, sid, exp } = payload;
    if (typeof sub !== 'string' || sub === '' || typeof sid !== 'string' || sid === '' || typeof exp !== 'number') {
      throw new InvalidTokenError('missing claims');
    }
    await this.assertNotRevoked(sid);
    const viewer: Viewer = { userId: sub, sessionId: sid, role: payload.role === 'ADMIN' ? 'ADMIN' : 'USER' };
    const expiresAt = exp * 1000;
    const ttl = expiresAt - Date.now();
    if (ttl > 0) this.cache.set(token, { viewer, expiresAt }, { ttl });
    return { viewer, expiresAt };
  }

  /** Drops cached verifications of a session (on logout) so revocation is immediate. */
  forgetSession(sessionId: string): void {
    for (const [token, entry] of this.cache.entries()) if (entry.viewer.sessionId === sessionId) this.cache.delete(token);
  }

  /** Reloads the key set now (after key rotation). */
  async reloadKeys(): Promise<void> {
    this.lastLoad = 0;
    await this.loadKeys();
  }

  private async assertNotRevoked(sessionId: string): Promise<void> {
    if (await this.options.revocations.isRevoked(sessionId)) throw new InvalidTokenError('revoked');
  }

  private async loadKeys(): Promise<void> {
    const cooldown = this.options.keyReloadCooldownMs ?? 5_000;
    if (this.keys && Date.now() - this.lastLoad < cooldown) return;
    this.loading ??= (async () => {
      try {
        this.keys = createLocalJWKSet(await this.options.loadKeys());
        this.lastLoad = Date.now();
      } finally {
        this.loading = null;
      }
    })();
    await this.loading;
  }

  private async verifySignature(token: string) {
    if (!this.keys) await this.loadKeys();
    const verifyOptions = {
      algorithms: ['EdDSA'],
      issuer: this.options.issuer,
      audience: this.options.audience,
      requiredClaims: ['exp', 'iat', 'sub', 'sid'],
      clockTolerance: this.options.clockToleranceSeconds ?? 30,
    };
    try {
      return (await jwtVerify(token, this.keys!, verifyOptions)).payload;
    } catch (error) {
      if (error instanceof joseErrors.JWKSNoMatchingKey) {
        // Perhaps a key added since we loaded (rotation, another instance): re-read once per cooldown.
        const before = this.keys;
        await this.loadKeys();
        if (this.keys !== before) {
          try {
            return (await jwtVerify(token, this.keys!, verifyOptions)).payload;
          } catch (retryError) {
            throw new InvalidTokenError(reasonOf(retryError));
          }
        }
      }
      throw new InvalidTokenError(reasonOf(error));
    }
  }
}

function reasonOf(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `claim ${error.claim} invalid`;
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'unknown key';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'bad signature';
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'algorithm not allowed';
  if (error instanceof joseErrors.JOSEError) return error.code;
  // Key-confusion attempts can surface as a plain TypeError: still just an invalid token.
  return 'malformed';
}
