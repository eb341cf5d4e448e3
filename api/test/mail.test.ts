// infra/mail.ts on its own: the embedded outbox (no SMTP_URL, not production) writes a complete
// .eml per mail and logs its link; over SMTP the log line names the mail but never its link.
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, describe, expect, it } from 'vitest';
import type { FastifyBaseLogger } from 'fastify';
import { createMailer } from '../src/infra/mail.js';
import { passwordResetMail } from '../src/domain/accounts/account.mails.js';
import { startMailbox } from './support/mailbox.js';

/** A logger that keeps what it is given. */
function recordingLog() {
  const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  const at = (level: string) => (fields: Record<string, unknown>, message: string) => lines.push({ level, fields, message });
  const log = { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') } as unknown as FastifyBaseLogger;
  return { log, lines };
}

const LINK = 'http://127.0.0.1:3000/reset-password?token=SECRET-TOKEN-abc';
const mail = passwordResetMail({ email: 'ada@example.com', name: 'Ada <script>' }, LINK, 30);

describe('mail', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('without SMTP_URL: one .eml per mail in the outbox (text and HTML parts) and one log line with the link', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'taskgate-outbox-'));
    dirs.push(dir);
    const outbox = path.join(dir, 'outbox');
    const { log, lines } = recordingLog();
    const mailer = createMailer({ smtpUrl: undefined, from: 'Taskgate <no-reply@taskgate.test>', outboxDir: outbox }, log);
    await mailer.send(mail);
    mailer.close();
    const files = await readdir(outbox);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/-password_reset-[0-9a-f]{6}\.eml$/);
    const parsed = await simpleParser(await readFile(path.join(outbox, files[0]!)));
    expect(parsed.subject).toBe('Reset your Taskgate password');
    expect(parsed.text).toContain(LINK);
    expect(parsed.html).toContain('Ada &lt;script&gt;');
    expect(parsed.html).not.toContain('<script>');
    expect(lines).toEqual([{ level: 'info', fields: expect.objectContaining({ event: 'mail_outbox', link: LINK }), message: expect.stringContaining(LINK) }]);
  });

  it('over SMTP: delivered to the server; the log line has the kind and a masked address, never the link or its token', async () => {
    const mailbox = await startMailbox();
    try {
      const { log, lines } = recordingLog();
      const mailer = createMailer({ smtpUrl: mailbox.url, from: 'Taskgate <no-reply@taskgate.test>', outboxDir: '/nonexistent' }, log);
      await mailer.send(mail);
      mailer.close();
      const received = await mailbox.nextMail('ada@example.com');
      expect(received.text).toContain(LINK);
      expect(lines).toEqual([{ level: 'info', fields: { event: 'mail_sent', kind: 'password_reset', to: 'a***@example.com' }, message: 'mail sent' }]);
      expect(JSON.stringify(lines)).not.toContain('SECRET-TOKEN');
    } finally {
      await mailbox.close();
    }
  });
});
