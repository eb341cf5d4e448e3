// The account mails, plain text and HTML. Every user-supplied value (the name, an address) is
// HTML-escaped; links are built by the caller from PUBLIC_URL only.
import type { OutgoingMail } from './account.types.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

function html(paragraphs: string[], link?: { href: string; label: string }): string {
  const body = paragraphs.map((p) => `<p>${p}</p>`).join('\n');
  const button = link ? `\n<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a></p>\n<p>${escapeHtml(link.href)}</p>` : '';
  return `<!doctype html>\n<html><body style="font-family: sans-serif">\n${body}${button}\n<p>— Taskgate</p>\n</body></html>\n`;
}

export function passwordResetMail(to: { email: string; name: string }, link: string, minutes: number): OutgoingMail {
  return {
    kind: 'password_reset',
    to: to.email,
    subject: 'Reset your Taskgate password',
    link,
    text: `Hello ${to.name},\n\nSomeone (hopefully you) asked to reset the password of your Taskgate account. Open this link within ${minutes} minutes to choose a new one:\n\n${link}\n\nIf you did not ask for this, ignore this mail: your password stays as it is.\n\n— Taskgate\n`,
    html: html(
      [
        `Hello ${escapeHtml(to.name)},`,
        `Someone (hopefully you) asked to reset the password of your Taskgate account. Open this link within ${minutes} minutes to choose a new one:`,
      ],
      { href: link, label: 'Choose a new password' },
    ).replace('<p>— Taskgate</p>', '<p>If you did not ask for this, ignore this mail: your password stays as it is.</p>\n<p>— Taskgate</p>'),
  };
}

export function verificationMail(to: { email: string; name: string }, link: string, hours: number): OutgoingMail {
  return {
    kind: 'email_verification',
    to: to.email,
    subject: 'Confirm your e-mail address for Taskgate',
    link,
    text: `Hello ${to.name},\n\nPlease confirm that this is your address: open this link within ${hours} hours.\n\n${link}\n\nIf you did not create a Taskgate account, ignore this mail.\n\n— Taskgate\n`,
    html: html(
      [`Hello ${escapeHtml(to.name)},`, `Please confirm that this is your address: open this link within ${hours} hours.`],
      { href: link, label: 'Confirm my address' },
    ),
  };
}

export function passwordChangedMail(to: { email: string; name: string }, how: 'changed' | 'reset'): OutgoingMail {
  const what = how === 'reset' ? 'was reset with a link sent to this address' : 'was changed';
  return {
    kind: 'password_changed',
    to: to.email,
    subject: 'Your Taskgate password was changed',
    text: `Hello ${to.name},\n\nThe password of your Taskgate account ${what}. If this was not you, reset your password at once.\n\n— Taskgate\n`,
    html: html([`Hello ${escapeHtml(to.name)},`, `The password of your Taskgate account ${what}. If this was not you, reset your password at once.`]),
  };
}

/** To the new address: the link that makes the change. */
export function emailChangeMail(to: { email: string; name: string }, link: string, hours: number): OutgoingMail {
  return {
    kind: 'email_change',
    to: to.email,
    subject: 'Confirm your new e-mail address for Taskgate',
    link,
    text: `Hello ${to.name},\n\nSomeone (hopefully you) asked to use this address for their Taskgate account. Open this link within ${hours} hours to make the change:\n\n${link}\n\nIf you did not ask for this, ignore this mail: nothing changes.\n\n— Taskgate\n`,
    html: html(
      [
        `Hello ${escapeHtml(to.name)},`,
        `Someone (hopefully you) asked to use this address for their Taskgate account. Open this link within ${hours} hours to make the change:`,
      ],
      { href: link, label: 'Use this address' },
    ).replace('<p>— Taskgate</p>', '<p>If you did not ask for this, ignore this mail: nothing changes.</p>\n<p>— Taskgate</p>'),
  };
}

/** To the new address when another account already has it: nothing changes, and the requester is not told. */
export function emailInUseMail(to: string): OutgoingMail {
  const body = 'Someone asked to move a Taskgate account to this address, but an account already uses it, so nothing was changed. If that was you, sign in with this address (or reset its password from the sign-in page). Otherwise ignore this mail.';
  return {
    kind: 'email_change_in_use',
    to,
    subject: 'Your address is already used on Taskgate',
    text: `Hello,\n\n${body}\n\n— Taskgate\n`,
    html: html(['Hello,', body]),
  };
}

/** To the current address: a change was asked for, or made. `newEmail` is masked by the caller. */
export function emailChangeNoticeMail(to: { email: string; name: string }, newEmail: string, stage: 'requested' | 'changed'): OutgoingMail {
  const what =
    stage === 'requested'
      ? `Someone asked to change the e-mail address of your Taskgate account to ${newEmail}. The change happens only when the link mailed to that address is opened.`
      : `The e-mail address of your Taskgate account was changed to ${newEmail}. This address no longer signs in.`;
  const warning =
    stage === 'requested'
      ? 'If this was not you, change your password at once and sign out your other sessions on your account page.'
      : 'If this was not you, someone else has access to your account.';
  return {
    kind: stage === 'requested' ? 'email_change_requested' : 'email_changed',
    to: to.email,
    subject: stage === 'requested' ? 'Your Taskgate e-mail address is being changed' : 'Your Taskgate e-mail address was changed',
    text: `Hello ${to.name},\n\n${what} ${warning}\n\n— Taskgate\n`,
    html: html([`Hello ${escapeHtml(to.name)},`, `${escapeHtml(what)} ${escapeHtml(warning)}`]),
  };
}
