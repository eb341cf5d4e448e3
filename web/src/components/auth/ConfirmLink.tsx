'use client';

import Link from 'next/link';
import { useEffect, useState } from 'react';
import { callPublic, type ApiResult } from '../../lib/account/api';
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
 * Each token is sent once per page load, whatever mounts the component again (React's development
 * double effects, the session provider wrapping the page once the session is known): a token is
 * single-use, so a second request would turn a success into "this link is invalid". A component
 * mounted again starts from the answer already received.
 */
const sent = new Map<string, Promise<ApiResult<{ email?: string }>>>();
const answered = new Map<string, ApiResult<{ email?: string }>>();

function confirmOnce(path: string, token: string, onSuccess: () => void) {
  const key = `${path} ${token}`;
  let pending = sent.get(key);
  if (!pending) {
    pending = callPublic<{ email?: string }>({ method: 'POST', path, body: { token } }).then((result) => {
      answered.set(key, result);
      if (result.ok) onSuccess();
      return result;
    });
    sent.set(key, pending);
  }
  return pending;
}

type Copy = (typeof CONFIRMS)[keyof typeof CONFIRMS];

function stateOf(copy: Copy, result: ApiResult<{ email?: string }> | undefined): State {
  if (!result) return { step: 'working' };
  return result.ok
    ? { step: 'done', message: copy.done(result.data?.email) }
    : { step: 'failed', message: describeAccountError(result) };
}

/**
 * A page a link from an e-mail opens (/verify-email, /confirm-email): it sends the link's token to
 * the API once, on arrival, and says what happened.
 */
export function ConfirmLink({ kind, token: linkToken }: { kind: keyof typeof CONFIRMS; token: string | undefined }) {
  const copy = CONFIRMS[kind];
  const token = useTokenFromLink(linkToken);
  const { status, refresh } = useSession();
  const [state, setState] = useState<State>(() =>
    token
      ? stateOf(copy, answered.get(`${copy.path} ${token}`))
      : { step: 'failed', message: 'This link is incomplete. Open the link from the email again.' },
  );

  useEffect(() => {
    if (!token || state.step !== 'working') return;
    let live = true;
    // A signed-in user's session then shows the new state (verified, the new address).
    void confirmOnce(copy.path, token, () => void refresh()).then((result) => {
      if (live) setState(stateOf(copy, result));
    });
    return () => {
      live = false;
    };
  }, [token, copy, refresh, state.step]);

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
