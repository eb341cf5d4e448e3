// An SMTP server that accepts every message and keeps none: production mode refuses to start
// without SMTP_URL and MAIL_FROM, and the load tools sign users up (each sign-up mails a
// verification link), so the servers they start need somewhere to deliver to.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface MailSink {
  /** SMTP_URL and MAIL_FROM for the server under load. */
  env: { SMTP_URL: string; MAIL_FROM: string };
  close(): Promise<void>;
}

export async function startMailSink(): Promise<MailSink> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () => callback());
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    env: { SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_FROM: 'Taskgate load test <load@taskgate.test>' },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
