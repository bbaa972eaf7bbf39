import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Api } from './api';
import { openBrowser, screenshot, type Browser } from './browser';
import { e2eEnv } from './env';
import { aim, overlayData, savedState, serverMarks, type Created } from './viewing';

// Two people on one slide, each in a browser of their own: the admin (the
// project's manager) and an annotator. Issue 16: live changes, conflicts
// in plain words on the slide, blinding.

const env = e2eEnv();
const W = 2220;
const H = 2967;

describe('two readers on one slide: live changes, conflicts, blinding', () => {
  let mgr: Browser;
  let ann: Browser;
  let mgrApi: Api;
  let annApi: Api;
  let projectId = 0;
  let slideId = 0;
  let url = '';
  const run = Date.now().toString(36);
  const username = `reader${run}`;
  const password = `pw-${run}-long-enough`;
  const boss = `boss${run}`;

  before(async () => {
    mgr = await openBrowser(env);
    ann = await openBrowser(env);
    mgrApi = new Api(mgr.context.request, env.url);
    await mgrApi.login('admin', env.adminPassword);
    await mgrApi.post('/api/v1/users', { username, password, display_name: 'Dr Reader', email: `${username}@example.org`, system_role: 'user' });
    await mgrApi.post('/api/v1/users', { username: boss, password, display_name: 'Dr B', email: `${boss}@example.org`, system_role: 'user' });
    projectId = (await mgrApi.post<Created>('/api/v1/projects', { name: `e2e collab ${run}`, description: 'made by the e2e suite' })).id;
    await mgrApi.post(`/api/v1/projects/${projectId}/members`, { username, role: 'annotator' });
    await mgrApi.post(`/api/v1/projects/${projectId}/members`, { username: boss, role: 'manager' });
    await mgrApi.post<Created>(`/api/v1/projects/${projectId}/categories`, { class_id: 1, name: 'Tumour cell', color: '#e6194b', shortcut: '1' });
    slideId = await mgrApi.uploadSlide(projectId, join(env.testdata, 'slides', 'CMU-1-Small-Region.svs'), { name: `CMU-1 ${run}`, stain: 'H&E' });
    url = `${env.url}/projects/${projectId}/slides/${slideId}`;
    annApi = new Api(ann.context.request, env.url);
    await annApi.login(username, password);
    // From here the manager's browser is Dr B, a manager of the project (not a system admin).
    await mgrApi.login(boss, password);
  });

  after(async () => {
    await mgr?.close();
    await ann?.close();
  });

  const open = async (b: Browser): Promise<void> => {
    await b.page.goto(url);
    await b.page.locator('.viewer-page[data-ready]').waitFor();
    await b.page.waitForFunction(() => document.querySelector<HTMLElement>('.mark-overlay')?.dataset['live'] === 'open');
  };
  const count = (b: Browser): Promise<string | null> => b.page.getByLabel('Tumour cell marks').textContent();

  it("shows the other reader's new and moved marks within 2 s, without a reload", async () => {
    await open(mgr);
    await open(ann);
    const { px } = await aim(ann.page, W, H);
    await ann.page.keyboard.press('p');
    await ann.page.mouse.click(...px(800, 900));
    await savedState(ann.page);
    const t0 = Date.now();
    await mgr.page.locator('.viewer-stats', { hasText: '1 marks' }).waitFor({ timeout: 2500 });
    const seenIn = Date.now() - t0;
    assert.ok(seenIn < 2500, `seen after ${seenIn} ms`);
    await mgr.page.waitForFunction(() => document.querySelector('[aria-label="Tumour cell marks"]')?.textContent === '1', null, { timeout: 2000 });
    // The annotator's mark moves (another tab of theirs, through the API): the manager's view follows.
    const [mark] = await serverMarks(annApi, slideId);
    assert.ok(mark);
    await annApi.patch(`/api/v1/annotations/${mark.id}`, { type: 'Feature', geometry: { type: 'Point', coordinates: [1500, 2000] } }, { 'If-Match': String(mark.properties.version) });
    // The manager's page draws it at its new place within 2 s (the category's red, not tissue).
    const { px: mpx } = await aim(mgr.page, W, H);
    const [x, y] = mpx(1500, 2000);
    const t1 = Date.now();
    await mgr.page.waitForFunction(
      ([cx, cy]) => {
        const c = document.querySelector<HTMLCanvasElement>('.mark-overlay');
        const r = c?.getBoundingClientRect();
        const d = c?.getContext('2d')?.getImageData(Math.round((cx - (r?.left ?? 0)) * (c.width / c.clientWidth)), Math.round((cy - (r?.top ?? 0)) * (c.width / c.clientWidth)), 1, 1).data;
        return d !== undefined && d[0]! > 200 && d[1]! < 60 && d[3]! > 200;
      },
      [x, y] as const,
      { timeout: 2500 },
    );
    console.log(`live: moved after ${Date.now() - t1} ms`);
    await screenshot(mgr.page, 'collab-live');
    console.log(`live: the other reader's mark appeared after ${seenIn} ms`);
  });

  it('draws both versions of a conflicting mark and says who changed it, in words', async () => {
    const [mark] = await serverMarks(mgrApi, slideId);
    assert.ok(mark);
    // The annotator's page is taken offline for writes, moves the mark, and meanwhile the manager moves it too.
    const blocked = '**/api/v1/annotations/*';
    await ann.page.route(blocked, (route) => (route.request().method() === 'PATCH' ? route.abort('internetdisconnected') : route.continue()));
    const { px } = await aim(ann.page, W, H);
    await ann.page.keyboard.press('v');
    await ann.page.mouse.move(...px(1500, 2000));
    await ann.page.mouse.down();
    await ann.page.mouse.move(...px(1700, 2100), { steps: 5 });
    await ann.page.mouse.up();
    await ann.page.locator('[data-testid=save-status][data-state=offline]').waitFor();
    await mgrApi.patch(`/api/v1/annotations/${mark.id}`, { type: 'Feature', geometry: { type: 'Point', coordinates: [600, 600] } }, { 'If-Match': String(mark.properties.version) });
    await ann.page.unroute(blocked);
    await ann.page.evaluate(() => window.dispatchEvent(new Event('online')));
    const dialog = ann.page.getByRole('dialog', { name: 'Someone else changed marks you edited' });
    await dialog.waitFor();
    const words = dialog.locator('.conflict-message');
    await ann.page.waitForFunction(() => /Keep yours or keep theirs/.test(document.querySelector('.conflict-message')?.textContent ?? ''), null, { timeout: 5000 })
      .catch(async () => assert.fail(`conflict says: ${await words.innerText()}`));
    assert.equal(await words.innerText(), 'Dr B moved this mark just now. Keep yours or keep theirs?');
    await screenshot(ann.page, 'collab-conflict');
    await dialog.getByRole('button', { name: 'Keep theirs' }).click();
    await savedState(ann.page);
    const [after] = await serverMarks(annApi, slideId);
    assert.deepEqual(after?.geometry.coordinates, [600, 600]);
  });

  it('lets a manager blind the annotators: the annotator sees only their own marks, the manager all', async () => {
    // The manager marks two points of their own.
    const { px } = await aim(mgr.page, W, H);
    await mgr.page.keyboard.press('p');
    await mgr.page.mouse.click(...px(300, 300));
    await mgr.page.mouse.click(...px(500, 300));
    await savedState(mgr.page);
    await screenshot(mgr.page, 'collab-manager-marks');
    await mgr.page.waitForFunction(() => document.querySelector('[aria-label="Tumour cell marks"]')?.textContent === '3', null, { timeout: 5000 })
      .catch(async () => assert.fail(`manager counts ${await count(mgr)}, ${await mgr.page.locator('.viewer-stats').innerText()}`));
    await ann.page.waitForFunction(() => document.querySelector('[aria-label="Tumour cell marks"]')?.textContent === '3');
    // The switch in the project settings.
    await mgr.page.goto(`${env.url}/projects/${projectId}/settings`);
    const box = mgr.page.getByLabel('Annotators see only their own marks (managers and reviewers still see all)');
    await box.waitFor();
    await mgr.page.waitForFunction(() => !document.querySelector<HTMLInputElement>('#project-blind')?.disabled);
    await box.check();
    await mgrApi.until('the project to be blinded', 10_000, async () =>
      (await mgrApi.get<{ blind_annotators: boolean }>(`/api/v1/projects/${projectId}`)).blind_annotators ? true : undefined);
    await ann.page.reload();
    await ann.page.locator('.viewer-page[data-ready]').waitFor();
    await ann.page.locator('.viewer-stats', { hasText: '1 marks' }).waitFor();
    assert.equal(await count(ann), '1', "the annotator's counts leave out the manager's marks");
    // Enforced by the service, not only hidden in the page.
    assert.equal((await serverMarks(annApi, slideId)).length, 1);
    const own = await annApi.get<{ annotators: { user_id: number }[] }>(`/api/v1/annotations/status?slide_id=${slideId}`);
    assert.equal(own.annotators.length, 1);
    // The manager still sees everyone's.
    await open(mgr);
    await mgr.page.locator('.viewer-stats', { hasText: '3 marks' }).waitFor();
    assert.equal(await count(mgr), '3');
    // A new mark of the manager's does not appear live for the blinded annotator.
    await ann.page.waitForFunction(() => document.querySelector<HTMLElement>('.mark-overlay')?.dataset['live'] === 'open');
    const { px: mpx } = await aim(mgr.page, W, H);
    await mgr.page.keyboard.press('p');
    await mgr.page.mouse.click(...mpx(700, 300));
    await savedState(mgr.page);
    await ann.page.waitForTimeout(2000);
    assert.equal(await count(ann), '1');
    assert.equal(await overlayData(ann.page, 'lod'), 'marks');
  });

  it('loaded nothing from outside and threw no errors', () => {
    for (const b of [mgr, ann]) {
      assert.deepEqual(b.foreign, []);
      assert.deepEqual(b.pageErrors, []);
    }
  });
});
