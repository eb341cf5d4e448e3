/**
 * The page Content-Security-Policy. Scripts run only from our origin with the request's nonce
 * ('strict-dynamic' lets those scripts load Next.js chunks and GraphiQL's Monaco workers): no
 * 'unsafe-inline' scripts, and 'unsafe-eval' only in development, where React needs it.
 * Styles allow 'unsafe-inline' because GraphiQL's editor (Monaco) injects <style> elements at
 * runtime without a nonce; style injection cannot run script.
 */
export function contentSecurityPolicy(nonce: string, { dev }: { dev: boolean }): string {
  const directives: Record<string, string[]> = {
    'default-src': ["'self'"],
    'script-src': ["'self'", `'nonce-${nonce}'`, "'strict-dynamic'", ...(dev ? ["'unsafe-eval'"] : [])],
    'style-src': ["'self'", "'unsafe-inline'"],
    'img-src': ["'self'", 'data:', 'blob:'],
    'font-src': ["'self'", 'data:'],
    // Same origin only: /graphql and /api/auth/* are proxied by Next.js. 'self' also matches the live
    // socket, ws(s)://<this origin>/graphql (CSP Level 3). Dev adds any ws: for HMR.
    'connect-src': ["'self'", ...(dev ? ['ws:'] : [])],
    'worker-src': ["'self'", 'blob:'],
    'object-src': ["'none'"],
    'base-uri': ["'self'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
  };
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join('; ');
}

/** 128 random bits, base64: unguessable and fresh for every request. */
export function createNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}
