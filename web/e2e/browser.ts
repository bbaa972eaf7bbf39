import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { artifactsDir, type E2EEnv } from './env';

// Debian's chromium, with every background connection off: this machine's
// network is closed and we never download a browser build.
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-quic',
  '--disable-sync',
];

export interface Browser {
  readonly context: BrowserContext;
  readonly page: Page;
  /** foreign lists every request that left the system under test: must stay empty. */
  readonly foreign: string[];
  /** pageErrors collects uncaught exceptions thrown in the page. */
  readonly pageErrors: string[];
  close(): Promise<void>;
}

/** openBrowser starts a fresh profile in a temp folder, sized like a small laptop screen. */
export async function openBrowser(env: E2EEnv, extraArgs: readonly string[] = []): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'patholabel-e2e-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: env.chromium,
    headless: true,
    args: [...chromiumArgs, ...extraArgs],
    viewport: { width: 1366, height: 768 },
  });
  // tsx compiles the tests with esbuild's keepNames, which wraps named functions in
  // __name(...); functions passed to page.evaluate carry that call into the page.
  await context.addInitScript('globalThis.__name = (fn) => fn;');
  const origin = new URL(env.url).origin;
  const foreign: string[] = [];
  const pageErrors: string[] = [];
  context.on('request', (req) => {
    const url = req.url();
    if (!url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:')) foreign.push(url);
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (err) => pageErrors.push(err.message));
  // Fail fast: one broken step should not stall the rest of the suite for minutes.
  page.setDefaultTimeout(10_000);
  return {
    context,
    page,
    foreign,
    pageErrors,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(artifactsDir, { recursive: true });
  const path = join(artifactsDir, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}
