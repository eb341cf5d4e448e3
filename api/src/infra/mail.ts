// Mail out of the API, through nodemailer. Two ways (docs/decisions/015-mail.md):
// - SMTP_URL set (required in production): SMTP, from MAIL_FROM; the log line names the kind of
//   mail and a masked address, never the link (it carries a token);
// - no SMTP_URL, outside production: the embedded outbox — each mail is written as an .eml file to
//   `${DATA_DIR}/outbox/` and one log line gives its link (the address masked), so `npm start`
//   needs no mail server.
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { FastifyBaseLogger } from 'fastify';
import type { Mailer, OutgoingMail } from '../domain/accounts/account.types.js';
import { maskEmail } from '../domain/accounts/account.service.js';

export const DEFAULT_MAIL_FROM = 'Taskgate <no-reply@taskgate.invalid>';

export interface MailSettings {
  smtpUrl: string | undefined;
  from: string;
  /** Where the embedded outbox writes (used when smtpUrl is unset). */
  outboxDir: string;
}

export function createMailer(settings: MailSettings, log: FastifyBaseLogger): Mailer & { close(): void } {
  if (settings.smtpUrl) {
    const transport = nodemailer.createTransport(settings.smtpUrl);
    return {
      async send(mail: OutgoingMail) {
        await transport.sendMail({ from: settings.from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
        log.info({ event: 'mail_sent', kind: mail.kind, to: maskEmail(mail.to) }, 'mail sent');
      },
      close: () => transport.close(),
    };
  }
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  return {
    async send(mail: OutgoingMail) {
      const info = await transport.sendMail({ from: settings.from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
      await mkdir(settings.outboxDir, { recursive: true });
      const file = path.join(settings.outboxDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${mail.kind}-${randomBytes(3).toString('hex')}.eml`);
      await writeFile(file, info.message as Buffer);
      // The address masked, as on every log line; the link in full: it is what the developer came for.
      log.info({ event: 'mail_outbox', kind: mail.kind, to: maskEmail(mail.to), file, link: mail.link }, `${mail.kind} mail written to the outbox${mail.link ? `: ${mail.link}` : ''}`);
    },
    close: () => transport.close(),
  };
}
