import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Api } from './api';
import { openBrowser, screenshot, type Browser } from './browser';
import { e2eEnv } from './env';

const env = e2eEnv();

describe('a failed slide is retried from the slide list', () => {
  let b: Browser;
  let api: Api;
  let projectId = 0;
  let slideId = 0;
  const run = Date.now().toString(36);

  before(async () => {
    b = await openBrowser(env);
    api = new Api(b.context.request, env.url);
    await api.login('admin', env.adminPassword);
    projectId = (await api.post<{ id: number }>('/api/v1/projects', { name: `e2e retry ${run}`, description: 'made by the e2e suite' })).id;
    // Bytes no slide reader accepts: the ingest fails for good, as a file a reader could not yet read does.
    slideId = (await api.upload<{ id: number }>('/api/v1/slides', {
      project_id: String(projectId),
      file: { name: 'broken.svs', mimeType: 'application/octet-stream', buffer: Buffer.from('not a slide at all '.repeat(64)) },
    })).id;
    await api.until('the broken slide to fail', 60_000, async () => {
      const s = await api.get<{ status: string }>(`/api/v1/slides/${slideId}`);
      return s.status === 'failed' ? s : undefined;
    });
  });

  after(async () => {
    await b?.close();
  });

  it('shows Retry beside the error and queues the ingest again', async () => {
    const { page } = b;
    await page.goto(`${env.url}/projects/${projectId}`);
    const row = page.locator('.slide-table tbody tr', { hasText: 'broken.svs' });
    await row.getByText(/^failed: /).waitFor();
    const button = row.getByRole('button', { name: 'Retry' });
    const before = await api.get<{ updated_at: string }>(`/api/v1/slides/${slideId}`);
    const answered = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith(`/api/v1/slides/${slideId}/retry`));
    const reloaded = page.waitForResponse((r) => r.request().method() === 'GET' && r.url().includes(`/api/v1/slides?project_id=${projectId}`));
    await button.click();
    const res = await answered;
    assert.equal(res.status(), 202, await res.text());
    assert.equal(((await res.json()) as { status: string }).status, 'queued');
    await reloaded; // the list reloads, and polls while the slide is queued or tiling
    // The ingest ran again and failed again (the file is still broken); the list shows it with Retry back.
    await api.until('the retried slide to fail again', 60_000, async () => {
      const s = await api.get<{ status: string; updated_at: string }>(`/api/v1/slides/${slideId}`);
      return s.status === 'failed' && s.updated_at !== before.updated_at ? s : undefined;
    });
    await row.getByRole('button', { name: 'Retry' }).waitFor({ timeout: 30_000 });
    assert.match(await row.innerText(), /failed: /);
    const audit = await api.get<{ entries?: { action: string; target_id: string }[] }>(`/api/v1/audit?action=slide.retry`);
    assert.ok((audit.entries ?? []).some((e) => e.action === 'slide.retry' && e.target_id === String(slideId)), JSON.stringify(audit).slice(0, 500));
    await screenshot(page, 'slide-retry');
    assert.deepEqual(b.pageErrors, []);
  });
});
