import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'playwright-core';
import { Api } from './api';
import { openBrowser, screenshot, type Browser } from './browser';
import { e2eEnv } from './env';

const env = e2eEnv();

describe('personal access tokens', () => {
  let b: Browser;
  const run = Date.now().toString(36);
  const name = `pipeline ${run}`;
  let secret = '';

  before(async () => {
    b = await openBrowser(env);
    await new Api(b.context.request, env.url).login('admin', env.adminPassword);
  });

  after(async () => {
    await b?.close();
  });

  /** asBearer calls the API with only the token: no cookie. */
  async function asBearer(path: string): Promise<number> {
    const other = await request.newContext();
    try {
      return (await other.get(`${env.url}${path}`, { headers: { Authorization: `Bearer ${secret}` } })).status();
    } finally {
      await other.dispose();
    }
  }

  it('creates a read-only token, shows its secret once, and the secret opens the API', async () => {
    const { page } = b;
    await page.goto(`${env.url}/`);
    await page.getByRole('link', { name: 'Access tokens' }).click();
    await page.getByRole('heading', { name: 'Access tokens' }).waitFor();
    await page.getByLabel('Token name').fill(name);
    await page.getByLabel('Expires in (days)').fill('30');
    await page.getByLabel('Read-only').check();
    await page.getByRole('button', { name: 'Create token' }).click();
    const box = page.locator('#new-token');
    await box.waitFor();
    secret = await box.inputValue();
    assert.match(secret, /^plt_/);
    const row = page.getByRole('table', { name: 'Tokens' }).getByRole('row', { name: new RegExp(name) });
    await row.waitFor();
    assert.match(await row.innerText(), /read-only[\s\S]*active/);
    assert.equal(await asBearer('/api/v1/auth/me'), 200);
    await screenshot(page, 'tokens');
    await page.reload();
    await page.getByRole('table', { name: 'Tokens' }).waitFor();
    assert.equal(await page.locator('#new-token').count(), 0, 'the secret is shown once');
  });

  it('revokes the token and the API refuses it', async () => {
    const { page } = b;
    await page.getByRole('button', { name: `Revoke ${name}` }).click();
    const row = page.getByRole('table', { name: 'Tokens' }).getByRole('row', { name: new RegExp(name) });
    await row.filter({ hasText: 'revoked' }).waitFor();
    // Revocation reaches every replica's cache within seconds, not at once.
    await new Api(b.context.request, env.url).until('the token to be refused', 10_000, async () => ((await asBearer('/api/v1/auth/me')) === 401 ? true : undefined));
  });

  it('loaded nothing from outside and threw no errors', () => {
    assert.deepEqual(b.foreign, []);
    assert.deepEqual(b.pageErrors, []);
  });
});
