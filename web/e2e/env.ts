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
  const testdata = process.env['PATHOLABEL_TESTDATA'] ?? join(webDir, '..', '..', 'shared', 'testdata');
  return { url, adminPassword, chromium, testdata };
}

function readPasswordFile(): string {
  const file = join(webDir, '..', '.dev', 'admin-password');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new Error(`e2e: set PATHOLABEL_ADMIN_PASSWORD or run \`make up\` to write ${file}: ${String(err)}`);
  }
}
