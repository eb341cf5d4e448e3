// A stray console.error fails the test that caused it (test/support/setup.ts installs the check).
// A test that expects one says so by taking the calls it expected.
export const consoleErrors: unknown[][] = [];

/** The console.error calls of the current test so far; taking them means they were expected. */
export function takeConsoleErrors(): unknown[][] {
  return consoleErrors.splice(0);
}
