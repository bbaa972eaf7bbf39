import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Api } from './api';
import { openBrowser, screenshot, type Browser } from './browser';
import { e2eEnv } from './env';

const env = e2eEnv();

interface Created {
  id: number;
}

interface Job {
  id: number;
  name: string;
  status: string;
  marks: number;
  params: { slide_ids: number[]; category_ids: number[]; author_ids: number[]; review: string; formats: string[]; patch_sizes: number[]; patch_format: string; edge: string };
}

describe('create an export and download it', () => {
  let b: Browser;
  let api: Api;
  let projectId = 0;
  let slideId = 0;
  let tumour = 0;
  let adminId = 0;
  let adminLabel = '';
  const run = Date.now().toString(36);
  const slideName = `export ${run}`;

  before(async () => {
    b = await openBrowser(env);
    api = new Api(b.context.request, env.url);
    await api.login('admin', env.adminPassword);
    const me = (await api.get<{ user: { id: number; username: string; display_name?: string } }>('/api/v1/auth/me')).user;
    adminId = Number(me.id);
    adminLabel = me.display_name !== undefined && me.display_name !== '' ? me.display_name : me.username;
    projectId = (await api.post<Created>('/api/v1/projects', { name: `e2e export ${run}`, description: 'made by the e2e suite' })).id;
    // The author filter offers the project's members.
    await api.post(`/api/v1/projects/${projectId}/members`, { username: 'admin', role: 'manager' });
    tumour = (await api.post<Created>(`/api/v1/projects/${projectId}/categories`, { class_id: 1, name: 'Tumour cell', color: '#e6194b' })).id;
    const stroma = (await api.post<Created>(`/api/v1/projects/${projectId}/categories`, { class_id: 2, name: 'Stroma', color: '#3cb44b' })).id;
    slideId = await api.uploadSlide(projectId, join(env.testdata, 'images', 'skimage-ihc.png'), { name: slideName });
    const point = (x: number, y: number, cat: number): unknown => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [x, y] }, properties: { category_id: cat, radius: 5 } });
    await api.post('/api/v1/annotations', { slide_id: slideId, features: [point(50, 60, tumour), point(120, 80, tumour), point(200, 90, stroma)] });
  });

  after(async () => {
    await b?.close();
  });

  it('follows the export to done and lists its download links', async () => {
    const { page } = b;
    await page.goto(`${env.url}/projects/${projectId}`);
    await page.getByRole('link', { name: 'Exports' }).click();
    await page.getByRole('heading', { name: 'Exports', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Create export' }).click();
    const row = page.locator('tr[data-export]').first();
    await row.locator('.export-status', { hasText: 'done' }).waitFor({ timeout: 120_000 });
    assert.match(await row.innerText(), /geojson, csv\s+all slides, all categories, all authors, all reviews\s+done\s+3\s+s3:\/\//);
    await row.getByRole('button', { name: 'Download links' }).click();
    const manifest = row.getByRole('link', { name: 'manifest.json' });
    await manifest.waitFor();
    const res = await b.context.request.get((await manifest.getAttribute('href')) ?? '');
    assert.equal(res.status(), 200);
    const body = (await res.json()) as { files?: { path: string }[] };
    assert.ok(Array.isArray(body.files) && body.files.length > 0);
    // Every file in one zip, streamed: the manifest first, then what it lists.
    const zip = row.getByRole('link', { name: 'Download all (zip)' });
    const archive = await b.context.request.get(new URL((await zip.getAttribute('href')) ?? '', env.url).toString());
    assert.equal(archive.status(), 200);
    assert.equal(archive.headers()['content-type'], 'application/zip');
    assert.deepEqual(zipNames(await archive.body()), ['manifest.json', ...body.files.map((f) => f.path)]);
  });

  it('refuses a patch size the service would refuse, before sending it', async () => {
    const { page } = b;
    await page.getByLabel('patches', { exact: true }).check();
    await page.getByLabel('Patch sizes (px)').fill('32, 4');
    await page.getByRole('button', { name: 'Create export' }).click();
    await page.getByRole('alert').filter({ hasText: 'Patch size "4"' }).waitFor();
    assert.equal(await page.locator('tr[data-export]').count(), 1);
  });

  it('exports a chosen slide, category and author as patches, with the parameters recorded', async () => {
    const { page } = b;
    await page.getByLabel('Patch sizes (px)').fill('32');
    await page.locator('#patch-format').selectOption('jpeg');
    await page.locator('#patch-edge').selectOption('skip');
    await page.getByLabel(slideName, { exact: true }).check();
    await page.getByLabel('Tumour cell', { exact: true }).check();
    await page.getByLabel(adminLabel, { exact: true }).check();
    await page.locator('#export-review').selectOption('all');
    await page.getByLabel('Name (optional)').fill(' tumour patches ');
    await page.getByRole('button', { name: 'Create export' }).click();
    const row = page.locator('tr[data-export]').first();
    await row.filter({ hasText: '1 slide, 1 category, 1 author, all reviews, 32 px' }).waitFor();
    await row.filter({ hasText: 'tumour patches' }).waitFor();
    await row.locator('.export-status', { hasText: 'done' }).waitFor({ timeout: 120_000 });
    const id = Number(await row.getAttribute('data-export'));
    const job = await api.get<Job>(`/api/v1/exports/${id}`);
    assert.equal(job.marks, 2, 'only the two tumour cells');
    assert.equal(job.name, 'tumour patches');
    // Pinned, it outlives the retention; the list says so.
    await row.getByRole('button', { name: 'Pin', exact: true }).click();
    await row.filter({ hasText: '(pinned)' }).getByRole('button', { name: 'Unpin' }).waitFor();
    assert.equal((await api.get<{ pinned: boolean }>(`/api/v1/exports/${id}`)).pinned, true);
    const p = job.params;
    assert.deepEqual([p.slide_ids, p.category_ids, p.author_ids, p.formats, p.patch_sizes, p.patch_format, p.edge],
      [[slideId], [tumour], [adminId], ['geojson', 'csv', 'patches'], [32], 'jpeg', 'skip']);
    await row.getByRole('button', { name: 'Download links' }).click();
    const patch = row.getByRole('link', { name: /^patches\/32\/\d{2,}_Tumour-cell\/.*\.jpe?g$/ }).first();
    await patch.waitFor();
    assert.equal(await page.getByRole('alert').count(), 0);
    await screenshot(page, 'exports');
  });

  it('loaded nothing from outside and threw no errors', () => {
    assert.deepEqual(b.foreign, []);
    assert.deepEqual(b.pageErrors, []);
  });
});

/** zipNames lists the entries of a zip archive from its central directory. */
function zipNames(buf: Buffer): string[] {
  const end = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(end >= 0, 'no end of central directory: the archive is cut short');
  const count = buf.readUInt16LE(end + 10);
  let at = buf.readUInt32LE(end + 16);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    assert.equal(buf.readUInt32LE(at), 0x02014b50, `central directory entry ${i}`);
    const n = buf.readUInt16LE(at + 28);
    names.push(buf.toString('utf8', at + 46, at + 46 + n));
    at += 46 + n + buf.readUInt16LE(at + 30) + buf.readUInt16LE(at + 32);
  }
  return names;
}
