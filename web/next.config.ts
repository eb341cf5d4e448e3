import type { NextConfig } from 'next';

/**
 * Where the API listens. The browser never sees this origin: it calls `/api/auth/*` and `/graphql`
 * on the web origin and Next.js proxies them (docs/decisions/003-same-origin-through-next-rewrites.md).
 * Read at `next build` time: the rewrite destination is written into the routes manifest, so
 * setting API_URL only for `next start` has no effect.
 */
const apiUrl = (process.env.API_URL ?? 'http://127.0.0.1:4000').replace(/\/+$/, '');
if (!/^https?:\/\/[^/]+$/.test(apiUrl)) {
  throw new Error(
    `next.config: API_URL must be an origin such as http://127.0.0.1:4000 (got ${JSON.stringify(apiUrl)})`,
  );
}

/**
 * Headers for every response. The full Content-Security-Policy (with a per-request script nonce)
 * is set by src/proxy.ts for pages; this baseline policy also covers everything the proxy skips
 * (static files, proxied API responses). Browsers enforce each policy, so both apply.
 */
const baselineHeaders = [
  {
    key: 'Content-Security-Policy',
    value: "frame-ancestors 'none'; object-src 'none'; base-uri 'self'; form-action 'self'",
  },
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=(), usb=()' },
];

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  async rewrites() {
    return [
      { source: '/api/auth/:path*', destination: `${apiUrl}/api/auth/:path*` },
      { source: '/graphql', destination: `${apiUrl}/graphql` },
    ];
  },
  async headers() {
    return [{ source: '/:path*', headers: baselineHeaders }];
  },
};

export default nextConfig;
