import { screen, waitFor } from '@testing-library/react';
import { expect } from 'vitest';

/**
 * The alert (role="alert") that contains `text`. Pages keep empty live regions in the DOM so
 * screen readers announce what is added to them, hence "the one with this text".
 */
export async function findAlert(text: string | RegExp): Promise<HTMLElement> {
  let found: HTMLElement | undefined;
  await waitFor(() => {
    found = screen
      .queryAllByRole('alert')
      .find((alert) =>
        typeof text === 'string' ? alert.textContent?.includes(text) : text.test(alert.textContent ?? ''),
      );
    expect(
      found,
      `no alert contains ${String(text)}; alerts: ${screen
        .queryAllByRole('alert')
        .map((a) => JSON.stringify(a.textContent))
        .join(', ')}`,
    ).toBeDefined();
  });
  return found!;
}
