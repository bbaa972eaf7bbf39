import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Api } from './api';
import { openBrowser, screenshot, type Browser } from './browser';
import { e2eEnv } from './env';

const env = e2eEnv();

describe('manage a project: categories and members', () => {
  let b: Browser;
  let api: Api;
  let projectId = 0;
  const run = Date.now().toString(36);
  const username = `annot${run}`;

  before(async () => {
    b = await openBrowser(env);
    api = new Api(b.context.request, env.url);
    await api.login('admin', env.adminPassword);
    projectId = (await api.post<{ id: number }>('/api/v1/projects', { name: `e2e settings ${run}`, description: 'made by the e2e suite' })).id;
    await api.post('/api/v1/users', { username, password: `pw-${run}-long-enough`, display_name: 'Dr Annotator', email: `${username}@example.org`, system_role: 'user' });
  });

  after(async () => {
    await b?.close();
  });

  it('adds a category with its colour, class id and shortcut, then removes it', async () => {
    const { page } = b;
    await page.goto(`${env.url}/projects/${projectId}`);
    await page.getByRole('link', { name: /Project settings/ }).click();
    await page.getByRole('heading', { name: 'Project settings' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Mitosis');
    await page.getByLabel('Class id').fill('7');
    await page.getByLabel('Colour').fill('#2ca02c');
    await page.getByLabel('Shortcut').fill('m');
    await page.getByRole('button', { name: 'Add category' }).click();
    const row = page.getByRole('table', { name: 'Categories' }).getByRole('row', { name: /Mitosis/ });
    await row.waitFor();
    assert.match(await row.innerText(), /Mitosis\s+7\s+#2ca02c\s+m/);
    const cats = await api.get<{ class_id: number; color: string; shortcut: string }[]>(`/api/v1/projects/${projectId}/categories`);
    assert.deepEqual(cats.map((c) => [c.class_id, c.color, c.shortcut]), [[7, '#2ca02c', 'm']]);
    await page.getByRole('button', { name: 'Remove Mitosis' }).click();
    // No mark uses it, so it goes; with marks it would stay, archived.
    await page.getByText('No categories yet.').waitFor();
  });

  it('adds a member by username and changes the role', async () => {
    const { page } = b;
    await page.getByLabel('Username').fill(username);
    await page.locator('#member-role').selectOption('annotator');
    await page.getByRole('button', { name: 'Add member' }).click();
    const role = page.getByLabel(`Role of ${username}`);
    await role.waitFor();
    assert.equal(await role.inputValue(), 'annotator');
    await role.selectOption('reviewer');
    await api.until('the role change', 10_000, async () => {
      const ms = await api.get<{ username: string; role: string }[]>(`/api/v1/projects/${projectId}/members`);
      return ms.find((m) => m.username === username && m.role === 'reviewer');
    });
    assert.equal(await page.getByRole('alert').count(), 0);
    await screenshot(page, 'project-settings');
  });

  it('loaded nothing from outside and threw no errors', () => {
    assert.deepEqual(b.foreign, []);
    assert.deepEqual(b.pageErrors, []);
  });
});
