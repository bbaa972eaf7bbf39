import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { artifactsDir } from './env';

/**
 * CrossBrowser is the little a smoke test needs from a browser, so one
 * scenario runs in Firefox (puppeteer-core over WebDriver BiDi) and in
 * WebKit (WebKitWebDriver, W3C WebDriver) alike. Coordinates are CSS pixels
 * of the viewport; selectors are CSS.
 */
export interface CrossBrowser {
  /** name prefixes the screenshots: "firefox", "webkit". */
  readonly name: string;
  /** version is what the browser calls itself, for the test log. */
  readonly version: string;
  goto(url: string): Promise<void>;
  reload(): Promise<void>;
  /** evaluate runs fn in the page with JSON arguments and answers its JSON result. */
  evaluate<A extends readonly unknown[], T>(fn: (...args: A) => T | Promise<T>, ...args: A): Promise<T>;
  /** type focuses the field and types text into it, key by key. */
  type(selector: string, text: string): Promise<void>;
  click(selector: string): Promise<void>;
  /** clickAt presses and releases the primary button at a point of the viewport, without moving in between. */
  clickAt(x: number, y: number): Promise<void>;
  /** press sends one key (a character, "Tab" or "Enter") to the focused element. */
  press(key: string): Promise<void>;
  /** screenshot saves the viewport as artifacts/<name>-<what>.png. */
  screenshot(what: string): Promise<string>;
  /** responses lists the page's requests since it was opened with their HTTP status, as the driver sees them. */
  responses(): Promise<{ url: string; status: number }[]>;
  /** outside lists what the browser tried to reach beyond the system under test; must stay empty. */
  outside(): string[];
  /** pageErrors lists uncaught exceptions and unhandled rejections seen in the page. */
  pageErrors(): string[];
  close(): Promise<void>;
}

export function artifactPath(browser: string, what: string): string {
  mkdirSync(artifactsDir, { recursive: true });
  return join(artifactsDir, `${browser}-${what}.png`);
}

/**
 * until polls fn in the page until it answers something other than
 * undefined, null or false, and answers that.
 */
export async function until<A extends readonly unknown[], T>(
  b: CrossBrowser,
  what: string,
  fn: (...args: A) => T | undefined | null | false,
  args: A,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await b.evaluate(fn, ...args);
      if (v !== undefined && v !== null && v !== false) return v;
      last = v;
    } catch (err) {
      // A navigation in progress destroys the page's context; the next try sees the new page.
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`e2e ${b.name}: gave up waiting for ${what} after ${timeoutMs} ms (last: ${String(last)})`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/**
 * keepNamesShim defines esbuild's __name helper in the page: tsx compiles the
 * tests with keepNames, so functions sent to the page carry __name(...) calls.
 */
export const keepNamesShim = 'globalThis.__name = globalThis.__name || ((fn) => fn);';

/** errorCollector records uncaught errors for pageErrors where the driver has no event for them. */
export const errorCollector = `(() => {
  if (window.__e2eErrors) return;
  window.__e2eErrors = [];
  window.addEventListener('error', (e) => window.__e2eErrors.push(String(e.message)));
  window.addEventListener('unhandledrejection', (e) => window.__e2eErrors.push('unhandled rejection: ' + String(e.reason && e.reason.message || e.reason)));
})();`;
