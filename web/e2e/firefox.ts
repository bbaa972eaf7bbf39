import puppeteer from 'puppeteer-core';
import { artifactPath, keepNamesShim, type CrossBrowser } from './cross';
import type { E2EEnv } from './env';
import { startSink } from './sink';

/**
 * quietPrefs turn off everything Firefox does on its own over the network.
 * Puppeteer and Firefox's remote agent set most of these already; they are
 * spelled out here so the run stays quiet whatever their defaults become.
 */
const quietPrefs: Record<string, string | number | boolean> = {
  // Remote settings (blocklists, certificate revocation lists, experiments): with
  // MOZ_DISABLE_NONLOCAL_CONNECTIONS set, this dummy server turns syncing off.
  'services.settings.server': 'data:,#remote-settings-dummy/v1',
  'app.update.disabledForTesting': true,
  'app.update.auto': false,
  'app.normandy.enabled': false,
  'app.normandy.api_url': '',
  'app.shield.optoutstudies.enabled': false,
  'messaging-system.rsexperimentloader.enabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'datareporting.healthreport.uploadEnabled': false,
  'datareporting.usage.uploadEnabled': false,
  'toolkit.telemetry.enabled': false,
  'toolkit.telemetry.unified': false,
  'toolkit.telemetry.archive.enabled': false,
  'toolkit.telemetry.server': 'data:,',
  'browser.ping-centre.telemetry': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'browser.safebrowsing.downloads.enabled': false,
  'browser.safebrowsing.downloads.remote.enabled': false,
  'browser.safebrowsing.blockedURIs.enabled': false,
  'browser.safebrowsing.provider.google4.updateURL': '',
  'browser.safebrowsing.provider.google4.gethashURL': '',
  'browser.safebrowsing.provider.mozilla.updateURL': '',
  'network.captive-portal-service.enabled': false,
  'captivedetect.canonicalURL': '',
  'network.connectivity-service.enabled': false,
  'network.trr.mode': 5,
  'network.dns.disablePrefetch': true,
  'network.prefetch-next': false,
  'network.predictor.enabled': false,
  'network.http.speculative-parallel-limit': 0,
  'security.OCSP.enabled': 0,
  'security.remote_settings.crlite_filters.enabled': false,
  'security.remote_settings.intermediates.enabled': false,
  'extensions.update.enabled': false,
  'extensions.systemAddon.update.enabled': false,
  'extensions.blocklist.enabled': false,
  'extensions.getAddons.cache.enabled': false,
  'media.gmp-manager.updateEnabled': false,
  'media.gmp-gmpopenh264.enabled': false,
  'browser.search.update': false,
  'browser.region.update.enabled': false,
  'browser.region.network.url': '',
  'geo.provider.network.url': '',
  'dom.push.connection.enabled': false,
  'dom.push.serverURL': '',
  'identity.fxaccounts.enabled': false,
  'browser.discovery.enabled': false,
  'browser.newtabpage.enabled': false,
  'browser.topsites.contile.enabled': false,
  'browser.aboutwelcome.enabled': false,
  'signon.rememberSignons': false,
};

/**
 * openFirefox starts Debian's firefox-esr headless with a fresh temporary
 * profile (puppeteer makes one and removes it on close) and a 1366x768
 * viewport. Every request for another host goes to a refusing local proxy,
 * and Firefox itself refuses non-loopback connections.
 */
export async function openFirefox(env: E2EEnv): Promise<CrossBrowser> {
  const sink = await startSink();
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: env.firefox,
    headless: true,
    defaultViewport: { width: 1366, height: 768 },
    env: { ...process.env, MOZ_DISABLE_NONLOCAL_CONNECTIONS: '1' },
    extraPrefsFirefox: {
      ...quietPrefs,
      // The system under test is on 127.0.0.1, which Firefox never proxies.
      'network.proxy.type': 1,
      'network.proxy.http': '127.0.0.1',
      'network.proxy.http_port': sink.port,
      'network.proxy.ssl': '127.0.0.1',
      'network.proxy.ssl_port': sink.port,
      'network.proxy.socks_remote_dns': true,
    },
  });
  const version = await browser.version();
  const page = await browser.newPage();
  page.setDefaultTimeout(15_000);
  await page.evaluateOnNewDocument(keepNamesShim);
  const origin = new URL(env.url).origin;
  const foreign: string[] = [];
  const errors: string[] = [];
  const responses: { url: string; status: number }[] = [];
  page.on('request', (req) => {
    const url = req.url();
    if (!url.startsWith(origin) && !/^(data|blob|about):/.test(url)) foreign.push(url);
  });
  page.on('response', (res) => void responses.push({ url: res.url(), status: res.status() }));
  page.on('pageerror', (err) => errors.push(err instanceof Error ? err.message : String(err)));
  return {
    name: 'firefox',
    version,
    goto: async (url) => void (await page.goto(url, { waitUntil: 'load' })),
    reload: async () => void (await page.reload({ waitUntil: 'load' })),
    // puppeteer types evaluate's arguments its own way; the shapes are the same JSON values.
    evaluate: async <A extends readonly unknown[], T>(fn: (...args: A) => T | Promise<T>, ...args: A): Promise<T> =>
      (await page.evaluate(fn as unknown as (...a: unknown[]) => unknown, ...args)) as T,
    type: async (selector, text) => {
      await page.click(selector);
      await page.type(selector, text);
    },
    click: (selector) => page.click(selector),
    clickAt: (x, y) => page.mouse.click(x, y),
    press: (key) => page.keyboard.press(key as Parameters<typeof page.keyboard.press>[0]),
    screenshot: async (what) => {
      const path = artifactPath('firefox', what);
      await page.screenshot({ path: path as `${string}.png` });
      return path;
    },
    responses: async () => [...responses],
    outside: () => [...foreign, ...sink.seen],
    pageErrors: () => [...errors],
    close: async () => {
      await browser.close();
      await sink.close();
    },
  };
}
