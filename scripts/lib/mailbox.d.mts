import type { ParsedMail } from 'mailparser';

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

export interface MailMatch {
  /** The subject must match this pattern. */
  subject?: RegExp;
  /** The plain-text part must contain this text. */
  contains?: string;
}

export interface SmtpMailbox {
  /** smtp://127.0.0.1:<port>: the API's SMTP_URL. */
  url: string;
  /** The next mail to `to` (matching `match`) not yet taken: already received or still to come; rejects after `timeoutMs`. */
  nextMail(to: string, match?: MailMatch, timeoutMs?: number): Promise<ReceivedMail>;
  /** Every mail received so far, in order. */
  all(): ReceivedMail[];
  /** Mails to `to` received and not yet taken. */
  waiting(to: string): ReceivedMail[];
  close(): Promise<void>;
}

export function startSmtpMailbox(options?: { keep?: boolean }): Promise<SmtpMailbox>;
