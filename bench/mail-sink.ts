// An SMTP server that accepts every message and keeps none: production mode refuses to start
// without SMTP_URL and MAIL_FROM, and the load tools sign users up (each sign-up mails a
// verification link), so the servers they start need somewhere to deliver to.
import { startSmtpMailbox } from '../scripts/lib/mailbox.mjs';

export interface MailSink {
  /** SMTP_URL and MAIL_FROM for the server under load. */
  env: { SMTP_URL: string; MAIL_FROM: string };
  close(): Promise<void>;
}

export async function startMailSink(): Promise<MailSink> {
  const smtp = await startSmtpMailbox({ keep: false });
  return {
    env: { SMTP_URL: smtp.url, MAIL_FROM: 'Taskgate load test <load@taskgate.test>' },
    close: () => smtp.close(),
  };
}
