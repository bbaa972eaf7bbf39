import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Api } from './api';
import { openBrowser, screenshot, type Browser } from './browser';
import { e2eEnv } from './env';

const env = e2eEnv();

interface Created {
  id: number;
}

interface SlideState {
  status: string;
  error?: string;
}

const categories = [
  { class_id: 1, name: 'Tumour cell', color: '#e6194b', shortcut: '1' },
  { class_id: 2, name: 'Lymphocyte', color: '#1f77b4', shortcut: '2' },
];

describe('open a slide and place points', () => {
  let b: Browser;
  let api: Api;
  let projectId = 0;
  let slideId = 0;
  const run = Date.now().toString(36);

  before(async () => {
    b = await openBrowser(env);
    api = new Api(b.context.request, env.url);
    await api.login('admin', env.adminPassword);
    projectId = (await api.post<Created>('/api/v1/projects', { name: `e2e viewer ${run}`, description: 'made by the e2e suite' })).id;
    for (const c of categories) await api.post(`/api/v1/projects/${projectId}/categories`, c);
    const file = join(env.testdata, 'images', 'HEnorm-example1.png');
    const slide = await api.upload<Created>('/api/v1/slides', {
      project_id: String(projectId),
      name: `H&E example ${run}`,
      stain: 'H&E',
      case_id: `case-${run}`,
      file: { name: 'HEnorm-example1.png', mimeType: 'image/png', buffer: readFileSync(file) },
    });
    slideId = slide.id;
    await api.until('the slide to be tiled', 120_000, async () => {
      const s = await api.get<SlideState>(`/api/v1/slides/${slideId}`);
      if (s.status === 'failed') throw new Error(`e2e: slide failed: ${s.error ?? ''}`);
      return s.status === 'ready' ? s : undefined;
    });
  });

  after(async () => {
    await b?.close();
  });

  it('lists the slide in its project', async () => {
    const { page } = b;
    await page.goto(`${env.url}/projects/${projectId}`);
    const link = page.getByRole('link', { name: `H&E example ${run}` });
    await link.waitFor();
    await screenshot(page, 'slides');
    await link.click();
    await page.getByRole('heading', { name: `H&E example ${run}` }).waitFor();
  });

  it('shows the slide with its minimap and the categories', async () => {
    const { page } = b;
    await page.getByRole('radio', { name: /Tumour cell/ }).waitFor();
    await page.getByRole('radio', { name: /Lymphocyte/ }).waitFor();
    await page.locator('.viewer-stage .navigator').waitFor();
    // The mark overlay draws on every OpenSeadragon frame, so a frame mode means the slide is drawn.
    await page.waitForFunction(() => document.querySelector<HTMLElement>('.mark-overlay')?.dataset['mode'] !== undefined);
    assert.equal(await page.getByRole('alert').count(), 0, await page.locator('.viewer-messages').innerText());
  });

  it('places points of two categories with the keyboard shortcuts', async () => {
    const { page } = b;
    const box = await page.locator('.viewer-stage').boundingBox();
    assert.ok(box);
    await page.keyboard.press('p');
    assert.equal(await page.getByRole('button', { name: 'Point marker' }).getAttribute('aria-pressed'), 'true');
    const at = (fx: number, fy: number): [number, number] => [box.x + box.width * fx, box.y + box.height * fy];
    await page.keyboard.press('1');
    await page.mouse.click(...at(0.4, 0.4));
    await page.mouse.click(...at(0.45, 0.6));
    await page.keyboard.press('2');
    await page.mouse.click(...at(0.6, 0.5));
    await page.locator('.viewer-stats', { hasText: '3 marks' }).waitFor();
    assert.equal(await page.getByLabel('Tumour cell marks').textContent(), '2');
    assert.equal(await page.getByLabel('Lymphocyte marks').textContent(), '1');
    const [x, y] = at(0.6, 0.5);
    const rgb = await overlayPixel(b, x - box.x, y - box.y);
    assert.deepEqual(rgb, [0x1f, 0x77, 0xb4]);
    await screenshot(page, 'viewer-points');
  });

  it('loaded nothing from outside and threw no errors', () => {
    assert.deepEqual(b.foreign, []);
    assert.deepEqual(b.pageErrors, []);
  });
});

/** overlayPixel reads the mark overlay's colour at a point of the viewer (CSS pixels). */
async function overlayPixel(b: Browser, x: number, y: number): Promise<number[]> {
  return b.page.evaluate(
    ([px, py]) => {
      const canvas = document.querySelector<HTMLCanvasElement>('.mark-overlay');
      const ctx = canvas?.getContext('2d');
      if (!canvas || !ctx) return [];
      const dpr = canvas.width / canvas.clientWidth;
      return Array.from(ctx.getImageData(Math.round(px * dpr), Math.round(py * dpr), 1, 1).data.slice(0, 3));
    },
    [x, y] as const,
  );
}
