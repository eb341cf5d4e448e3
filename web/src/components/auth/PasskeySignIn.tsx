'use client';

import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useRef, useState } from 'react';
import { callPublic } from '../../lib/account/api';
import { describeAccountError } from '../../lib/account/errors';
import { browserSupportsWebAuthn, browserSupportsWebAuthnAutofill, describeCeremonyError, getPasskey } from '../../lib/auth/passkeys';
import { useHydrated } from '../forms/useHydrated';
import { useSession } from '../session/SessionProvider';

type Step = { error: string } | null;

/**
 * "Sign in with a passkey", and the same offered in the e-mail field's suggestions where the browser
 * supports it (conditional mediation: the field has autocomplete="username webauthn"). Either way the
 * API checks the passkey and sets the session cookie; the session is then read as after a password
 * sign-in. Starting the button's request cancels the pending autofill one.
 */
export function PasskeySignIn() {
  const router = useRouter();
  const { refresh } = useSession();
  const hydrated = useHydrated();
  const [busy, setBusy] = useState(false);
  const [step, setStep] = useState<Step>(null);
  const alertRef = useRef<HTMLDivElement>(null);

  const signIn = useCallback(
    async (autofill: boolean) => {
      const options = await callPublic({ method: 'POST', path: '/api/auth/passkey/options' });
      // The autofill request is the page's own idea: if it cannot start, the page says nothing.
      if (!options.ok) return autofill ? null : { error: describeAccountError(options) };
      let response: unknown;
      try {
        response = await getPasskey(options.data, autofill);
      } catch (error) {
        const message = describeCeremonyError(error, 'get');
        return message && !autofill ? { error: message } : null;
      }
      setBusy(true);
      const result = await callPublic({ method: 'POST', path: '/api/auth/sign-in/passkey', body: { response } });
      if (!result.ok) {
        setBusy(false);
        return {
          error: result.code === 'INVALID_CREDENTIALS' ? 'That passkey is not registered with Taskgate (it may have been removed).' : describeAccountError(result),
        };
      }
      await refresh();
      router.replace('/');
      return null;
    },
    [refresh, router],
  );

  // Conditional mediation: waits, without any dialog, until the user picks a passkey in the
  // e-mail field's suggestions (or the button's request replaces it).
  useEffect(() => {
    if (!hydrated) return;
    let active = true;
    void (async () => {
      if (!(await browserSupportsWebAuthnAutofill())) return;
      const outcome = await signIn(true);
      if (active && outcome) setStep(outcome);
    })();
    return () => {
      active = false;
    };
  }, [hydrated, signIn]);

  useEffect(() => {
    if (step?.error) alertRef.current?.focus();
  }, [step]);

  if (!hydrated || !browserSupportsWebAuthn()) return null;

  return (
    <div className="passkey-sign-in">
      <p className="passkey-sign-in__or">or</p>
      {step?.error ? (
        <div ref={alertRef} tabIndex={-1} role="alert" className="notice notice--error">
          {step.error}
        </div>
      ) : null}
      <button
        type="button"
        className="button passkey-sign-in__button"
        disabled={busy}
        onClick={async () => {
          setStep(null);
          setBusy(true);
          const outcome = await signIn(false);
          setStep(outcome);
          if (outcome) setBusy(false);
        }}
      >
        {busy ? 'Signing in…' : 'Sign in with a passkey'}
      </button>
    </div>
  );
}
