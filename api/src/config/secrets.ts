import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, PRODUCTION_SECRET_REQUIRED, type Config } from './env.js';

/**
 * BETTER_AUTH_SECRET from the environment; in development and test a generated one persisted in
 * `${DATA_DIR}/auth-secret` (mode 0600); in production its absence stops the start.
 */
export async function resolveAuthSecret(config: Config, warn: (msg: string) => void): Promise<string> {
  if (config.betterAuthSecret) return config.betterAuthSecret;
  if (config.env === 'production') {
    // loadConfig() already refuses this; a Config built another way is refused the same way.
    throw new ConfigError([PRODUCTION_SECRET_REQUIRED]);
  }
  const file = path.join(config.dataDir, 'auth-secret');
  try {
    const stored = (await readFile(file, 'utf8')).trim();
    if (stored.length >= 32) return stored;
  } catch {
    // not generated yet
  }
  await mkdir(config.dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  warn(`BETTER_AUTH_SECRET is not set: generated a development secret in ${file}. Set it explicitly in production.`);
  return secret;
}
