// vitest setupFile: a console.error nobody expected (a library complaining, an error swallowed and
// printed) fails the test, as in the web suite. Tests that expect one call takeConsoleErrors().
import { afterEach, beforeEach, vi, type MockInstance } from 'vitest';
import { consoleErrors } from './console-errors.js';

let spy: MockInstance<typeof console.error> | undefined;

beforeEach(() => {
  consoleErrors.length = 0;
  spy = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    consoleErrors.push(args);
  });
});

afterEach(() => {
  spy?.mockRestore();
  const stray = consoleErrors.splice(0);
  if (stray.length > 0) {
    const first = stray[0]!.map((part) => (part instanceof Error ? part.stack : String(part))).join(' ');
    throw new Error(`console.error was called ${stray.length} time(s); first: ${first}`);
  }
});
