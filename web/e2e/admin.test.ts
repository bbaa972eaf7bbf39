import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Api } from './api';
import { openBrowser, screenshot, type Browser } from './browser';
import { e2eEnv } from './env';

const env = e2eEnv();

describe('administration: users and the audit log', () => {
  let b: Browser;
  const run = Date.now().toString(36);
  const username = `adm${run}`;

  before(async () => {
    b = await openBrowser(env);
    await new Api(b.context.request, env.url).login('admin', env.adminPassword);
  });

  after(async () => {
    await b?.close();
  });

  it('creates and disables a user, and the audit log records it', async () => {
    const { page } = b;
    await page.goto(`${env.url}/`);
    await page.getByRole('link', { name: 'Administration' }).click();
    await page.getByRole('heading', { name: 'Administration' }).waitFor();
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Display name').fill('Dr Test');
    await page.getByLabel('E-mail').fill(`${username}@example.org`);
    await page.getByLabel('Password').fill(`pw-${run}-long-enough`);
    await page.getByRole('button', { name: 'Add user' }).click();
    const row = page.getByRole('table', { name: 'Users' }).getByRole('row', { name: new RegExp(username) });
    await row.filter({ hasText: 'active' }).waitFor();
    await page.getByRole('button', { name: `Disable ${username}` }).click();
    await row.filter({ hasText: 'disabled' }).waitFor();
    const log = page.getByRole('table', { name: 'Audit log' });
    await log.waitFor();
    assert.match(await log.innerText(), /user/);
    assert.equal(await page.getByRole('alert').count(), 0);
    await screenshot(page, 'admin');
  });

  it('loaded nothing from outside and threw no errors', () => {
    assert.deepEqual(b.foreign, []);
    assert.deepEqual(b.pageErrors, []);
  });
});
