// The API tests' mail server: a real SMTP server in the test process (scripts/lib/mailbox.mjs).
// The API sends to it over SMTP as it would to Mailpit or a provider; tests wait for a message to
// an address (no sleeps) and read it, links included, as a user would.
import { startSmtpMailbox, type ReceivedMail, type SmtpMailbox } from '../../../scripts/lib/mailbox.mjs';
import { startApi, type DbKind, type TestApi } from './harness.js';

export type { ReceivedMail };

export interface Mailbox extends Omit<SmtpMailbox, 'nextMail'> {
  /** The next mail to `to` (whose subject matches `subject`, if given) not yet taken: already received or still to come. */
  nextMail(to: string, subject?: RegExp, timeoutMs?: number): Promise<ReceivedMail>;
}

/** The first link in a mail's text that starts with `prefix`. */
export function linkIn(mail: ReceivedMail, prefix: string): URL {
  const found = mail.text.match(/https?:\/\/\S+/g)?.find((l) => l.startsWith(prefix));
  if (!found) throw new Error(`no link starting with ${prefix} in: ${mail.text}`);
  return new URL(found);
}

export async function startMailbox(): Promise<Mailbox> {
  const smtp = await startSmtpMailbox();
  return { ...smtp, nextMail: (to, subject, timeoutMs) => smtp.nextMail(to, { subject }, timeoutMs) };
}

/** An API (startApi) whose mail goes over SMTP to a mailbox in this process; `close` stops both. */
export async function startApiWithMailbox(kind: DbKind, env: Record<string, string> = {}): Promise<{ api: TestApi; mailbox: Mailbox; close: () => Promise<void> }> {
  const mailbox = await startMailbox();
  try {
    const api = await startApi(kind, { SMTP_URL: mailbox.url, MAIL_FROM: 'Taskgate <no-reply@taskgate.test>', ...env });
    const close = async () => {
      await api.close();
      await mailbox.close();
    };
    return { api, mailbox, close };
  } catch (error) {
    await mailbox.close();
    throw error;
  }
}
