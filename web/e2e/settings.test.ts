import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'playwright-core';
import { Api } from './api';
import { openBrowser, screenshot, type Browser } from './browser';
import { e2eEnv } from './env';

const env = e2eEnv();

interface Cat {
  id: number;
  name: string;
  class_id: number;
  color: string;
  shortcut: string;
  order: number;
  description: string;
  archived: boolean;
}

describe('manage a project: creation, categories, members and assignments', () => {
  let b: Browser;
  let api: Api;
  let projectId = 0;
  const run = Date.now().toString(36);
  const username = `annot${run}`;
  const second = `second${run}`;
  const password = `pw-${run}-long-enough`;
  const projectName = `e2e settings ${run}`;
  const cats = (): Promise<Cat[]> => api.get<Cat[]>(`/api/v1/projects/${projectId}/categories?archived=true`);

  before(async () => {
    b = await openBrowser(env);
    api = new Api(b.context.request, env.url);
    await api.login('admin', env.adminPassword);
    await api.post('/api/v1/users', { username, password, display_name: 'Dr Annotator', email: `${username}@example.org`, system_role: 'user' });
    await api.post('/api/v1/users', { username: second, password, display_name: 'Dr Second', email: `${second}@example.org`, system_role: 'user' });
  });

  after(async () => {
    await b?.close();
  });

  it('creates a project from the project list and lands on its settings', async () => {
    const { page } = b;
    await page.goto(`${env.url}/`);
    await page.getByLabel('Project name').fill(projectName);
    await page.getByLabel('Description').fill('made by the e2e suite');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('heading', { name: 'Project settings' }).waitFor();
    projectId = Number(/\/projects\/(\d+)\/settings$/.exec(page.url())?.[1]);
    assert.ok(projectId > 0, page.url());
    const p = await api.get<{ name: string; description: string }>(`/api/v1/projects/${projectId}`);
    assert.deepEqual([p.name, p.description], [projectName, 'made by the e2e suite']);
  });

  it('adds a category with its colour, class id and shortcut, then removes it', async () => {
    const { page } = b;
    await addCategory('Mitosis', '7', '#2ca02c', 'm');
    const row = page.getByRole('table', { name: 'Categories' }).getByRole('row', { name: /Mitosis/ });
    assert.match(await row.innerText(), /Mitosis\s+7\s+#2ca02c\s+m/);
    assert.deepEqual((await cats()).map((c) => [c.class_id, c.color, c.shortcut]), [[7, '#2ca02c', 'm']]);
    await page.getByRole('button', { name: 'Remove Mitosis' }).click();
    // No mark uses it, so it goes; with marks it would stay, archived.
    await page.getByText('No categories yet.').waitFor();
  });

  it('edits every field of a category, and restores an archived one', async () => {
    const { page } = b;
    await addCategory('Tumour', '1', '#e6194b', 't');
    await page.getByRole('button', { name: 'Edit Tumour' }).click();
    await page.getByLabel('Name of Tumour').fill('Tumour cell');
    await page.getByLabel('Class id of Tumour').fill('3');
    await page.getByLabel('Colour of Tumour').fill('#1f77b4');
    await page.getByLabel('Shortcut of Tumour').fill('shift+t');
    await page.getByLabel('Order of Tumour').fill('2');
    await page.getByLabel('Description of Tumour').fill('malignant epithelial');
    await page.getByRole('button', { name: 'Save' }).click();
    // The saved row, not the editor whose inputs also hold the new name.
    const row = page.locator('tr[data-category]', { hasText: 'Tumour cell' });
    await row.waitFor();
    assert.match(await row.innerText(), /Tumour cell\s+3\s+#1f77b4\s+shift\+t\s+2\s+malignant epithelial/);
    const [c] = await cats();
    assert.ok(c);
    assert.deepEqual([c.name, c.class_id, c.color, c.shortcut, c.order, c.description], ['Tumour cell', 3, '#1f77b4', 'shift+t', 2, 'malignant epithelial']);
    // Archiving happens when marks use a category; here the API archives it directly.
    await api.patch(`/api/v1/projects/${projectId}/categories/${c.id}`, { archived: true });
    await page.reload();
    await page.getByText('Tumour cell (archived)').waitFor();
    await page.getByRole('button', { name: 'Restore Tumour cell' }).click();
    await page.getByRole('button', { name: 'Edit Tumour cell' }).waitFor();
    assert.equal((await cats())[0]?.archived, false);
  });

  it('adds a member by username and changes the role', async () => {
    const { page } = b;
    await page.getByLabel('Username').fill(username);
    await page.locator('#member-role').selectOption('reviewer');
    await page.getByRole('button', { name: 'Add member' }).click();
    const role = page.getByLabel(`Role of ${username}`);
    await role.waitFor();
    assert.equal(await role.inputValue(), 'reviewer');
    await role.selectOption('annotator');
    await api.until('the role change', 10_000, async () => {
      const ms = await api.get<{ username: string; role: string }[]>(`/api/v1/projects/${projectId}/members`);
      return ms.find((m) => m.username === username && m.role === 'annotator');
    });
    assert.equal(await page.getByRole('alert').count(), 0);
  });

  it('starts the next add on the least privileged role, not on the one used before or manager', async () => {
    const { page } = b;
    // The add above picked reviewer; the form must not keep it, nor fall back to manager.
    assert.equal(await page.locator('#member-role').inputValue(), 'viewer');
    await page.getByLabel('Username').fill(second);
    await page.getByRole('button', { name: 'Add member' }).click();
    await page.getByLabel(`Role of ${second}`).waitFor();
    const ms = await api.get<{ username: string; role: string }[]>(`/api/v1/projects/${projectId}/members`);
    assert.equal(ms.find((m) => m.username === second)?.role, 'viewer');
    assert.equal(await page.locator('#member-role').inputValue(), 'viewer');
    // A refused add keeps what was typed, so it can be corrected.
    await page.getByLabel('Username').fill(`nobody${run}`);
    await page.locator('#member-role').selectOption('annotator');
    await page.getByRole('button', { name: 'Add member' }).click();
    await page.getByRole('alert').waitFor();
    assert.equal(await page.getByLabel('Username').inputValue(), `nobody${run}`);
    assert.equal(await page.locator('#member-role').inputValue(), 'annotator');
  });

  it('limits an annotator to the categories ticked for them', async () => {
    const { page } = b;
    await addCategory('Stroma', '4', '#ff7f0e', 's');
    const [tumour, stroma] = (await cats()).sort((x, y) => x.class_id - y.class_id);
    assert.ok(tumour && stroma);
    await page.getByRole('button', { name: `Categories of ${username}` }).click();
    await page.getByLabel('Stroma', { exact: true }).check();
    await page.getByRole('button', { name: `Save categories of ${username}` }).click();
    await page.getByText('Saved: 1 categories.').waitFor();
    const members = await api.get<{ user_id: number; username: string }[]>(`/api/v1/projects/${projectId}/members`);
    const userId = members.find((m) => m.username === username)?.user_id;
    assert.deepEqual(await api.get(`/api/v1/projects/${projectId}/members/${userId}/categories`), { category_ids: [stroma.id] });
    // The annotator, signed in on their own, sees only Stroma.
    const other = await request.newContext();
    try {
      const annot = new Api(other, env.url);
      await annot.login(username, password);
      const seen = await annot.get<Cat[]>(`/api/v1/projects/${projectId}/categories`);
      assert.deepEqual(seen.map((c) => c.name), ['Stroma']);
    } finally {
      await other.dispose();
    }
    await screenshot(page, 'project-settings');
  });

  it('loaded nothing from outside and threw no errors', () => {
    assert.deepEqual(b.foreign, []);
    assert.deepEqual(b.pageErrors, []);
  });

  async function addCategory(name: string, classId: string, color: string, shortcut: string): Promise<void> {
    const { page } = b;
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByLabel('Class id', { exact: true }).fill(classId);
    await page.getByLabel('Colour', { exact: true }).fill(color);
    await page.getByLabel('Shortcut', { exact: true }).fill(shortcut);
    await page.getByRole('button', { name: 'Add category' }).click();
    await page.getByRole('table', { name: 'Categories' }).getByRole('row', { name: new RegExp(name) }).waitFor();
  }
});
