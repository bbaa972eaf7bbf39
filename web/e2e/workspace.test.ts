import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Api } from './api';
import { openBrowser, screenshot, type Browser } from './browser';
import { e2eEnv } from './env';
import { aim, canvasPixel, overlayData, savedState, serverMarks, type Created } from './viewing';

// Issue 16: the viewer as a workspace a pathologist trusts all day. One
// scanned slide (CMU-1, 2220 × 2967 px at 0.499 µm/px, 20×), signed in as
// the admin, who manages the project.

const env = e2eEnv();
const W = 2220;
const H = 2967;

describe('the viewer workspace: focus, visibility, honest saves, messages, counts, sessions', () => {
  let b: Browser;
  let api: Api;
  let projectId = 0;
  let slideId = 0;
  let url = '';
  const cats = new Map<string, number>();
  const run = Date.now().toString(36);

  before(async () => {
    b = await openBrowser(env);
    api = new Api(b.context.request, env.url);
    await api.login('admin', env.adminPassword);
    projectId = (await api.post<Created>('/api/v1/projects', { name: `e2e workspace ${run}`, description: 'made by the e2e suite' })).id;
    for (const c of [
      { class_id: 1, name: 'Tumour cell', color: '#e6194b', shortcut: '1' },
      { class_id: 2, name: 'Necrosis', color: '#000000', shortcut: '2' },
      { class_id: 3, name: 'Stroma', color: '#ffe119', shortcut: '3' },
    ]) {
      cats.set(c.name, (await api.post<Created>(`/api/v1/projects/${projectId}/categories`, c)).id);
    }
    slideId = await api.uploadSlide(projectId, join(env.testdata, 'slides', 'CMU-1-Small-Region.svs'), { name: `CMU-1 ${run}`, stain: 'H&E' });
    url = `${env.url}/projects/${projectId}/slides/${slideId}`;
  });

  after(async () => {
    await b?.close();
  });

  const pressed = async (name: string): Promise<string | null> => b.page.getByRole('button', { name }).getAttribute('aria-pressed');
  const count = async (name: string): Promise<string | null> => b.page.getByLabel(`${name} marks`).textContent();

  it('keeps the shortcuts working after a click on a legend entry, a show/hide box or a slider', async () => {
    const { page } = b;
    await page.goto(url);
    await page.locator('.viewer-page[data-ready]').waitFor();
    await page.getByRole('radio', { name: /Necrosis/ }).click();
    await page.keyboard.press('p');
    assert.equal(await pressed('Point marker'), 'true', 'a tool letter after a legend click');
    await page.getByRole('checkbox', { name: 'Show Tumour cell' }).click();
    await page.keyboard.press('1');
    assert.equal(await page.getByRole('radio', { name: /Tumour cell/ }).isChecked(), true, 'a digit after a show/hide click');
    await page.getByRole('checkbox', { name: 'Show Tumour cell' }).click();
    await page.getByRole('slider', { name: 'Marker size' }).focus();
    await page.keyboard.press('h');
    assert.equal(await pressed('Pan and zoom'), 'true', 'a tool letter with focus on a slider');
    await page.keyboard.press('?');
    const help = page.locator('dialog.help-dialog');
    await help.waitFor();
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'hidden' });
    // Ctrl+Z with focus on the opacity slider undoes a mark.
    const { px } = await aim(page, W, H);
    await page.keyboard.press('p');
    await page.mouse.click(...px(300, 300));
    await page.locator('.viewer-stats', { hasText: '1 marks' }).waitFor();
    await page.getByRole('slider', { name: 'Mark opacity' }).focus();
    await page.keyboard.press('Control+z');
    await page.locator('.viewer-stats', { hasText: '0 marks' }).waitFor();
    // The slider still takes its own arrows.
    const size = page.getByRole('slider', { name: 'Marker size' });
    await size.focus();
    await page.keyboard.press('ArrowRight');
    assert.equal(await size.inputValue(), '9');
    await page.keyboard.press('ArrowLeft');
    await savedState(page);
  });

  it('draws points at low power at least 8 px across, ringed in a contrasting colour, with sizes in µm', async () => {
    const { page } = b;
    assert.equal(await page.locator('output[for=marker-size]').innerText(), '8 px · 4 µm');
    const a = await aim(page, W, H);
    // Fitted whole, one slide pixel is about a quarter of a screen pixel: an 8 px marker would be 2 px across.
    assert.ok(a.scale < 0.5, `scale ${a.scale}`);
    await page.keyboard.press('p');
    await page.keyboard.press('2');
    const [x, y] = a.px(1100, 1500);
    await page.mouse.click(x, y);
    await page.locator('.viewer-stats', { hasText: '1 marks' }).waitFor();
    await page.waitForTimeout(200);
    const at = (dx: number): Promise<number[]> => canvasPixel(page, '.mark-overlay', x + dx, y);
    const centre = await at(0);
    const inner = await at(3);
    // The ring's outer pixels blend with the tissue: take the most opaque one 4–6 px out.
    const rings = await Promise.all([4.5, 5, 5.5].map((d) => at(d)));
    const ring = rings.reduce((best, p) => ((p[3] ?? 0) > (best[3] ?? 0) ? p : best));
    await screenshot(page, 'workspace-low-power-point');
    assert.ok(centre.slice(0, 3).every((v) => v < 40) && (centre[3] ?? 0) > 200, `centre ${centre}`);
    assert.ok(inner.slice(0, 3).every((v) => v < 80), `3 px out, still the dot: ${inner}`);
    assert.ok(ring.slice(0, 3).every((v) => v > 200) && (ring[3] ?? 0) > 200, `5 px out, the white ring: ${ring}`);
    await savedState(page);
    assert.equal(await count('Necrosis'), '1');
  });

  it('cuts a freehand loop that runs off the slide along its edge, and saves it', async () => {
    const { page } = b;
    const { px } = await aim(page, W, H);
    await page.keyboard.press('f');
    await page.keyboard.press('3');
    await page.mouse.move(...px(W - 300, 600));
    await page.mouse.down();
    for (const [ix, iy] of [[W - 100, 600], [W + 150, 650], [W + 250, 800], [W + 120, 900], [W + 200, 1000], [W - 100, 1050], [W - 300, 1000]] as const) {
      await page.mouse.move(...px(ix, iy), { steps: 4 });
    }
    await page.mouse.up();
    await savedState(page);
    const marks = (await serverMarks(api, slideId)).filter((m) => m.properties.category_id === cats.get('Stroma'));
    assert.equal(marks.length, 1);
    const ring = (marks[0]?.geometry.coordinates as number[][][])[0] ?? [];
    assert.ok(ring.every(([rx]) => (rx ?? 0) <= W), `every vertex on the slide: ${JSON.stringify(ring)}`);
    assert.ok(ring.some(([rx]) => rx === W), 'cut along the right edge');
    assert.equal(await count('Stroma'), '1');
    assert.equal(await page.getByRole('alert').count(), 0);
  });

  it('shows a refused mark as refused, with the reason, not counted and never "saved", until discarded', async () => {
    const { page } = b;
    // A manager archives Tumour cell while this page still offers it.
    await api.patch(`/api/v1/projects/${projectId}/categories/${cats.get('Tumour cell')}`, { archived: true });
    const stage = await page.locator('.viewer-stage').boundingBox();
    const { px } = await aim(page, W, H);
    await page.keyboard.press('p');
    await page.keyboard.press('1');
    const [x, y] = px(600, 2400);
    await page.mouse.click(x, y);
    const status = page.getByTestId('save-status');
    await page.locator('[data-testid=save-status][data-state=refused]').waitFor({ timeout: 20_000 });
    assert.match(await status.innerText(), /Not saved: 1 change refused by the server \(.*archived.*\)/);
    assert.equal(await count('Tumour cell'), '0');
    // Drawn as refused: the red cross where the dot was, not the category's dot.
    await page.waitForTimeout(200);
    const [r, g, bl] = await canvasPixel(page, '.mark-overlay', x, y);
    assert.ok((r ?? 0) > 180 && (g ?? 255) < 60 && (bl ?? 255) < 60, `refused mark drawn red: ${r},${g},${bl}`);
    await screenshot(page, 'workspace-refused');

    // The message floats over the slide: the slide did not move, and the message can be closed.
    const notice = page.locator('.viewer-messages .notice', { hasText: 'refused by the server' });
    await notice.waitFor();
    assert.deepEqual(await page.locator('.viewer-stage').boundingBox(), stage);
    // The same refusal again counts up instead of stacking a second banner.
    await page.mouse.click(...px(700, 2400));
    await notice.locator('.notice-count', { hasText: '×2' }).waitFor();
    assert.equal(await page.locator('.viewer-messages .notice').count(), 1);
    assert.deepEqual(await page.locator('.viewer-stage').boundingBox(), stage);
    await notice.getByRole('button', { name: 'Dismiss message' }).click();
    await notice.waitFor({ state: 'detached' });

    // Discard both from the save status: the server's state stands, and the badge says saved again.
    await status.getByRole('button', { name: 'Fix or discard' }).click();
    const dialog = page.getByRole('dialog', { name: 'Changes the server refused' });
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /New mark: Point, Tumour cell/);
    assert.match(await dialog.innerText(), /Refused: .*archived/);
    while ((await dialog.getByRole('button', { name: 'Discard' }).count()) > 0) {
      await dialog.getByRole('button', { name: 'Discard' }).first().click();
    }
    await dialog.waitFor({ state: 'hidden' });
    await savedState(page);
    await page.reload();
    await page.locator('.viewer-page[data-ready]').waitFor();
    await savedState(page);
    assert.equal((await serverMarks(api, slideId)).filter((m) => m.properties.category_id === cats.get('Tumour cell')).length, 0);
    await api.patch(`/api/v1/projects/${projectId}/categories/${cats.get('Tumour cell')}`, { archived: false });
  });

  it('counts the whole slide after reopening it with marks made offline, at every zoom', async () => {
    const { page } = b;
    const blocked = '**/api/v1/annotations**';
    // Writes fail as if the network were down; reads still work.
    await page.route(blocked, (route) => (route.request().method() === 'GET' ? route.continue() : route.abort('internetdisconnected')));
    await page.reload();
    await page.locator('.viewer-page[data-ready]').waitFor();
    const { px } = await aim(page, W, H);
    await page.keyboard.press('p');
    await page.keyboard.press('2');
    for (let i = 0; i < 52; i++) {
      await page.mouse.click(...px(150 + (i % 13) * 150, 200 + Math.floor(i / 13) * 650));
    }
    await screenshot(page, 'workspace-offline-marks');
    await page.locator('[data-testid=save-status][data-state=offline]').waitFor();
    assert.equal(await count('Necrosis'), '53');
    await page.reload();
    await page.locator('.viewer-page[data-ready]').waitFor();
    await page.unroute(blocked);
    // Reopened online: the outbox is replayed at once.
    await page.reload();
    await page.locator('.viewer-page[data-ready]').waitFor();
    await savedState(page);
    assert.equal((await serverMarks(api, slideId)).filter((m) => m.properties.category_id === cats.get('Necrosis')).length, 53);
    await page.getByRole('button', { name: 'Zoom to 20×' }).click();
    await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('.mark-overlay')?.dataset['loaded'] ?? '99') < 53, null, { timeout: 20_000 });
    assert.ok(Number(await overlayData(page, 'loaded')) < 53, 'only the marks around the view are held');
    await page.waitForTimeout(500);
    assert.equal(await count('Necrosis'), '53');
    await page.getByRole('button', { name: 'Fit slide to screen' }).click();
  });

  it('signs in again in a dialog over the slide when the session ends, keeping the view and the marks', async () => {
    const { page } = b;
    await page.locator('.viewer-page[data-ready]').waitFor();
    await page.getByRole('button', { name: 'Zoom to 5×' }).click();
    await page.waitForTimeout(1500);
    const box = await overlayData(page, 'image-box');
    const before = await page.url();
    // The session ends on the server (as after the idle timeout).
    await api.logout();
    const { px } = await aim(page, W, H);
    await page.keyboard.press('p');
    await page.keyboard.press('3');
    await page.mouse.click(...px(1110, 1480));
    const dialog = page.getByRole('dialog', { name: 'Your session has ended' });
    await dialog.waitFor({ timeout: 20_000 });
    assert.match(await dialog.innerText(), /Your marks are kept in this browser/);
    await screenshot(page, 'workspace-reauth');
    assert.equal(page.url(), before);
    await dialog.getByLabel('Password').fill(env.adminPassword);
    await dialog.getByRole('button', { name: 'Sign in' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await savedState(page);
    assert.equal(page.url(), before);
    assert.equal(await overlayData(page, 'image-box'), box);
    await api.login('admin', env.adminPassword);
    assert.equal((await serverMarks(api, slideId)).filter((m) => m.properties.category_id === cats.get('Stroma')).length, 2);
  });

  it('loaded nothing from outside and threw no errors', () => {
    assert.deepEqual(b.foreign, []);
    assert.deepEqual(b.pageErrors, []);
  });
});
