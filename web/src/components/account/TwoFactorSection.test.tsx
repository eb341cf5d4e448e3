import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeApi, restError } from '../../test/fake-api';
import { SessionProvider } from '../session/SessionProvider';
import { AccountScreen } from './AccountScreen';

vi.mock('next/navigation', () => import('../../test/fake-router'));

const URI = 'otpauth://totp/Taskgate:ada%40example.com?issuer=Taskgate&secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30';
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const CODES = ['aaaaa-11111', 'bbbbb-22222', 'ccccc-33333', 'ddddd-44444', 'eeeee-55555', 'fffff-66666', 'ggggg-77777', 'hhhhh-88888', 'iiiii-99999', 'jjjjj-00000'];
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

let api: FakeApi;
let twoFactorOn: boolean;
beforeEach(() => {
  api = new FakeApi().signIn().install();
  twoFactorOn = false;
  const me = () => json(200, { user: { id: 'u1', name: 'Ada Lovelace', email: 'ada@example.com', emailVerified: true, createdAt: '2026-11-01T00:00:00.000Z', twoFactorEnabled: twoFactorOn } });
  api.restOverrides.set('GET /me', me);
  const body = () => api.requests.at(-1)!.body as Record<string, string>;
  api.restOverrides.set('POST /2fa/enable', () => (body().password === 'correct horse' ? json(200, { otpauthUri: URI, secret: SECRET }) : restError(401, 'INVALID_CREDENTIALS', 'Password is incorrect.')));
  api.restOverrides.set('POST /2fa/verify', () => {
    if (body().code !== '123456') return restError(400, 'INVALID_CODE', 'That code is not right.');
    twoFactorOn = true;
    return json(200, { backupCodes: CODES });
  });
  api.restOverrides.set('POST /2fa/disable', () => (body().password === 'correct horse' ? new Response(null, { status: 204 }) : restError(401, 'INVALID_CREDENTIALS', 'Password is incorrect.')));
  api.restOverrides.set('POST /2fa/backup-codes', () => json(200, { backupCodes: CODES.map((c) => c.replace(/^./, 'z')) }));
});

async function renderAccount() {
  const user = userEvent.setup();
  render(
    <SessionProvider navigate={vi.fn()}>
      <AccountScreen />
    </SessionProvider>,
  );
  await screen.findByRole('heading', { name: 'Two-factor sign-in' });
  return user;
}

const section = () => screen.getByRole('region', { name: 'Two-factor sign-in' });
const sent = (path: string) => api.requests.filter((r) => r.method === 'POST' && r.path === `/api/auth${path}`);

describe('two-factor section', () => {
  it('turns on: password, QR code drawn locally and the secret as text, the first code, then the backup codes once', async () => {
    const user = await renderAccount();
    expect(section()).toHaveTextContent('Off.');
    const s = within(section());
    await user.type(s.getByLabelText('Password'), 'wrong one');
    await user.click(s.getByRole('button', { name: 'Set up authenticator app' }));
    expect(await s.findByLabelText('Password')).toHaveAccessibleDescription('That password is not right.');

    await user.clear(s.getByLabelText('Password'));
    await user.type(s.getByLabelText('Password'), 'correct horse');
    await user.click(s.getByRole('button', { name: 'Set up authenticator app' }));
    const qr = await s.findByRole('img', { name: 'QR code to scan with your authenticator app' });
    expect(qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml/);
    expect(s.getByText('JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP')).toHaveAttribute('data-secret', SECRET);

    const code = s.getByLabelText('Code from the app');
    expect(code).toHaveAttribute('autocomplete', 'one-time-code');
    expect(code).toHaveAttribute('inputmode', 'numeric');
    await user.type(code, '000000');
    await user.click(s.getByRole('button', { name: 'Turn on two-factor sign-in' }));
    await waitFor(() => expect(s.getByLabelText('Code from the app')).toHaveAccessibleDescription(/That code is not right/));

    await user.clear(s.getByLabelText('Code from the app'));
    await user.type(s.getByLabelText('Code from the app'), '123 456');
    await user.click(s.getByRole('button', { name: 'Turn on two-factor sign-in' }));
    const list = await s.findByRole('list', { name: 'Backup codes' });
    expect(within(list).getAllByRole('listitem').map((li) => li.textContent)).toEqual(CODES);
    expect(sent('/2fa/verify').at(-1)!.body).toEqual({ code: '123456' });
    expect(await s.findByRole('link', { name: 'Download as .txt' })).toHaveAttribute('download', 'taskgate-backup-codes.txt');

    // Offered: sign out every other session.
    await user.click(s.getByRole('button', { name: 'Sign out other sessions' }));
    await waitFor(() => expect(api.requests.some((r) => r.method === 'DELETE' && r.path === '/api/auth/sessions')).toBe(true));

    await user.click(s.getByRole('button', { name: 'I have saved my backup codes' }));
    expect(s.queryByRole('list', { name: 'Backup codes' })).not.toBeInTheDocument();
    expect(section()).toHaveTextContent('Two-factor sign-in is on.');
  });

  it('when on: new backup codes and turning it off, each with the password', async () => {
    twoFactorOn = true;
    const user = await renderAccount();
    const s = within(section());
    expect(section()).toHaveTextContent('On: signing in asks for a code');
    const [codesPassword, offPassword] = s.getAllByLabelText('Password');
    await user.type(codesPassword!, 'correct horse');
    await user.click(s.getByRole('button', { name: 'Get new backup codes' }));
    const list = await s.findByRole('list', { name: 'Backup codes' });
    expect(within(list).getAllByRole('listitem')).toHaveLength(10);
    expect(s.queryByRole('button', { name: 'Sign out other sessions' })).not.toBeInTheDocument();
    await user.click(s.getByRole('button', { name: 'I have saved my backup codes' }));

    await user.type(s.getAllByLabelText('Password')[1]!, 'nope');
    await user.click(s.getByRole('button', { name: 'Turn off two-factor sign-in' }));
    await waitFor(() => expect(s.getAllByLabelText('Password')[1]).toHaveAccessibleDescription('That password is not right.'));
    await user.clear(s.getAllByLabelText('Password')[1]!);
    await user.type(s.getAllByLabelText('Password')[1]!, 'correct horse');
    await user.click(s.getByRole('button', { name: 'Turn off two-factor sign-in' }));
    await waitFor(() => expect(section()).toHaveTextContent('Two-factor sign-in is off.'));
    expect(s.getByRole('button', { name: 'Set up authenticator app' })).toBeInTheDocument();
    expect(offPassword).not.toBeInTheDocument();
  });
});
