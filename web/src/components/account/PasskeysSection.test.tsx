import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeApi, restError } from '../../test/fake-api';
import { SessionProvider } from '../session/SessionProvider';
import { AccountScreen } from './AccountScreen';
import type { Passkey } from './PasskeysSection';

vi.mock('next/navigation', () => import('../../test/fake-router'));

const jsonResponse = (status: number, body: unknown) =>
  new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const LAPTOP: Passkey = {
  id: '0190a1b2-0000-7000-8000-000000000001',
  name: 'Work laptop',
  createdAt: '2026-11-20T09:00:00.000Z',
  lastUsedAt: null,
  deviceType: 'singleDevice',
  backedUp: false,
};
const PHONE: Passkey = { ...LAPTOP, id: '0190a1b2-0000-7000-8000-000000000002', name: 'Phone', lastUsedAt: '2026-11-25T11:00:00.000Z', backedUp: true };

let api: FakeApi;
let stored: Passkey[];
beforeEach(() => {
  api = new FakeApi().signIn().install();
  stored = [PHONE, LAPTOP];
  api.restOverrides.set('GET /passkeys', () => jsonResponse(200, { passkeys: stored }));
});

async function renderPasskeys() {
  const user = userEvent.setup();
  render(
    <SessionProvider navigate={vi.fn()}>
      <AccountScreen />
    </SessionProvider>,
  );
  const region = await screen.findByRole('region', { name: 'Passkeys' });
  await within(region).findByRole('list', { name: 'Passkeys' });
  return { user, region };
}

const sent = (method: string, path: string) => api.requests.filter((r) => r.method === method && r.path === `/api/auth${path}`);

describe('passkeys on /account', () => {
  it('lists each passkey with when it was added and last used; a browser without WebAuthn is told it cannot add one', async () => {
    const { region } = await renderPasskeys();
    const items = within(within(region).getByRole('list', { name: 'Passkeys' })).getAllByRole('listitem');
    expect(items.map((item) => within(item).getByText(/^Added /).textContent)).toEqual([
      expect.stringMatching(/last used/),
      expect.stringMatching(/not used yet$/),
    ]);
    expect(within(items[0]!).getByText('Synced')).toBeInTheDocument();
    expect(within(region).getByText(/This browser cannot create passkeys/)).toBeInTheDocument();
    expect(within(region).queryByRole('button', { name: 'Add a passkey' })).toBeNull();
  });

  it('renames one: the new name is sent trimmed and the list reloads', async () => {
    const { user, region } = await renderPasskeys();
    api.restOverrides.set(`PATCH /passkeys/${LAPTOP.id}`, () => {
      stored = [PHONE, { ...LAPTOP, name: 'Home desktop' }];
      return jsonResponse(200, { passkey: stored[1] });
    });
    await user.click(within(region).getByRole('button', { name: /^Rename Work laptop/ }));
    const field = within(region).getByLabelText('New name for Work laptop');
    expect(field).toHaveValue('Work laptop');
    await user.clear(field);
    await user.type(field, '  Home desktop ');
    await user.click(within(region).getByRole('button', { name: 'Save name' }));
    await waitFor(() => expect(within(region).getAllByRole('status').at(-1)).toHaveTextContent('Renamed to “Home desktop”.'));
    expect(sent('PATCH', `/passkeys/${LAPTOP.id}`).at(-1)?.body).toEqual({ name: 'Home desktop' });
    expect(within(region).getByText('Home desktop')).toBeInTheDocument();
  });

  it('removes one only with the right password; a wrong one is said at the field and keeps it', async () => {
    const { user, region } = await renderPasskeys();
    api.restOverrides.set(`DELETE /passkeys/${LAPTOP.id}`, () => restError(401, 'INVALID_CREDENTIALS', 'Password is incorrect.'));
    await user.click(within(region).getByRole('button', { name: /^Remove Work laptop/ }));
    const password = within(region).getByLabelText('Your password, to remove it');
    await user.click(within(region).getByRole('button', { name: 'Remove passkey' }));
    expect(password).toHaveAccessibleDescription('Enter your password.');
    expect(sent('DELETE', `/passkeys/${LAPTOP.id}`)).toHaveLength(0);

    await user.type(password, 'wrong password 1');
    await user.click(within(region).getByRole('button', { name: 'Remove passkey' }));
    await waitFor(() => expect(password).toHaveAccessibleDescription('That password is not right. The passkey is kept.'));
    expect(password).toHaveFocus();

    api.restOverrides.set(`DELETE /passkeys/${LAPTOP.id}`, () => {
      stored = [PHONE];
      return jsonResponse(204, null);
    });
    await user.clear(password);
    await user.type(password, 'the right password 1');
    await user.click(within(region).getByRole('button', { name: 'Remove passkey' }));
    await waitFor(() => expect(within(region).getAllByRole('status').at(-1)).toHaveTextContent('Passkey “Work laptop” removed.'));
    expect(sent('DELETE', `/passkeys/${LAPTOP.id}`).at(-1)?.body).toEqual({ password: 'the right password 1' });
    expect(within(region).queryByText('Work laptop')).toBeNull();
  });
});
