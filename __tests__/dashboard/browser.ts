import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's Chromium, which `.ci/run` installs when missing. */
export const CHROMIUM = '/usr/bin/chromium';

/** Starts the system's Chromium, headless; fails with what to install when it is missing. */
export function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the dashboard's browser tests need Debian's chromium (apt-get install -y chromium)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--headless',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** What a page did that it must not: console errors, uncaught errors, dialogs, CSP violations. */
export interface Watched {
  page: Page;
  errors: string[];
  dialogs: string[];
  violations(): Promise<number>;
}

/** A new page that records its console errors, uncaught errors, dialogs and CSP violations. */
export async function watchedPage(browser: Browser): Promise<Watched> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 640 } });
  const page = await context.newPage();
  const errors: string[] = [];
  const dialogs: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.addInitScript(() => {
    const w = window as unknown as { violations: number };
    w.violations = 0;
    document.addEventListener('securitypolicyviolation', () => w.violations++);
  });
  return {
    page,
    errors,
    dialogs,
    violations: () => page.evaluate(() => (window as unknown as { violations: number }).violations),
  };
}
