import type { Metadata, Viewport } from 'next';
import { connection } from 'next/server';
import type { ReactNode } from 'react';
import { AppHeader } from '../components/layout/AppHeader';
import { SessionProvider } from '../components/session/SessionProvider';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Taskgate', template: '%s · Taskgate' },
  description: 'Your tasks, and a GraphQL playground for the API behind them.',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Render per request: src/proxy.ts gives every request its own CSP script nonce, which
  // Next.js stamps on its scripts while rendering (a prerendered page could not carry it).
  await connection();
  return (
    <html lang="en">
      <body>
        <a href="#main" className="skip-link">
          Skip to content
        </a>
        <SessionProvider>
          <AppHeader />
          {children}
        </SessionProvider>
      </body>
    </html>
  );
}
