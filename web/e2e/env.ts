import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const webDir = join(here, '..');
export const artifactsDir = join(here, 'artifacts');

export interface E2EEnv {
  readonly url: string;
  readonly adminPassword: string;
  readonly chromium: string;
  /** firefox is Debian's firefox-esr, driven over WebDriver BiDi. */
  readonly firefox: string;
  /** webkitDriver and miniBrowser are WebKitGTK's WebDriver and its test browser (Safari's engine). */
  readonly webkitDriver: string;
  readonly miniBrowser: string;
  /** testdata is the shared test data folder, beside the repository (../shared/testdata). */
  readonly testdata: string;
}

/**
 * e2eEnv reads where the running system is. The admin password falls back to
 * the file `make up` writes, so a developer can run the suite without exporting it.
 */
export function e2eEnv(): E2EEnv {
  const url = (process.env['PATHOLABEL_URL'] ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  const adminPassword = process.env['PATHOLABEL_ADMIN_PASSWORD'] ?? readPasswordFile();
  const chromium = process.env['PATHOLABEL_CHROMIUM'] ?? '/usr/bin/chromium';
  const firefox = process.env['PATHOLABEL_FIREFOX'] ?? '/usr/bin/firefox-esr';
  const webkitDriver = process.env['PATHOLABEL_WEBKIT_DRIVER'] ?? '/usr/bin/WebKitWebDriver';
  // Debian installs MiniBrowser under the multiarch triplet of the machine.
  const triplet = process.arch === 'arm64' ? 'aarch64-linux-gnu' : 'x86_64-linux-gnu';
  const miniBrowser = process.env['PATHOLABEL_MINIBROWSER'] ?? `/usr/lib/${triplet}/webkit2gtk-4.1/MiniBrowser`;
  const testdata = process.env['PATHOLABEL_TESTDATA'] ?? join(webDir, '..', '..', 'shared', 'testdata');
  return { url, adminPassword, chromium, firefox, webkitDriver, miniBrowser, testdata };
}

function readPasswordFile(): string {
  const file = join(webDir, '..', '.dev', 'admin-password');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new Error(`e2e: set PATHOLABEL_ADMIN_PASSWORD or run \`make up\` to write ${file}: ${String(err)}`);
  }
}
