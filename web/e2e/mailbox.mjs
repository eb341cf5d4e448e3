// The browser tests' mail server: a real SMTP server (scripts/lib/mailbox.mjs) in the e2e runner's
// process. The API sends to it (SMTP_URL) as it would to Mailpit or a provider. Playwright runs in
// other processes, so the mails are handed out over a small HTTP endpoint on 127.0.0.1:
// `GET /next?to=<address>` answers with the next mail to that address not yet taken, as soon as it
// has arrived (a long poll, not a sleep), or 404 after `timeout` ms; with `&contains=<text>`, the
// next one whose plain text contains it (a reset link among other mails).
import { createServer } from 'node:http';
import { startSmtpMailbox } from '../../scripts/lib/mailbox.mjs';

export async function startMailbox() {
  const smtp = await startSmtpMailbox();

  const http = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const to = url.searchParams.get('to');
    if (url.pathname !== '/next' || !to) {
      response.writeHead(400, { 'content-type': 'text/plain' }).end('GET /next?to=<address>&timeout=<ms>\n');
      return;
    }
    const timeoutMs = Math.min(Number(url.searchParams.get('timeout')) || 20_000, 60_000);
    const contains = url.searchParams.get('contains') ?? undefined;
    smtp.nextMail(to, { contains }, timeoutMs).then(
      ({ to: recipients, from, subject, text, html }) => {
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ to: recipients, from, subject, text, html }));
      },
      (error) => response.writeHead(404, { 'content-type': 'text/plain' }).end(`${error.message}\n`),
    );
  });
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));

  return {
    /** The API's SMTP_URL. */
    smtpUrl: smtp.url,
    /** Where the tests ask for mails (E2E_MAILBOX_URL). */
    httpUrl: `http://127.0.0.1:${http.address().port}`,
    close: async () => {
      http.closeAllConnections();
      await Promise.all([new Promise((resolve) => http.close(() => resolve())), smtp.close()]);
    },
  };
}
