'use client';

import { callPublic } from '../../lib/account/api';
import { FormResult, failureOutcome, useSubmission } from '../account/AccountForm';

export const RESEND_MESSAGE = 'If that address needs verifying, a new link is on its way.';

/** "Resend the verification e-mail" for `email` (the sign-in page, after EMAIL_NOT_VERIFIED). */
export function ResendVerification({ email }: { email: string }) {
  const { busy, outcome, run } = useSubmission();
  const onClick = () =>
    run(async () => {
      const result = await callPublic<{ message?: string }>({
        method: 'POST',
        path: '/api/auth/verification/resend',
        body: { email },
      });
      return result.ok ? { success: result.data?.message ?? RESEND_MESSAGE } : failureOutcome(result);
    });
  return (
    <div className="auth-resend">
      <button type="button" className="button" onClick={() => void onClick()} disabled={busy}>
        {busy ? 'Sending…' : 'Resend the verification e-mail'}
      </button>
      <FormResult outcome={outcome} />
    </div>
  );
}
