import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'playwright-core';
import { Api } from './api';
import { openBrowser, screenshot, type Browser } from './browser';
import { e2eEnv } from './env';

const env = e2eEnv();

describe('administration: users, passwords and the audit log', () => {
  let b: Browser;
  let api: Api;
  const run = Date.now().toString(36);
  const username = `adm${run}`;
  const newPassword = `reset-${run}-long-enough`;

  before(async () => {
    b = await openBrowser(env);
    api = new Api(b.context.request, env.url);
    await api.login('admin', env.adminPassword);
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
    await page.getByLabel('Password', { exact: true }).fill(`pw-${run}-long-enough`);
    await page.getByRole('button', { name: 'Add user' }).click();
    const row = page.getByRole('table', { name: 'Users' }).getByRole('row', { name: new RegExp(username) });
    await row.filter({ hasText: 'active' }).waitFor();
    await page.getByRole('button', { name: `Disable ${username}` }).click();
    await row.filter({ hasText: 'disabled' }).waitFor();
    const log = page.getByRole('table', { name: 'Audit log' });
    await log.waitFor();
    assert.match(await log.innerText(), /user/);
    assert.equal(await page.getByRole('alert').count(), 0);
    await page.getByRole('button', { name: `Enable ${username}` }).click();
    await row.filter({ hasText: 'active' }).waitFor();
  });

  it('resets a password, and the user signs in with the new one', async () => {
    const { page } = b;
    await page.getByRole('button', { name: `Reset password of ${username}` }).click();
    await page.getByLabel(`New password for ${username}`).fill(newPassword);
    await page.getByRole('button', { name: 'Set password', exact: true }).click();
    await page.getByText(`The password of ${username} was reset`).waitFor();
    // A separate cookie jar, so the admin's browser session is untouched.
    const other = await request.newContext();
    try {
      const res = await other.post(`${env.url}/api/v1/auth/login`, { data: { username, password: newPassword } });
      assert.equal(res.status(), 200, await res.text());
    } finally {
      await other.dispose();
    }
  });

  it('filters the audit log by action and actor and pages back through it', async () => {
    const { page } = b;
    const users = await api.get<{ id: number; username: string }[]>('/api/v1/users');
    const target = users.find((u) => u.username === username);
    assert.ok(target);
    // More than one page (50) of one action by the admin.
    for (let i = 0; i < 55; i++) await api.patch(`/api/v1/users/${target.id}`, { display_name: `Dr Test ${i}` });
    await page.reload();
    await page.getByLabel('Action').fill('user.update');
    await page.getByLabel('Actor').selectOption({ label: 'admin' });
    await page.getByRole('button', { name: 'Filter' }).click();
    const rows = page.getByRole('table', { name: 'Audit log' }).locator('tbody tr');
    await api.until('a first page of 50 entries', 10_000, async () => ((await rows.count()) === 50 ? true : undefined));
    const actions = await rows.locator('td:nth-child(3)').allInnerTexts();
    assert.deepEqual([...new Set(actions)], ['user.update']);
    await page.getByRole('button', { name: 'Older entries' }).click();
    await api.until('the second page', 10_000, async () => ((await rows.count()) >= 55 ? true : undefined));
    assert.deepEqual([...new Set(await rows.locator('td:nth-child(2)').allInnerTexts())], ['admin']);
    const ids = (await rows.evaluateAll((trs) => trs.map((tr) => Number((tr as HTMLElement).dataset['audit']))));
    assert.deepEqual(ids, [...ids].sort((x, y) => y - x), 'newest first, no entry twice');
    assert.equal(new Set(ids).size, ids.length);
    await page.getByLabel('Action').fill('user.password_reset');
    await page.getByRole('button', { name: 'Filter' }).click();
    await api.until('the reset entry alone', 10_000, async () => ((await rows.count()) === 1 ? true : undefined));
    assert.match(await rows.first().innerText(), new RegExp(`user\\.password_reset\\s+user ${target.id}`));
    assert.equal(await page.getByRole('button', { name: 'Older entries' }).isHidden(), true);
    await screenshot(page, 'admin');
  });

  it('loaded nothing from outside and threw no errors', () => {
    assert.deepEqual(b.foreign, []);
    assert.deepEqual(b.pageErrors, []);
  });
});
