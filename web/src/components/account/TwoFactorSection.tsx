'use client';

import QRCode from 'qrcode';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { TextField } from '../forms/TextField';
import { useFormFields } from '../forms/useFormFields';
import { AccountFormElement, AccountSection, FormResult, failureOutcome, useSubmission, type SubmitOutcome } from './AccountForm';
import { focusField, useAccountApi, type AccountUser } from './useAccountApi';

interface Setup {
  otpauthUri: string;
  secret: string;
}

type Step = { kind: 'off' } | { kind: 'scan'; setup: Setup } | { kind: 'codes'; codes: string[]; justEnabled: boolean } | { kind: 'on' };

const WRONG_CODE = 'That code is not right. Enter the current 6-digit code from your authenticator app.';

/** The secret in groups of four, easier to type into an app by hand. */
function grouped(secret: string): string {
  return secret.replace(/(.{4})/g, '$1 ').trim();
}

/** The otpauth:// URI as a QR code, drawn here (never sent to a third party): an SVG in a data: URL (CSP img-src allows data:). */
function QrCode({ uri }: { uri: string }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 })
      .then((svg) => live && setSrc(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`))
      .catch(() => live && setSrc(null));
    return () => {
      live = false;
    };
  }, [uri]);
  return src ? (
    <img className="two-factor__qr" src={src} width={200} height={200} alt="QR code to scan with your authenticator app" />
  ) : (
    <div className="two-factor__qr" aria-hidden="true" />
  );
}

/** A password field and one button: turning two-factor on, off, or new backup codes all ask for it. */
function PasswordConfirm({
  label,
  submitLabel,
  busyLabel,
  danger,
  onConfirmed,
}: {
  label: string;
  submitLabel: string;
  busyLabel: string;
  danger?: boolean;
  onConfirmed: (password: string) => Promise<SubmitOutcome | 'done'>;
}) {
  const validators = useMemo(() => ({ password: (value: string) => (value === '' ? 'Enter your password.' : undefined) }), []);
  const { values, field, validateAll, setErrors, reset } = useFormFields({ password: '' }, validators);
  const { busy, outcome, run } = useSubmission();
  const formRef = useRef<HTMLFormElement>(null);
  const onSubmit = () => {
    if (!validateAll()) return;
    return run(async () => {
      const result = await onConfirmed(values.password);
      if (result === 'done') {
        reset();
        return null;
      }
      if (result && 'field' in result && result.field) {
        setErrors({ password: result.error });
        focusField(formRef.current, 'password');
      }
      return result;
    });
  };
  return (
    <>
      <AccountFormElement label={label} onSubmit={onSubmit} formRef={formRef}>
        <TextField label="Password" type="password" autoComplete="current-password" required {...field('password')} />
        <button type="submit" className={danger ? 'button button--danger-solid' : 'button button--primary'} disabled={busy}>
          {busy ? busyLabel : submitLabel}
        </button>
      </AccountFormElement>
      <FormResult outcome={outcome} />
    </>
  );
}

/** The ten backup codes, shown once: a list, copy, and a .txt download. */
function BackupCodes({ codes, onDone, justEnabled, onChanged }: { codes: string[]; onDone: () => void; justEnabled: boolean; onChanged: () => void }) {
  const call = useAccountApi();
  const [copied, setCopied] = useState(false);
  const [download, setDownload] = useState<string | null>(null);
  const signOut = useSubmission();
  const text = `Taskgate backup codes\nEach code signs you in once, instead of a code from your authenticator app.\n\n${codes.join('\n')}\n`;

  useEffect(() => {
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    setDownload(url);
    return () => URL.revokeObjectURL(url);
  }, [text]);

  return (
    <div className="two-factor__codes">
      <h3>Your backup codes</h3>
      <p className="account-section__intro">
        Keep these somewhere safe, away from your phone. Each one signs you in once if you lose your authenticator app. They are shown
        only now.
      </p>
      <ul className="two-factor__code-list" aria-label="Backup codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ul>
      <div className="two-factor__actions">
        <button
          type="button"
          className="button button--small"
          onClick={() =>
            void navigator.clipboard?.writeText(codes.join('\n')).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          Copy codes
        </button>
        {download ? (
          <a className="button button--small" href={download} download="taskgate-backup-codes.txt">
            Download as .txt
          </a>
        ) : null}
      </div>
      <p role="status" className={copied ? 'notice notice--ok account-result' : 'account-result--empty'}>
        {copied ? 'Backup codes copied.' : ''}
      </p>
      {justEnabled ? (
        <>
          <p className="account-section__intro">
            Someone who knew your password may still be signed in elsewhere. You can sign out every other session now.
          </p>
          <button
            type="button"
            className="button button--small"
            disabled={signOut.busy}
            onClick={() =>
              void signOut.run(async () => {
                const result = await call<{ revoked: number }>({ method: 'DELETE', path: '/api/auth/sessions?scope=others' });
                if (!result.ok) return failureOutcome(result);
                const n = result.data?.revoked ?? 0;
                onChanged();
                return { success: n === 1 ? 'Signed out 1 other session.' : `Signed out ${n} other sessions.` };
              })
            }
          >
            {signOut.busy ? 'Signing out…' : 'Sign out other sessions'}
          </button>
          <FormResult outcome={signOut.outcome} />
        </>
      ) : null}
      <button type="button" className="button button--primary" onClick={onDone}>
        I have saved my backup codes
      </button>
    </div>
  );
}

/** Step two of turning it on: scan (or type) the secret, then prove it with the app's first code. */
function ScanAndVerify({ setup, onEnabled, onCancel }: { setup: Setup; onEnabled: (codes: string[]) => void; onCancel: () => void }) {
  const call = useAccountApi();
  const validators = useMemo(
    () => ({ code: (value: string) => (/^\d{6}$/.test(value.replace(/\s+/g, '')) ? undefined : 'Enter the 6-digit code from your authenticator app.') }),
    [],
  );
  const { values, field, validateAll, setErrors } = useFormFields({ code: '' }, validators);
  const { busy, outcome, run } = useSubmission();
  const formRef = useRef<HTMLFormElement>(null);
  const secretId = useId();

  const onSubmit = () => {
    if (!validateAll()) return;
    return run(async () => {
      const result = await call<{ backupCodes: string[] }>({ method: 'POST', path: '/api/auth/2fa/verify', body: { code: values.code.replace(/\s+/g, '') } });
      if (result.ok && result.data) {
        onEnabled(result.data.backupCodes);
        return null;
      }
      if (!result.ok && result.code === 'INVALID_CODE') {
        setErrors({ code: WRONG_CODE });
        focusField(formRef.current, 'code');
        return { error: WRONG_CODE, field: 'code' };
      }
      return result.ok ? null : failureOutcome(result);
    });
  };

  return (
    <div className="two-factor__scan">
      <p className="account-section__intro">
        Scan this QR code with your authenticator app (Google Authenticator, 1Password, Aegis, …), or type the setup key into it.
      </p>
      <QrCode uri={setup.otpauthUri} />
      <p className="two-factor__secret">
        <span id={secretId}>Setup key: </span>
        <code aria-labelledby={secretId} data-secret={setup.secret}>
          {grouped(setup.secret)}
        </code>
      </p>
      <AccountFormElement label="Confirm your authenticator app" onSubmit={onSubmit} formRef={formRef}>
        <TextField
          label="Code from the app"
          autoComplete="one-time-code"
          inputMode="numeric"
          pattern="[0-9 ]*"
          maxLength={8}
          required
          {...field('code')}
        />
        <div className="two-factor__actions">
          <button type="submit" className="button button--primary" disabled={busy}>
            {busy ? 'Checking…' : 'Turn on two-factor sign-in'}
          </button>
          <button type="button" className="button button--quiet" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </AccountFormElement>
      <FormResult outcome={outcome} />
    </div>
  );
}

/** /account: two-factor sign-in with an authenticator app — turn it on, new backup codes, turn it off. */
/** `onChanged`: the account's sessions or activity changed (the page reloads those lists). */
export function TwoFactorSection({ user, onChanged = () => {} }: { user: AccountUser; onChanged?: () => void }) {
  const call = useAccountApi();
  const [step, setStep] = useState<Step>(user.twoFactorEnabled ? { kind: 'on' } : { kind: 'off' });
  const [notice, setNotice] = useState<SubmitOutcome>(null);
  const wrongPassword = { wrongPassword: 'That password is not right.', wrongPasswordField: 'password' };

  return (
    <AccountSection
      title="Two-factor sign-in"
      description={
        step.kind === 'on' || (step.kind === 'codes' && !step.justEnabled)
          ? 'On: signing in asks for a code from your authenticator app (or a backup code) after your password.'
          : 'Off. Turn it on to ask for a code from an authenticator app after your password, so a stolen password is not enough.'
      }
    >
      {step.kind === 'off' ? (
        <PasswordConfirm
          label="Set up two-factor sign-in"
          submitLabel="Set up authenticator app"
          busyLabel="Starting…"
          onConfirmed={async (password) => {
            setNotice(null);
            const result = await call<Setup>({ method: 'POST', path: '/api/auth/2fa/enable', body: { password } });
            if (result.ok && result.data) {
              setStep({ kind: 'scan', setup: result.data });
              return 'done';
            }
            return result.ok ? null : failureOutcome(result, wrongPassword);
          }}
        />
      ) : null}
      {step.kind === 'scan' ? (
        <ScanAndVerify
          setup={step.setup}
          onEnabled={(codes) => {
            setStep({ kind: 'codes', codes, justEnabled: true });
            onChanged();
          }}
          onCancel={() => setStep({ kind: 'off' })}
        />
      ) : null}
      {step.kind === 'codes' ? (
        <BackupCodes
          codes={step.codes}
          justEnabled={step.justEnabled}
          onChanged={onChanged}
          onDone={() => {
            setStep({ kind: 'on' });
            setNotice({ success: 'Two-factor sign-in is on.' });
          }}
        />
      ) : null}
      {step.kind === 'on' ? (
        <>
          <h3>New backup codes</h3>
          <PasswordConfirm
            label="Get new backup codes"
            submitLabel="Get new backup codes"
            busyLabel="Creating…"
            onConfirmed={async (password) => {
              setNotice(null);
              const result = await call<{ backupCodes: string[] }>({ method: 'POST', path: '/api/auth/2fa/backup-codes', body: { password } });
              if (result.ok && result.data) {
                setStep({ kind: 'codes', codes: result.data.backupCodes, justEnabled: false });
                onChanged();
                return 'done';
              }
              return result.ok ? null : failureOutcome(result, wrongPassword);
            }}
          />
          <h3>Turn off</h3>
          <PasswordConfirm
            label="Turn off two-factor sign-in"
            submitLabel="Turn off two-factor sign-in"
            busyLabel="Turning off…"
            danger
            onConfirmed={async (password) => {
              setNotice(null);
              const result = await call({ method: 'POST', path: '/api/auth/2fa/disable', body: { password } });
              if (result.ok) {
                setStep({ kind: 'off' });
                setNotice({ success: 'Two-factor sign-in is off.' });
                onChanged();
                return 'done';
              }
              return failureOutcome(result, wrongPassword);
            }}
          />
        </>
      ) : null}
      <FormResult outcome={notice} />
    </AccountSection>
  );
}
