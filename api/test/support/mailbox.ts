// A real SMTP server in the test process (smtp-server, from the nodemailer project): the API sends
// to it over SMTP as it would to Mailpit or a provider; tests wait for a message to an address
// (no sleeps) and read it with mailparser, links included, as a user would.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

export interface ReceivedMail {
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
  /** The raw message as received. */
  raw: string;
  parsed: ParsedMail;
}

export interface Mailbox {
  /** smtp://127.0.0.1:<port>: the API's SMTP_URL. */
  url: string;
  /** The next mail to `to` (whose subject matches `subject`, if given) not yet taken: already received or still to come. */
  nextMail(to: string, subject?: RegExp, timeoutMs?: number): Promise<ReceivedMail>;
  /** Every mail received so far, in order. */
  all(): ReceivedMail[];
  /** Mails to `to` received and not yet taken. */
  waiting(to: string): ReceivedMail[];
  close(): Promise<void>;
}

function addresses(parsed: ParsedMail): string[] {
  const list = Array.isArray(parsed.to) ? parsed.to : parsed.to ? [parsed.to] : [];
  return list.flatMap((a) => a.value.map((v) => (v.address ?? '').toLowerCase()));
}

/** The first link in a mail's text that starts with `prefix`. */
export function linkIn(mail: ReceivedMail, prefix: string): URL {
  const found = mail.text.match(/https?:\/\/\S+/g)?.find((l) => l.startsWith(prefix));
  if (!found) throw new Error(`no link starting with ${prefix} in: ${mail.text}`);
  return new URL(found);
}

export async function startMailbox(): Promise<Mailbox> {
  const received: ReceivedMail[] = [];
  const taken = new Set<ReceivedMail>();
  const waiters: { to: string; subject?: RegExp; resolve: (mail: ReceivedMail) => void }[] = [];
  const fits = (mail: ReceivedMail, to: string, subject?: RegExp) => mail.to.includes(to) && (!subject || subject.test(mail.subject));

  const deliver = (mail: ReceivedMail) => {
    received.push(mail);
    const waiter = waiters.find((w) => fits(mail, w.to, w.subject));
    if (waiter) {
      waiters.splice(waiters.indexOf(waiter), 1);
      taken.add(mail);
      waiter.resolve(mail);
    }
  };

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw)
          .then((parsed) => {
            deliver({
              to: addresses(parsed),
              from: parsed.from?.text ?? '',
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
              raw,
              parsed,
            });
            callback();
          })
          .catch((error: Error) => callback(error));
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;

  return {
    url: `smtp://127.0.0.1:${port}`,
    nextMail(to, subject, timeoutMs = 20_000) {
      const address = to.toLowerCase();
      const ready = received.find((m) => !taken.has(m) && fits(m, address, subject));
      if (ready) {
        taken.add(ready);
        return Promise.resolve(ready);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`no mail to ${to} within ${timeoutMs} ms (received: ${received.map((m) => `${m.to.join(',')}: ${m.subject}`).join('; ') || 'none'})`));
        }, timeoutMs);
        const waiter = {
          to: address,
          subject,
          resolve: (mail: ReceivedMail) => {
            clearTimeout(timer);
            resolve(mail);
          },
        };
        waiters.push(waiter);
      });
    },
    all: () => [...received],
    waiting: (to) => received.filter((m) => !taken.has(m) && m.to.includes(to.toLowerCase())),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
