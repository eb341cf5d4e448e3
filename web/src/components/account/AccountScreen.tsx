'use client';

import { useCallback, useEffect, useState } from 'react';
import { describeAccountError } from '../../lib/account/errors';
import { RequireUser } from '../session/RequireUser';
import { useSession } from '../session/SessionProvider';
import { ActivitySection } from './ActivitySection';
import { DeleteAccountSection } from './DeleteAccountSection';
import { EmailSection } from './EmailSection';
import { PasskeysSection } from './PasskeysSection';
import { PasswordForm } from './PasswordForm';
import { ProfileForm } from './ProfileForm';
import { SessionsSection } from './SessionsSection';
import { TwoFactorSection } from './TwoFactorSection';
import { useAccountApi, type AccountUser } from './useAccountApi';

function Placeholder({ label }: { label: string }) {
  return (
    <div className="panel account-section" aria-busy="true">
      <p className="account-loading">{label}</p>
    </div>
  );
}

function AccountSections() {
  const call = useAccountApi();
  const { refresh } = useSession();
  const [user, setUser] = useState<AccountUser | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reloadKey, setReloadKey] = useState(0);
  // Sessions and activity are fetched again after a change that ends sessions or records an event.
  const reloadLists = useCallback(() => setReloadKey((key) => key + 1), []);

  const load = useCallback(async () => {
    setError(null);
    const result = await call<{ user: AccountUser }>({ method: 'GET', path: '/api/auth/me' });
    if (result.ok && result.data?.user) setUser(result.data.user);
    else if (!result.ok) setError(describeAccountError(result));
  }, [call]);

  useEffect(() => {
    void load();
  }, [load]);

  if (!user) {
    return error ? (
      <div role="alert" className="notice notice--error">
        <div className="notice__row">
          <span>{error}</span>
          <button type="button" className="button button--small" onClick={() => void load()}>
            Try again
          </button>
        </div>
      </div>
    ) : (
      <Placeholder label="Loading your account…" />
    );
  }

  return (
    <div className="account">
      <ProfileForm
        user={user}
        onSaved={(saved) => {
          setUser(saved);
          void refresh(); // the header shows the name from the session
        }}
      />
      <EmailSection user={user} />
      <PasswordForm user={user} onChanged={reloadLists} />
      <TwoFactorSection user={user} onChanged={reloadLists} />
      <PasskeysSection user={user} onChanged={reloadLists} />
      <SessionsSection reloadKey={reloadKey} />
      <ActivitySection reloadKey={reloadKey} />
      <DeleteAccountSection user={user} />
    </div>
  );
}

/** /account: everything about the signed-in user's account, one section each. */
export function AccountScreen() {
  return (
    <RequireUser placeholder={<Placeholder label="Loading your account…" />}>
      <AccountSections />
    </RequireUser>
  );
}
