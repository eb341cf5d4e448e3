import { act, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { TokenManager } from '../../lib/auth/token-manager';
import { fakeJwt } from '../../test/fake-api';
import { fakeLive } from '../../test/fake-live';
import { LiveIndicator, useLiveStatus } from './LiveIndicator';
import type { LiveSocket } from '../../lib/urql/live';

function Bound({ live }: { live: LiveSocket | null }) {
  return <LiveIndicator status={useLiveStatus(live)} />;
}

describe('LiveIndicator', () => {
  it('is a status region that says the state in words, the dot only decorating it', () => {
    const { rerender } = render(<LiveIndicator status="live" />);
    const region = screen.getByRole('status');
    expect(region).toHaveTextContent(/^Live$/);
    expect(region.querySelector('.live__dot')).toHaveAttribute('aria-hidden', 'true');
    rerender(<LiveIndicator status="reconnecting" />);
    expect(screen.getByRole('status')).toHaveTextContent(/^Reconnecting…$/);
    expect(screen.getByRole('status')).toHaveAttribute('title', expect.stringMatching(/still save/));
    rerender(<LiveIndicator status="connecting" />);
    expect(screen.getByRole('status')).toHaveTextContent(/^Connecting…$/);
  });

  it('follows the socket: Connecting… → Live → Reconnecting… → Live', async () => {
    const now = Math.floor(Date.now() / 1000);
    const tokens = new TokenManager({
      fetchToken: async () => ({ ok: true, token: fakeJwt({ sub: 'u1', iat: now, exp: now + 900 }) }),
      onSessionEnded: vi.fn(),
    });
    const { live, ws } = fakeLive(tokens);
    render(<Bound live={live} />);
    expect(screen.getByRole('status')).toHaveTextContent('Connecting…');
    act(() => void live.subscribe({ query: 'subscription { taskEvents { type } }' }, { next() {}, error() {}, complete() {} }));
    expect(await screen.findByText('Live')).toBeInTheDocument();
    act(() => ws.drop(1006));
    expect(await screen.findByText('Reconnecting…', {}, { timeout: 3000 })).toBeInTheDocument();
    await act(() => ws.reopen());
    expect(screen.getByRole('status')).toHaveTextContent('Live');
  });
});
