// Browser tests. Run them with `npm run test:e2e` (e2e/run.mjs): it builds the app if needed and
// starts the API (fresh database, short token lifetime) and `next start` before Playwright runs.
import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './e2e/chromium';

export default defineConfig({
  testDir: './e2e',
  outputDir: './test-results/artifacts',
  // One API and one database for all tests, two cores: one browser at a time.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    baseURL: process.env.E2E_BASE_URL ?? 'http://localhost:3000',
    browserName: 'chromium',
    // Playwright gives each launch a fresh temporary profile (user-data-dir).
    launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
    viewport: { width: 1280, height: 800 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
});
