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

const categories = [
  { class_id: 1, name: 'Tumour cell', color: '#e6194b', shortcut: '1' },
  { class_id: 2, name: 'Lymphocyte', color: '#1f77b4', shortcut: '2' },
];

const categoryNames = new Map<number, string>();

describe('open a slide, mark it, and never lose a mark', () => {
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
    for (const c of categories) {
      const made = await api.post<Created>(`/api/v1/projects/${projectId}/categories`, c);
      categoryNames.set(made.id, c.name);
    }
    slideId = await api.uploadSlide(projectId, join(env.testdata, 'images', 'HEnorm-example1.png'), {
      name: `H&E example ${run}`,
      stain: 'H&E',
      case_id: `case-${run}`,
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
    await page.locator('.viewer-page[data-ready]').waitFor();
    assert.equal(await page.getByRole('alert').count(), 0, await page.locator('.viewer-messages').innerText());
  });

  it('places points of two categories with the keyboard shortcuts', async () => {
    const { page } = b;
    await page.keyboard.press('p');
    assert.equal(await page.getByRole('button', { name: 'Point marker' }).getAttribute('aria-pressed'), 'true');
    const { at, overlay } = await aim(b);
    await page.keyboard.press('1');
    await page.mouse.click(...at(0.4, 0.4));
    await page.mouse.click(...at(0.45, 0.6));
    await page.keyboard.press('2');
    await page.mouse.click(...at(0.6, 0.5));
    await page.locator('.viewer-stats', { hasText: '3 marks' }).waitFor();
    assert.equal(await page.getByLabel('Tumour cell marks').textContent(), '2');
    assert.equal(await page.getByLabel('Lymphocyte marks').textContent(), '1');
    const [x, y] = at(0.6, 0.5);
    const rgb = await overlayPixel(b, x - overlay.x, y - overlay.y);
    assert.deepEqual(rgb, [0x1f, 0x77, 0xb4]);
    await screenshot(page, 'viewer-points');
  });

  it('saves the points on the server by itself', async () => {
    await savedState(b);
    const marks = await serverMarks(api, slideId);
    assert.deepEqual(countCategories(marks), { 'Tumour cell': 2, Lymphocyte: 1 });
  });

  it('shows the saved points after a reload', async () => {
    await b.page.reload();
    await b.page.locator('.viewer-stats', { hasText: '3 marks' }).waitFor();
    assert.equal(await b.page.getByLabel('Tumour cell marks').textContent(), '2');
  });

  it('undoes and redoes with Ctrl+Z and Ctrl+Shift+Z, on the server too', async () => {
    const { page } = b;
    const { at } = await aim(b);
    await page.keyboard.press('p');
    await page.keyboard.press('2');
    await page.mouse.click(...at(0.3, 0.3));
    await page.locator('.viewer-stats', { hasText: '4 marks' }).waitFor();
    await page.keyboard.press('Control+z');
    await page.locator('.viewer-stats', { hasText: '3 marks' }).waitFor();
    await savedState(b);
    assert.equal((await serverMarks(api, slideId)).length, 3);
    await page.keyboard.press('Control+Shift+z');
    await page.locator('.viewer-stats', { hasText: '4 marks' }).waitFor();
    await savedState(b);
    assert.deepEqual(countCategories(await serverMarks(api, slideId)), { 'Tumour cell': 2, Lymphocyte: 2 });
  });

  it('keeps marking while the annotation service is unreachable, across a reload, and saves it all after', async () => {
    const { page } = b;
    const blocked = '**/api/v1/annotations**';
    await page.route(blocked, (route) => route.abort('internetdisconnected'));
    let { at } = await aim(b);
    await page.keyboard.press('p');
    await page.keyboard.press('1');
    await page.mouse.click(...at(0.35, 0.65));
    await page.mouse.click(...at(0.55, 0.7));
    await page.locator('[data-testid=save-status][data-state=offline]').waitFor();
    await screenshot(page, 'viewer-offline');

    // A reload while still offline: the server's marks cannot load, the unsent ones come back from the outbox.
    await page.reload();
    await page.getByRole('alert').filter({ hasText: 'could not be reached' }).waitFor();
    await page.locator('.viewer-stats', { hasText: '2 marks' }).waitFor();
    ({ at } = await aim(b));
    await page.keyboard.press('p');
    await page.keyboard.press('2');
    await page.mouse.click(...at(0.65, 0.35));
    await page.locator('.viewer-stats', { hasText: '3 marks' }).waitFor();
    await page.locator('[data-testid=save-status][data-state=offline]').waitFor();
    await screenshot(page, 'viewer-offline-reloaded');
    assert.equal((await serverMarks(api, slideId)).length, 4);

    await page.unroute(blocked);
    await page.evaluate(() => window.dispatchEvent(new Event('online')));
    await savedState(b);
    assert.deepEqual(countCategories(await serverMarks(api, slideId)), { 'Tumour cell': 4, Lymphocyte: 3 });
    await page.reload();
    await page.locator('.viewer-stats', { hasText: '7 marks' }).waitFor();
    await savedState(b);
    await screenshot(page, 'viewer-saved');
  });

  it('shows both versions when someone else changed a mark, and keeps the one chosen', async () => {
    const { page } = b;
    const { at } = await aim(b);
    await page.keyboard.press('p');
    await page.keyboard.press('1');
    await page.mouse.click(...at(0.2, 0.5));
    await page.locator('.viewer-stats', { hasText: '8 marks' }).waitFor();
    await savedState(b);
    const mine = (await serverMarks(api, slideId)).reduce((a, m) => (m.id > a.id ? m : a));
    const lymphocyte = [...categoryNames].find(([, n]) => n === 'Lymphocyte')?.[0];
    // Another reviewer reclassifies the new mark; this page still has version 1.
    await api.patch(`/api/v1/annotations/${mine.id}`, { type: 'Feature', properties: { category_id: lymphocyte } }, { 'If-Match': '1' });
    await page.keyboard.press('Control+z');
    const dialog = page.getByRole('dialog', { name: 'Someone else changed marks you edited' });
    await dialog.waitFor();
    await page.locator('[data-testid=save-status][data-state=conflict]').waitFor();
    assert.match(await dialog.innerText(), /Your version\s+Deleted/);
    assert.match(await dialog.innerText(), /Current version on the server\s+Point, Lymphocyte/);
    await screenshot(page, 'viewer-conflict');
    await dialog.getByRole('button', { name: 'Keep theirs' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await savedState(b);
    await page.locator('.viewer-stats', { hasText: '8 marks' }).waitFor();
    assert.deepEqual(countCategories(await serverMarks(api, slideId)), { 'Tumour cell': 4, Lymphocyte: 4 });
    assert.equal(await page.getByLabel('Lymphocyte marks').textContent(), '4');
  });

  it('draws a polygon and a rectangle, edits and erases, with undo and redo, all saved', async () => {
    const { page } = b;
    const { at } = await aim(b);
    await page.keyboard.press('1');
    await page.keyboard.press('g');
    for (const [fx, fy] of [[0.7, 0.6], [0.85, 0.6], [0.85, 0.8], [0.7, 0.8]] as const) await page.mouse.click(...at(fx, fy));
    await page.keyboard.press('Enter');
    await page.locator('.viewer-stats', { hasText: '9 marks' }).waitFor();
    await page.keyboard.press('2');
    await page.keyboard.press('r');
    await page.mouse.move(...at(0.46, 0.36));
    await page.mouse.down();
    await page.mouse.move(...at(0.56, 0.46), { steps: 5 });
    await page.mouse.up();
    await page.locator('.viewer-stats', { hasText: '10 marks' }).waitFor();
    await page.keyboard.press('Control+z');
    await page.locator('.viewer-stats', { hasText: '9 marks' }).waitFor();
    await page.keyboard.press('Control+Shift+z');
    await page.locator('.viewer-stats', { hasText: '10 marks' }).waitFor();
    await savedState(b);
    assert.equal(await page.getByRole('alert').count(), 0, await page.locator('.viewer-messages').innerText());
    let shapes = (await serverMarks(api, slideId)).filter((m) => m.properties.shape !== 'point');
    assert.deepEqual(shapes.map((m) => m.properties.shape).sort(), ['polygon', 'rectangle']);

    // Move the polygon with the select tool: the server gets version 2 of it.
    await page.keyboard.press('v');
    await page.mouse.move(...at(0.775, 0.7));
    await page.mouse.down();
    await page.mouse.move(...at(0.8, 0.72), { steps: 5 });
    await page.mouse.up();
    await savedState(b);
    shapes = (await serverMarks(api, slideId)).filter((m) => m.properties.shape === 'polygon');
    assert.equal(shapes[0]?.properties.version, 2);

    // Erase one point with a click of the eraser.
    await page.keyboard.press('x');
    await page.mouse.click(...at(0.55, 0.7));
    await page.locator('.viewer-stats', { hasText: '9 marks' }).waitFor();
    await savedState(b);
    assert.equal((await serverMarks(api, slideId)).length, 9);
    await page.reload();
    await page.locator('.viewer-stats', { hasText: '9 marks' }).waitFor();
    await aim(b);
    await screenshot(page, 'viewer-shapes');
  });

  it('reviews marks with the keyboard, one after another', async () => {
    const { page } = b;
    await page.getByRole('button', { name: 'Review mode' }).click();
    const info = page.getByTestId('review-info');
    await info.filter({ hasText: 'Mark 1 of 9 (pending)' }).waitFor();
    await page.keyboard.press('a');
    await info.filter({ hasText: 'Accepted 1, rejected 0, pending 8' }).waitFor();
    await page.keyboard.press('r');
    await info.filter({ hasText: 'Accepted 1, rejected 1, pending 7' }).waitFor();
    await screenshot(page, 'viewer-review');
    const reviews = (await serverMarks(api, slideId)).map((m) => m.properties.review).sort();
    assert.deepEqual(reviews.filter((r) => r !== 'pending' && r !== ''), ['accepted', 'rejected']);
    await page.keyboard.press('Escape');
    // A reviewed mark is still editable: its new version travels with the next edit.
    await page.keyboard.press('Control+z');
    await savedState(b);
  });

  it('marks the slide done for the annotator', async () => {
    const { page } = b;
    const button = page.getByTestId('slide-status');
    await button.filter({ hasText: 'mark done' }).waitFor();
    await button.click();
    await button.filter({ hasText: 'Done ✓' }).waitFor();
    assert.equal(await button.getAttribute('aria-pressed'), 'true');
    const progress = await api.get<{ annotators: { status: string }[] }>(`/api/v1/annotations/status?slide_id=${slideId}`);
    assert.deepEqual(progress.annotators.map((a) => a.status), ['done']);
    await page.reload();
    await button.filter({ hasText: 'Done ✓' }).waitFor();
  });

  it('shows a heatmap overlay over the marks, aligned, with its opacity', async () => {
    const { page } = b;
    const heatmap = readFileSync(join(env.testdata, 'images', 'skimage-ihc.png'));
    await api.upload(`/api/v1/slides/${slideId}/overlays`, {
      name: 'heatmap',
      opacity: '0.5',
      file: { name: 'heatmap.png', mimeType: 'image/png', buffer: heatmap },
    });
    await api.until('the overlay to be tiled', 120_000, async () => {
      const { overlays } = await api.get<{ overlays: { status: string; error?: string }[] }>(`/api/v1/slides/${slideId}/overlays`);
      if (overlays[0]?.status === 'failed') throw new Error(`e2e: overlay failed: ${overlays[0].error ?? ''}`);
      return overlays[0]?.status === 'ready' ? overlays[0] : undefined;
    });
    await page.reload();
    await aim(b);
    const tiles = page.waitForResponse((r) => r.url().includes('/tiles/overlays/') && r.status() === 200);
    await page.getByLabel('Show heatmap').check();
    await tiles;
    await page.getByLabel('Opacity of heatmap').fill('60');
    await page.waitForTimeout(500);
    await screenshot(page, 'viewer-overlay');
  });

  it('lists the slide under "Done" for its annotator, and finds it by search', async () => {
    const { page } = b;
    await page.goto(`${env.url}/projects/${projectId}`);
    const link = page.getByRole('link', { name: `H&E example ${run}` });
    await link.waitFor();
    await page.getByRole('button', { name: 'To do' }).click();
    await page.getByText('No slide matches.').waitFor();
    await page.getByRole('button', { name: 'Done' }).click();
    await link.waitFor();
    await page.getByLabel('Search').fill('no such slide');
    await page.getByText('No slide matches.').waitFor();
    await page.getByLabel('Search').fill(`case-${run}`);
    await link.waitFor();
  });

  it('loaded nothing from outside and threw no errors', () => {
    assert.deepEqual(b.foreign, []);
    assert.deepEqual(b.pageErrors, []);
  });
});

interface Feature {
  id: number;
  properties: { category_id: number; shape: string; version: number; review: string };
}

async function serverMarks(api: Api, slideId: number): Promise<Feature[]> {
  const fc = await api.get<{ features: Feature[] }>(`/api/v1/annotations?slide_id=${slideId}&bbox=0,0,100000,100000`);
  return fc.features;
}

/** countCategories counts marks per category name, the way the palette shows them. */
function countCategories(marks: Feature[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of marks) {
    const name = categoryNames.get(m.properties.category_id) ?? String(m.properties.category_id);
    out[name] = (out[name] ?? 0) + 1;
  }
  return out;
}

async function savedState(b: Browser): Promise<void> {
  await b.page.locator('[data-testid=save-status][data-state=saved]').waitFor({ timeout: 20_000 });
}

interface Aim {
  readonly overlay: { x: number; y: number; width: number; height: number };
  /** at maps a place on the slide, as fractions of its width and height, to page coordinates. */
  at(u: number, v: number): [number, number];
}

/** aim waits for the slide to be drawn and reads where it is on the page, from the overlay. */
async function aim(b: Browser): Promise<Aim> {
  await b.page.waitForFunction(() => document.querySelector<HTMLElement>('.mark-overlay')?.dataset['imageBox'] !== undefined);
  await b.page.locator('.viewer-page[data-ready]').waitFor();
  const overlay = await b.page.locator('.mark-overlay').boundingBox();
  const imageBox = await b.page.locator('.mark-overlay').getAttribute('data-image-box');
  assert.ok(overlay && imageBox);
  const [x0, y0, x1, y1] = imageBox.split(',').map(Number) as [number, number, number, number];
  return { overlay, at: (u, v) => [overlay.x + x0 + (x1 - x0) * u, overlay.y + y0 + (y1 - y0) * v] };
}

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
