'use client';

import { ResendVerification } from '../auth/ResendVerification';
import { AccountSection } from './AccountForm';
import type { AccountUser } from './useAccountApi';

export function EmailSection({ user }: { user: AccountUser }) {
  return (
    <AccountSection title="Email address">
      <p className="account-email">
        <span className="account-email__address">{user.email}</span>{' '}
        {user.emailVerified ? (
          <span className="badge badge--ok">Verified</span>
        ) : (
          <span className="badge badge--warn">Not verified</span>
        )}
      </p>
      {user.emailVerified ? null : (
        <div className="account-email__verify">
          <p className="account-section__intro">
            We sent a link to this address when you signed up. Open it to confirm the address is yours.
          </p>
          <ResendVerification email={user.email} />
        </div>
      )}
    </AccountSection>
  );
}
