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

describe('a scanned slide: scale bar and magnification', () => {
  let b: Browser;
  let api: Api;
  let url = '';
  const run = Date.now().toString(36);

  before(async () => {
    b = await openBrowser(env);
    api = new Api(b.context.request, env.url);
    await api.login('admin', env.adminPassword);
    const project = await api.post<Created>('/api/v1/projects', { name: `e2e optics ${run}`, description: 'made by the e2e suite' });
    await api.post(`/api/v1/projects/${project.id}/categories`, { class_id: 1, name: 'Tumour cell', color: '#e6194b', shortcut: '1' });
    const slideId = await api.uploadSlide(project.id, join(env.testdata, 'slides', 'CMU-1-Small-Region.svs'), { name: `CMU-1 ${run}`, stain: 'H&E' });
    url = `${env.url}/projects/${project.id}/slides/${slideId}`;
  });

  after(async () => {
    await b?.close();
  });

  it('shows a scale bar from the microns per pixel and the magnification from the objective', async () => {
    const { page } = b;
    await page.goto(url);
    await page.locator('.viewer-page[data-ready]').waitFor();
    const scale = page.getByTestId('scale');
    await scale.locator('.scale-mag', { hasText: '×' }).waitFor();
    // 2220 × 2967 px at 0.499 µm/px shown whole in about 675 px: a few ×, and a bar of hundreds of µm.
    assert.match(await scale.innerText(), /\d+ µm|\d mm/);
    const buttons = page.getByRole('group', { name: 'Magnification' }).getByRole('button');
    assert.deepEqual(await buttons.allInnerTexts(), ['1×', '2×', '5×', '10×', '20×']);
  });

  it('zooms to 10× with its button, the bar and label following', async () => {
    const { page } = b;
    await page.getByRole('button', { name: 'Zoom to 10×' }).click();
    await page.getByTestId('scale').locator('.scale-mag', { hasText: /^10×$/ }).waitFor();
    // At 10× on a 20× scan one screen pixel is 0.998 µm: an 80 px minimum gives a 100 µm bar.
    assert.equal(await page.locator('.scale-bar-label').innerText(), '100 µm');
    await screenshot(page, 'viewer-svs-10x');
  });

  it('says when the zoom goes past the scan objective: digital, not optical power', async () => {
    const { page } = b;
    await page.getByRole('button', { name: 'Zoom to 20×' }).click();
    const mag = page.getByTestId('scale').locator('.scale-mag');
    await mag.filter({ hasText: /^20×$/ }).waitFor();
    await page.getByRole('button', { name: 'Zoom in' }).click();
    // A 20× scan enlarged 1.5 times shows no 30× detail: the label keeps 20× and names the rest digital.
    await mag.filter({ hasText: /^20× · digital 1\.5×$/ }).waitFor();
    assert.doesNotMatch(await mag.innerText(), /30×/);
  });

  it('loaded nothing from outside and threw no errors', () => {
    assert.deepEqual(b.foreign, []);
    assert.deepEqual(b.pageErrors, []);
  });
});
