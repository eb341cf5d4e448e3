'use client';

import Link from 'next/link';
import { useEffect, useRef, useState } from 'react';
import { callPublic } from '../../lib/account/api';
import { describeAccountError } from '../../lib/account/errors';
import { useSession } from '../session/SessionProvider';
import { useTokenFromLink } from './useTokenFromLink';

type State = { step: 'working' } | { step: 'done'; message: string } | { step: 'failed'; message: string };

const CONFIRMS = {
  verify: {
    title: 'Verify your email address',
    path: '/api/auth/verification/confirm',
    working: 'Verifying your email address…',
    done: () => 'Your email address is verified. Thank you.',
    retry: 'Sign in and use “Resend the verification e-mail” on your account page for a new link.',
  },
  'change-email': {
    title: 'Confirm your new email address',
    path: '/api/auth/email/confirm',
    working: 'Confirming your new email address…',
    done: (email: string | undefined) =>
      email ? `Your email address is now ${email}. Use it to sign in.` : 'Your email address is changed. Use it to sign in.',
    retry: 'Ask for the change again on your account page for a new link.',
  },
} as const;

/**
 * A page a link from an e-mail opens (/verify-email, /confirm-email): it sends the link's token to
 * the API once, on arrival, and says what happened.
 */
export function ConfirmLink({ kind, token: linkToken }: { kind: keyof typeof CONFIRMS; token: string | undefined }) {
  const copy = CONFIRMS[kind];
  const token = useTokenFromLink(linkToken);
  const { status, refresh } = useSession();
  const [state, setState] = useState<State>(
    token ? { step: 'working' } : { step: 'failed', message: 'This link is incomplete. Open the link from the email again.' },
  );
  const sent = useRef(false);

  useEffect(() => {
    // Once: a token is single-use, and React may run an effect twice in development.
    if (!token || sent.current) return;
    sent.current = true;
    void callPublic<{ email?: string }>({ method: 'POST', path: copy.path, body: { token } }).then((result) => {
      if (result.ok) {
        setState({ step: 'done', message: copy.done(result.data?.email) });
        void refresh(); // a signed-in user's session shows the new state
      } else {
        setState({ step: 'failed', message: describeAccountError(result) });
      }
    });
  }, [token, copy, refresh]);

  const onward =
    status === 'signed-in' ? (
      <Link href="/account">Go to your account</Link>
    ) : (
      <Link href="/sign-in">Sign in</Link>
    );

  return (
    <div className="auth-card">
      <h1>{copy.title}</h1>
      <div role="status">
        {state.step === 'working' ? <p>{copy.working}</p> : null}
        {state.step === 'done' ? <p className="notice notice--ok">{state.message}</p> : null}
      </div>
      {state.step === 'failed' ? (
        <div role="alert" className="notice notice--error">
          <p className="notice__p">{state.message}</p>
          <p className="notice__p">{copy.retry}</p>
        </div>
      ) : null}
      {state.step === 'working' ? null : <p className="auth-switch">{onward}</p>}
    </div>
  );
}
