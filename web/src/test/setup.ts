import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterAll, afterEach, beforeEach, vi } from 'vitest';

// A stray console.error (a React warning, a failed prop type, an act() warning) fails the test.
let errors: unknown[][] = [];
beforeEach(() => {
  errors = [];
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    errors.push(args);
  });
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  if (errors.length > 0) {
    const first = errors[0]!.map((part) => (part instanceof Error ? part.stack : String(part))).join(' ');
    throw new Error(`console.error was called ${errors.length} time(s); first: ${first}`);
  }
});

// better-auth's client stores (nanostores) tear down a second after their last
// subscriber leaves (nanostores' STORE_UNMOUNT_DELAY, 1000 ms), touching `window`. Let that happen while jsdom still exists, not after the
// environment is gone (where it throws "removeEventListener is not a function").
afterAll(async () => {
  await new Promise((resolve) => setTimeout(resolve, 1_100));
});
