import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { artifactPath, errorCollector, keepNamesShim, type CrossBrowser } from './cross';
import type { E2EEnv } from './env';
import { startSink } from './sink';

/**
 * openWebKit drives WebKitGTK's MiniBrowser (Safari's engine, from Debian's
 * libwebkit2gtk-4.1) through WebKitWebDriver, the W3C WebDriver it ships.
 * WebKitGTK has no headless mode, so the window lives on a private Xvfb
 * display that this process starts and stops. HOME and the XDG folders
 * point into a temp folder: the profile is fresh and thrown away.
 */
export async function openWebKit(env: E2EEnv): Promise<CrossBrowser> {
  const home = mkdtempSync(join(tmpdir(), 'patholabel-e2e-webkit-'));
  const procs: ChildProcess[] = [];
  const sink = await startSink();
  const cleanup = async (): Promise<void> => {
    for (const p of procs.reverse()) await stop(p);
    await sink.close();
    rmSync(home, { recursive: true, force: true });
  };
  try {
    const xvfb = spawn('Xvfb', ['-displayfd', '1', '-screen', '0', '1600x1000x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'pipe', 'pipe'] });
    procs.push(xvfb);
    const display = await firstLine(xvfb, 'Xvfb', 15_000);
    const port = await freePort();
    const driver = spawn(env.webkitDriver, [`--port=${port}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        ...process.env,
        DISPLAY: `:${display}`,
        HOME: home,
        XDG_CONFIG_HOME: join(home, 'config'),
        XDG_DATA_HOME: join(home, 'data'),
        XDG_CACHE_HOME: join(home, 'cache'),
        // No accessibility bus or portal on a bare Xvfb display.
        NO_AT_BRIDGE: '1',
        GTK_A11Y: 'none',
      },
    });
    procs.push(driver);
    const wd = new WebDriver(`http://127.0.0.1:${port}`);
    await wd.ready(15_000);
    await wd.newSession({
      browserName: 'MiniBrowser',
      'webkitgtk:browserOptions': {
        binary: env.miniBrowser,
        args: [
          '--automation',
          // Everything but the system under test goes to the refusing proxy.
          `--proxy=http://127.0.0.1:${sink.port}`,
          '--ignore-host=127.0.0.1',
          '--ignore-host=localhost',
          '--enable-dns-prefetching=false',
          '--enable-hyperlink-auditing=false',
        ],
      },
    });
    await wd.cmd('POST', '/window/rect', { x: 0, y: 0, width: 1366, height: 768 });
    const version = `MiniBrowser/WebKitGTK ${wd.version}`;
    const errors: string[] = [];
    const harvest = async (): Promise<void> => {
      const found = await wd.run<string[] | null>('return window.__e2eErrors || null;').catch(() => null);
      if (found !== null) errors.push(...found);
    };
    const navigated = async (): Promise<void> => void (await wd.run(errorCollector));
    const b: CrossBrowser = {
      name: 'webkit',
      version,
      goto: async (url) => {
        await harvest();
        await wd.cmd('POST', '/url', { url });
        await navigated();
      },
      reload: async () => {
        await harvest();
        await wd.cmd('POST', '/refresh', {});
        await navigated();
      },
      evaluate: (fn, ...args) => wd.call(fn, args),
      type: async (selector, text) => {
        const el = await wd.find(selector);
        await wd.cmd('POST', `/element/${el}/click`, {});
        await wd.cmd('POST', `/element/${el}/value`, { text });
      },
      click: async (selector) => void (await wd.cmd('POST', `/element/${await wd.find(selector)}/click`, {})),
      clickAt: async (x, y) => {
        await wd.cmd('POST', '/actions', {
          actions: [
            {
              type: 'pointer',
              id: 'mouse',
              parameters: { pointerType: 'mouse' },
              actions: [
                { type: 'pointerMove', duration: 0, origin: 'viewport', x: Math.round(x), y: Math.round(y) },
                { type: 'pointerDown', button: 0 },
                { type: 'pointerUp', button: 0 },
              ],
            },
          ],
        });
        await wd.cmd('DELETE', '/actions');
      },
      press: async (key) => {
        const value = specialKeys[key] ?? key;
        await wd.cmd('POST', '/actions', {
          actions: [{ type: 'key', id: 'keyboard', actions: [{ type: 'keyDown', value }, { type: 'keyUp', value }] }],
        });
        await wd.cmd('DELETE', '/actions');
      },
      screenshot: async (what) => {
        const path = artifactPath('webkit', what);
        writeFileSync(path, Buffer.from(await wd.cmd<string>('GET', '/screenshot'), 'base64'));
        return path;
      },
      // WebDriver classic has no network events: the page's own Resource Timing entries say it.
      responses: () =>
        wd.run<{ url: string; status: number }[]>(
          `return performance.getEntriesByType('resource').map((e) => ({ url: e.name, status: e.responseStatus || 0 }));`,
        ),
      outside: () => [...sink.seen],
      pageErrors: () => [...errors],
      close: async () => {
        await harvest();
        await wd.cmd('DELETE', '').catch(() => undefined);
        await cleanup();
      },
    };
    await navigated();
    return b;
  } catch (err) {
    await cleanup();
    throw err;
  }
}

const specialKeys: Record<string, string> = { Tab: '\uE004', Enter: '\uE007', Escape: '\uE00C' };

/** WebDriver is the handful of W3C WebDriver (classic) commands the smoke test uses. */
class WebDriver {
  private session = '';
  version = '';

  constructor(private readonly base: string) {}

  async ready(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const res = await fetch(`${this.base}/status`);
        if (res.ok) return;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) throw new Error(`e2e webkit: WebKitWebDriver did not answer on ${this.base} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async newSession(alwaysMatch: Record<string, unknown>): Promise<void> {
    const value = await this.send<{ sessionId: string; capabilities: { browserVersion?: string } }>('POST', '/session', {
      capabilities: { alwaysMatch },
    });
    this.session = value.sessionId;
    this.version = value.capabilities.browserVersion ?? '';
  }

  /** cmd sends a command of the current session. */
  cmd<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    return this.send<T>(method, `/session/${this.session}${path}`, body);
  }

  async find(selector: string): Promise<string> {
    const el = await this.cmd<Record<string, string>>('POST', '/element', { using: 'css selector', value: selector });
    const id = Object.values(el)[0];
    if (id === undefined) throw new Error(`e2e webkit: no element id for ${selector}`);
    return id;
  }

  run<T>(script: string): Promise<T> {
    return this.cmd<T>('POST', '/execute/sync', { script, args: [] });
  }

  /** call runs fn in the page (async allowed) and answers its result; exceptions come back as errors. */
  async call<A extends readonly unknown[], T>(fn: (...args: A) => T | Promise<T>, args: A): Promise<T> {
    const script = `${keepNamesShim}
const done = arguments[arguments.length - 1];
Promise.resolve()
  .then(() => (${fn.toString()}).apply(null, Array.prototype.slice.call(arguments, 0, -1)))
  .then((v) => done({ ok: v === undefined ? null : v }), (e) => done({ err: String((e && e.stack) || e) }));`;
    const out = await this.cmd<{ ok?: T; err?: string }>('POST', '/execute/async', { script, args });
    if (out.err !== undefined) throw new Error(`e2e webkit: in the page: ${out.err}`);
    return out.ok as T;
  }

  private async send<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(this.base + path, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
    });
    const json = (await res.json()) as { value: T & { error?: string; message?: string } };
    if (!res.ok) throw new Error(`e2e webkit: ${method} ${path}: ${json.value.error ?? res.status} ${json.value.message ?? ''}`);
    return json.value;
  }
}

function firstLine(p: ChildProcess, what: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`e2e webkit: ${what} said nothing in ${timeoutMs} ms: ${err}`)), timeoutMs);
    p.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    p.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(out.slice(0, nl).trim());
      }
    });
    p.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`e2e webkit: start ${what}: ${e.message}`));
    });
    p.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`e2e webkit: ${what} exited with ${String(code)}: ${err}`));
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** stop ends a process this module started, by its handle, and waits for it. */
function stop(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => p.kill('SIGKILL'), 5_000);
    p.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    p.kill('SIGTERM');
  });
}
