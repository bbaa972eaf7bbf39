import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openBrowser, screenshot, type Browser } from './browser';
import { e2eEnv } from './env';

const env = e2eEnv();

interface LoginAnswer {
  user?: { username: string; display_name?: string };
  error?: { code: string; message: string };
}

describe('sign in and out', () => {
  let b: Browser;

  before(async () => {
    b = await openBrowser(env);
  });

  after(async () => {
    await b?.close();
  });

  it('sends a visitor without a session to the login page', async () => {
    await b.page.goto(`${env.url}/`);
    await b.page.getByRole('heading', { name: 'Sign in to Patholabel' }).waitFor();
    assert.equal(new URL(b.page.url()).pathname, '/login');
    await screenshot(b.page, 'login');
  });

  it('signs the admin in and shows the project picker with their name', async () => {
    const { page } = b;
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(env.adminPassword);
    const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'));
    await page.getByRole('button', { name: 'Sign in' }).click();
    const body = (await (await answer).json()) as LoginAnswer;
    assert.ok(body.user, `login answered ${JSON.stringify(body)}`);
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    const want = body.user.display_name?.trim() || body.user.username;
    assert.equal(await page.getByTestId('user-name').textContent(), want);
    // Either the list or the empty state, never a spinner or an error.
    await page.locator('.card-list, .empty-state').first().waitFor();
    assert.equal(await page.getByRole('alert').count(), 0);
    await screenshot(page, 'projects');
  });

  it('keeps the session across a reload', async () => {
    await b.page.reload();
    await b.page.getByRole('heading', { name: 'Projects' }).waitFor();
  });

  it('signs out and the session is gone', async () => {
    const { page } = b;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Patholabel' }).waitFor();
    await page.goto(`${env.url}/`);
    await page.getByRole('heading', { name: 'Sign in to Patholabel' }).waitFor();
    assert.equal(await page.getByTestId('user-name').count(), 0);
  });

  it("shows the server's message for a wrong password", async () => {
    const { page } = b;
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(`${env.adminPassword}-wrong`);
    const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'));
    await page.getByRole('button', { name: 'Sign in' }).click();
    const res = await answer;
    assert.equal(res.status(), 401);
    const body = (await res.json()) as LoginAnswer;
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.equal(await alert.textContent(), body.error?.message);
    assert.equal(new URL(page.url()).pathname, '/login');
    await screenshot(page, 'login-error');
  });

  it('loaded nothing from outside and threw no errors', () => {
    assert.deepEqual(b.foreign, []);
    assert.deepEqual(b.pageErrors, []);
  });
});
