// `npm run keys:rotate`: adds a new Ed25519 signing key. Running API instances pick it up on the
// first token that names it (the verifier re-reads the key set on an unknown `kid`); tokens signed
// with older keys keep working until they expire, because /api/auth/jwks keeps serving them.
import { buildApp } from '../app.js';
import { rotateSigningKey } from '../auth/better-auth.js';
import { loadConfig } from '../config/env.js';

const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
const built = await buildApp(config);
try {
  const before = ((await built.auth.api.getJwks()) as { keys: unknown[] }).keys.length;
  const kid = await rotateSigningKey(built.auth, {
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
    accessTokenTtlSeconds: config.accessTokenTtlSeconds,
  });
  console.log(`New signing key ${kid} added (${before} → ${before + 1} keys in the JWKS). New tokens are signed with it.`);
} finally {
  await built.app.close();
}
