'use client';

import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { describeAccountError } from '../../lib/account/errors';
import { browserSupportsWebAuthn, createPasskey, describeCeremonyError } from '../../lib/auth/passkeys';
import { validatePassword } from '../../lib/validation';
import { TextField } from '../forms/TextField';
import { useFormFields } from '../forms/useFormFields';
import { useHydrated } from '../forms/useHydrated';
import { AccountFormElement, AccountSection, FormResult, failureOutcome, useSubmission, type SubmitOutcome } from './AccountForm';
import { formatDateTime } from './format';
import { focusField, useAccountApi, type AccountUser } from './useAccountApi';

export interface Passkey {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  deviceType: string;
  backedUp: boolean;
}

type Load = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; passkeys: Passkey[] };

const NAME_MAX = 64;

function validateName(value: string): string | undefined {
  const trimmed = value.trim();
  if (!trimmed) return 'Give the passkey a name, such as the device it is on.';
  if (trimmed.length > NAME_MAX) return `Use at most ${NAME_MAX} characters.`;
  return undefined;
}

const passwordRule = (value: string) => validatePassword(value, { forSignUp: false });

/** Adding one: a name and the password, then the browser asks the device to create the passkey. */
function AddPasskeyForm({ user, onAdded }: { user: AccountUser; onAdded: (passkey: Passkey) => Promise<void> }) {
  const call = useAccountApi();
  const validators = useMemo(() => ({ name: validateName, password: passwordRule }), []);
  const { values, field, validateAll, setErrors, reset } = useFormFields({ name: '', password: '' }, validators);
  const { busy, outcome, run } = useSubmission();
  const formRef = useRef<HTMLFormElement>(null);

  const onSubmit = () => {
    if (!validateAll()) return;
    return run(async (): Promise<SubmitOutcome> => {
      const options = await call({ method: 'POST', path: '/api/auth/passkeys/options', body: { password: values.password } });
      if (!options.ok) {
        const failed = failureOutcome(options, { wrongPassword: 'That password is not right.', wrongPasswordField: 'password' });
        if (failed && 'field' in failed && failed.field) {
          setErrors({ password: failed.error });
          focusField(formRef.current, 'password');
        }
        return failed;
      }
      let response: unknown;
      try {
        response = await createPasskey(options.data);
      } catch (error) {
        const message = describeCeremonyError(error, 'create');
        return message ? { error: message } : null;
      }
      const added = await call<{ passkey: Passkey }>({ method: 'POST', path: '/api/auth/passkeys', body: { name: values.name.trim(), response } });
      if (!added.ok) return failureOutcome(added, { field: 'name' });
      reset();
      await onAdded(added.data.passkey);
      return { success: `Passkey “${added.data.passkey.name}” added. You can now sign in with it.` };
    });
  };

  return (
    <AccountFormElement label="Add a passkey" onSubmit={onSubmit} formRef={formRef}>
      <input type="email" name="username" autoComplete="username" value={user.email} readOnly hidden />
      <TextField label="Name for the new passkey" hint="For example the device it is on: “Work laptop”." maxLength={NAME_MAX * 2} {...field('name')} />
      <TextField label="Your password, to confirm" type="password" autoComplete="current-password" required {...field('password')} />
      <button type="submit" className="button" disabled={busy}>
        {busy ? 'Adding…' : 'Add a passkey'}
      </button>
      <FormResult outcome={outcome} />
    </AccountFormElement>
  );
}

/** A small form's submit button (its label while busy) and a Cancel that closes the form. */
function SubmitOrCancel({ busy, label, busyLabel, danger = false, onCancel }: { busy: boolean; label: string; busyLabel: string; danger?: boolean; onCancel: () => void }) {
  return (
    <div className="account-actions">
      <button type="submit" className={danger ? 'button button--small button--danger-solid' : 'button button--small'} disabled={busy}>
        {busy ? busyLabel : label}
      </button>
      <button type="button" className="button button--small" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}

/** One passkey in the list, with its rename and remove forms (one open at a time). */
function PasskeyItem({ passkey, user, busy, onChange }: { passkey: Passkey; user: AccountUser; busy: boolean; onChange: (outcome: SubmitOutcome) => Promise<void> }) {
  const call = useAccountApi();
  const [mode, setMode] = useState<'view' | 'rename' | 'remove'>('view');
  const nameRules = useMemo(() => ({ name: validateName }), []);
  const passwordRules = useMemo(() => ({ password: passwordRule }), []);
  const naming = useFormFields({ name: passkey.name }, nameRules);
  const confirming = useFormFields({ password: '' }, passwordRules);
  const submission = useSubmission();
  const formRef = useRef<HTMLFormElement>(null);

  const rename = () => {
    if (!naming.validateAll()) return;
    return submission.run(async () => {
      const result = await call<{ passkey: Passkey }>({ method: 'PATCH', path: `/api/auth/passkeys/${encodeURIComponent(passkey.id)}`, body: { name: naming.values.name.trim() } });
      if (!result.ok) {
        const failed = failureOutcome(result, { field: 'name', notFound: 'That passkey was already removed.' });
        if (failed && 'field' in failed && failed.field) naming.setErrors({ name: failed.error });
        return failed;
      }
      setMode('view');
      await onChange({ success: `Renamed to “${result.data.passkey.name}”.` });
      return null;
    });
  };

  const remove = () => {
    if (!confirming.validateAll()) return;
    return submission.run(async () => {
      const result = await call({ method: 'DELETE', path: `/api/auth/passkeys/${encodeURIComponent(passkey.id)}`, body: { password: confirming.values.password } });
      if (!result.ok && result.code !== 'NOT_FOUND') {
        const failed = failureOutcome(result, { wrongPassword: 'That password is not right. The passkey is kept.', wrongPasswordField: 'password' });
        if (failed && 'field' in failed && failed.field) {
          confirming.setErrors({ password: failed.error });
          focusField(formRef.current, 'password');
        }
        return failed;
      }
      await onChange({ success: result.ok ? `Passkey “${passkey.name}” removed.` : 'That passkey was already removed.' });
      return null;
    });
  };

  const described = `${passkey.name}, added ${formatDateTime(passkey.createdAt)}`;
  return (
    <li className="account-list__item">
      <div className="account-list__body">
        <p className="account-list__title">
          {passkey.name}
          {passkey.backedUp ? <span className="badge badge--ok">Synced</span> : null}
        </p>
        <p className="account-list__meta">
          Added {formatDateTime(passkey.createdAt)} · {passkey.lastUsedAt ? `last used ${formatDateTime(passkey.lastUsedAt)}` : 'not used yet'}
        </p>
        {mode === 'rename' ? (
          <AccountFormElement label={`Rename ${passkey.name}`} onSubmit={rename} formRef={formRef}>
            <TextField label={`New name for ${passkey.name}`} maxLength={NAME_MAX * 2} {...naming.field('name')} />
            <SubmitOrCancel busy={submission.busy} label="Save name" busyLabel="Saving…" onCancel={() => setMode('view')} />
          </AccountFormElement>
        ) : null}
        {mode === 'remove' ? (
          <AccountFormElement label={`Remove ${passkey.name}`} onSubmit={remove} formRef={formRef}>
            <input type="email" name="username" autoComplete="username" value={user.email} readOnly hidden />
            <TextField label="Your password, to remove it" type="password" autoComplete="current-password" required {...confirming.field('password')} />
            <SubmitOrCancel busy={submission.busy} label="Remove passkey" busyLabel="Removing…" danger onCancel={() => setMode('view')} />
          </AccountFormElement>
        ) : null}
        {mode !== 'view' ? <FormResult outcome={submission.outcome} /> : null}
      </div>
      {mode === 'view' ? (
        <div className="account-actions">
          <button type="button" className="button button--small" onClick={() => setMode('rename')} disabled={busy}>
            Rename<span className="visually-hidden"> {described}</span>
          </button>
          <button type="button" className="button button--small" onClick={() => setMode('remove')} disabled={busy}>
            Remove<span className="visually-hidden"> {described}</span>
          </button>
        </div>
      ) : null}
    </li>
  );
}

/** The user's passkeys: add one (name + password, then the device), rename or remove one (password). */
/** `onChanged`: a passkey was added or removed (the page reloads the activity list). */
export function PasskeysSection({ user, onChanged = () => {} }: { user: AccountUser; onChanged?: () => void }) {
  const call = useAccountApi();
  const hydrated = useHydrated();
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [notice, setNotice] = useState<SubmitOutcome>(null);

  const fetchPasskeys = useCallback(async () => {
    const result = await call<{ passkeys: Passkey[] }>({ method: 'GET', path: '/api/auth/passkeys' });
    setLoad(result.ok ? { state: 'ready', passkeys: result.data?.passkeys ?? [] } : { state: 'error', message: describeAccountError(result) });
  }, [call]);

  useEffect(() => {
    void fetchPasskeys();
  }, [fetchPasskeys]);

  const supported = hydrated && browserSupportsWebAuthn();
  const passkeys = load.state === 'ready' ? load.passkeys : [];

  return (
    <AccountSection
      title="Passkeys"
      description="Sign in with your device’s fingerprint, face or screen lock instead of your password. The passkey stays on your device (or in your password manager); Taskgate keeps only its public key."
    >
      {load.state === 'loading' ? (
        <p className="account-loading">Loading your passkeys…</p>
      ) : load.state === 'error' ? (
        <div role="alert" className="notice notice--error">
          <div className="notice__row">
            <span>{load.message}</span>
            <button type="button" className="button button--small" onClick={() => void fetchPasskeys()}>
              Try again
            </button>
          </div>
        </div>
      ) : passkeys.length === 0 ? (
        <p>You have no passkeys yet.</p>
      ) : (
        <ul className="account-list" aria-label="Passkeys">
          {passkeys.map((passkey) => (
            <PasskeyItem
              key={passkey.id}
              passkey={passkey}
              user={user}
              busy={false}
              onChange={async (outcome) => {
                setNotice(outcome);
                await fetchPasskeys();
                onChanged();
              }}
            />
          ))}
        </ul>
      )}
      <FormResult outcome={notice} />
      {!hydrated ? null : supported ? (
        <AddPasskeyForm
          user={user}
          onAdded={async () => {
            setNotice(null);
            await fetchPasskeys();
            onChanged();
          }}
        />
      ) : (
        <p className="notice notice--info">This browser cannot create passkeys. Use a recent browser on a device with a screen lock.</p>
      )}
    </AccountSection>
  );
}
