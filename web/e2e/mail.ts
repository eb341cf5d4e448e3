// Mails the API sent during a browser test, received by the e2e runner's SMTP server (mailbox.mjs).
// A test waits for the mail as a user waits for it to arrive, then follows its link.
import { expect } from '@playwright/test';
import type { ReceivedMail as SmtpMail } from '../../scripts/lib/mailbox.mjs';

/** A mail as the runner's mailbox hands it out over HTTP (its JSON-safe part). */
export type ReceivedMail = Pick<SmtpMail, 'to' | 'from' | 'subject' | 'text' | 'html'>;

/**
 * The next mail to `to` (whose plain text contains `contains`, when given), waiting until it has
 * arrived, up to `timeoutMs`. Each mail is handed out once.
 */
export async function nextMail(
  to: string,
  { contains, timeoutMs = 20_000 }: { contains?: string; timeoutMs?: number } = {},
): Promise<ReceivedMail> {
  const mailbox = process.env.E2E_MAILBOX_URL;
  if (!mailbox) throw new Error('E2E_MAILBOX_URL is not set: run the browser tests with `npm run test:e2e`');
  const query = new URLSearchParams({ to, timeout: String(timeoutMs) });
  if (contains) query.set('contains', contains);
  const response = await fetch(`${mailbox}/next?${query}`);
  const body = await response.text();
  expect(response.status, body).toBe(200);
  return JSON.parse(body) as ReceivedMail;
}

/** The link in the mail's plain-text part whose path is `pathname`. */
export function linkIn(mail: ReceivedMail, pathname: string): URL {
  const found = (mail.text.match(/https?:\/\/\S+/g) ?? [])
    .map((link) => new URL(link))
    .find((url) => url.pathname === pathname);
  if (!found) throw new Error(`no ${pathname} link in the mail "${mail.subject}":\n${mail.text}`);
  return found;
}
