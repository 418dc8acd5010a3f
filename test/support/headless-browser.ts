import chromium from '@sparticuz/chromium';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium as playwright, type Browser } from 'playwright-core';

/**
 * A real headless Chromium for tests, from the npm package @sparticuz/chromium (nothing else to install): its
 * binary is unpacked into a folder of its own (TMPDIR while executablePath() runs), and launched without
 * --single-process so that each test may open its own context. Web security stays on (the package turns it off
 * for serverless use): the pay page's CSP is part of what is tested.
 */
export async function launchHeadlessBrowser(): Promise<{ browser: Browser; close: () => Promise<void> }> {
  const folder = mkdtempSync(join(tmpdir(), 'hisaab-chromium-'));
  const previousTmpdir = process.env.TMPDIR;
  process.env.TMPDIR = folder;
  let executablePath: string;
  try {
    executablePath = await chromium.executablePath();
  } finally {
    if (previousTmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previousTmpdir;
  }
  const unwanted = new Set(['--single-process', '--disable-web-security', '--allow-running-insecure-content']);
  const browser = await playwright.launch({
    executablePath,
    headless: true,
    args: chromium.args.filter((argument) => !unwanted.has(argument)),
  });
  return {
    browser,
    async close() {
      await browser.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
