// The browser tests' mail server: a real SMTP server (smtp-server, from the nodemailer project) in
// the e2e runner's process. The API sends to it (SMTP_URL) as it would to Mailpit or a provider.
// Playwright runs in other processes, so the mails are handed out over a small HTTP endpoint on
// 127.0.0.1: `GET /next?to=<address>` answers with the next mail to that address not yet taken,
// as soon as it has arrived (a long poll, not a sleep), or 404 after `timeout` ms; with
// `&contains=<text>`, the next one whose plain text contains it (a reset link among other mails).
import { createServer } from 'node:http';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

function addresses(parsed) {
  const list = Array.isArray(parsed.to) ? parsed.to : parsed.to ? [parsed.to] : [];
  return list.flatMap((a) => a.value.map((v) => (v.address ?? '').toLowerCase()));
}

export async function startMailbox() {
  const received = [];
  const taken = new Set();
  const waiters = [];

  const matches = (mail, to, contains) => mail.to.includes(to) && (!contains || mail.text.includes(contains));

  const deliver = (mail) => {
    received.push(mail);
    const waiter = waiters.find((w) => matches(mail, w.to, w.contains));
    if (!waiter) return;
    waiters.splice(waiters.indexOf(waiter), 1);
    taken.add(mail);
    waiter.resolve(mail);
  };

  const nextMail = (to, contains, timeoutMs) => {
    const address = to.toLowerCase();
    const ready = received.find((m) => !taken.has(m) && matches(m, address, contains));
    if (ready) {
      taken.add(ready);
      return Promise.resolve(ready);
    }
    return new Promise((resolve) => {
      const waiter = {
        to: address,
        contains,
        resolve: (mail) => {
          clearTimeout(timer);
          resolve(mail);
        },
      };
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(waiter), 1);
        resolve(null);
      }, timeoutMs);
      waiters.push(waiter);
    });
  };

  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          deliver({
            to: addresses(parsed),
            from: parsed.from?.text ?? '',
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
          });
          callback();
        })
        .catch((error) => callback(error));
    },
  });
  await new Promise((resolve) => smtp.listen(0, '127.0.0.1', resolve));

  const http = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const to = url.searchParams.get('to');
    if (url.pathname !== '/next' || !to) {
      response.writeHead(400, { 'content-type': 'text/plain' }).end('GET /next?to=<address>&timeout=<ms>\n');
      return;
    }
    const timeoutMs = Math.min(Number(url.searchParams.get('timeout')) || 20_000, 60_000);
    void nextMail(to, url.searchParams.get('contains'), timeoutMs).then((mail) => {
      if (mail) {
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(mail));
        return;
      }
      const seen = received.map((m) => `${m.to.join(',')}: ${m.subject}`).join('; ') || 'none';
      response.writeHead(404, { 'content-type': 'text/plain' }).end(`no mail to ${to} within ${timeoutMs} ms (received: ${seen})\n`);
    });
  });
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));

  return {
    /** The API's SMTP_URL. */
    smtpUrl: `smtp://127.0.0.1:${smtp.server.address().port}`,
    /** Where the tests ask for mails (E2E_MAILBOX_URL). */
    httpUrl: `http://127.0.0.1:${http.address().port}`,
    close: async () => {
      http.closeAllConnections();
      await Promise.all([
        new Promise((resolve) => http.close(() => resolve())),
        new Promise((resolve) => smtp.close(() => resolve())),
      ]);
    },
  };
}
