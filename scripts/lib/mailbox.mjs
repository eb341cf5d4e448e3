// A real SMTP server in a test or tool process (smtp-server, from the nodemailer project): the API
// sends to it over SMTP (SMTP_URL) as it would to Mailpit or a provider. One module for every
// caller: the API tests read the mails directly (api/test/support/mailbox.ts), the browser tests'
// runner hands them to Playwright over HTTP (web/e2e/mailbox.mjs), and the bench and the soak only
// need somewhere to deliver to (`keep: false`).
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

function addresses(parsed) {
  const list = Array.isArray(parsed.to) ? parsed.to : parsed.to ? [parsed.to] : [];
  return list.flatMap((a) => a.value.map((v) => (v.address ?? '').toLowerCase()));
}

/** Whether `mail` is to `to` and matches the optional subject pattern and text fragment. */
function fits(mail, to, { subject, contains } = {}) {
  return mail.to.includes(to) && (!subject || subject.test(mail.subject)) && (!contains || mail.text.includes(contains));
}

/**
 * Starts an SMTP server on 127.0.0.1 (a free port). With `keep` (the default) every message is
 * parsed and kept: `nextMail` hands each one out once, waiting for it if it has not arrived yet.
 */
export async function startSmtpMailbox({ keep = true } = {}) {
  const received = [];
  const taken = new Set();
  const waiters = [];

  const deliver = (mail) => {
    received.push(mail);
    const waiter = waiters.find((w) => fits(mail, w.to, w.match));
    if (!waiter) return;
    waiters.splice(waiters.indexOf(waiter), 1);
    taken.add(mail);
    waiter.resolve(mail);
  };

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      if (!keep) {
        stream.resume();
        stream.on('end', () => callback());
        return;
      }
      const chunks = [];
      stream.on('data', (chunk) => chunks.push(chunk));
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
          .catch((error) => callback(error));
      });
    },
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const received_ = () => received.map((m) => `${m.to.join(',')}: ${m.subject}`).join('; ') || 'none';

  return {
    url: `smtp://127.0.0.1:${server.server.address().port}`,
    nextMail(to, match = {}, timeoutMs = 20_000) {
      const address = to.toLowerCase();
      const ready = received.find((m) => !taken.has(m) && fits(m, address, match));
      if (ready) {
        taken.add(ready);
        return Promise.resolve(ready);
      }
      return new Promise((resolve, reject) => {
        const waiter = {
          to: address,
          match,
          resolve: (mail) => {
            clearTimeout(timer);
            resolve(mail);
          },
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`no mail to ${to} within ${timeoutMs} ms (received: ${received_()})`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    all: () => [...received],
    waiting: (to) => received.filter((m) => !taken.has(m) && m.to.includes(to.toLowerCase())),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
