import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { request, type APIRequestContext, type Locator } from 'playwright-core';
import { Api } from './api';
import { openBrowser, screenshot, type Browser } from './browser';
import { e2eEnv } from './env';
import { aim, canvasPixel, type Created } from './viewing';

const env = e2eEnv();

// Two versions of a model post ten points and a square each on one slide;
// an annotator has marked eight of v1's points (five of v2's: v2 moved the
// other five 40 px, beyond the 10 px match distance), two points of her
// own and a square overlapping the model's by a third; a reviewer accepted
// two of v1's points as suggested. So, with the model as reference:
//   annotator vs v1: F1 2·8/(10+10) = 0.80, IoU 20,000/60,000 = 0.33
//   annotator vs v2: F1 2·5/(10+10) = 0.50
//   accepted from v1 (and the reviewer) vs v1: F1 2·2/(10+2) = 0.33
// Every matched point is of one category: kappa is undefined ("—").
const v1Points = Array.from({ length: 10 }, (_, i): [number, number] => [100 + 80 * i, 200]);
const v2Points = v1Points.map(([x, y], i): [number, number] => [x, i < 5 ? y : y + 40]);
const square = (x0: number, y0: number, x1: number, y1: number): [number, number][][] => [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]];

describe('model agreement page: two model versions against a pathologist and the accepted set; project progress', () => {
  let b: Browser;
  let admin: APIRequestContext;
  let api: Api;
  let projectId = 0;
  let slideId = 0;
  let tumour = 0;
  let stroma = 0;
  const users = { annotator: 0, reviewer: 0 };
  const run = Date.now().toString(36);
  const v1ids: number[] = [];

  before(async () => {
    b = await openBrowser(env);
    admin = await request.newContext();
    api = new Api(admin, env.url);
    await api.login('admin', env.adminPassword);
    projectId = (await api.post<Created>('/api/v1/projects', { name: `e2e agreement ${run}`, description: 'made by the e2e suite' })).id;
    tumour = (await api.post<Created>(`/api/v1/projects/${projectId}/categories`, { class_id: 1, name: 'Tumour cell', color: '#e6194b' })).id;
    stroma = (await api.post<Created>(`/api/v1/projects/${projectId}/categories`, { class_id: 2, name: 'Stroma', color: '#3cb44b' })).id;
    slideId = await api.uploadSlide(projectId, join(env.testdata, 'images', 'HEnorm-example1.png'), { name: `agreement ${run}` });
  });

  after(async () => {
    await b?.close();
    await admin?.dispose();
  });

  /** as signs in a new member of the project with a role and answers an API client of theirs. */
  const as = async (role: string): Promise<{ api: Api; id: number; ctx: APIRequestContext }> => {
    const u = { username: `agr-${role}-${run}`, password: `pw-${run}-${role}`, display_name: `Dr ${role}` };
    const id = (await api.post<Created>('/api/v1/users', { ...u, email: `${u.username}@example.org`, system_role: 'user' })).id;
    await api.post(`/api/v1/projects/${projectId}/members`, { username: u.username, role });
    const ctx = await request.newContext();
    const client = new Api(ctx, env.url);
    await client.login(u.username, u.password);
    return { api: client, id, ctx };
  };

  it('two model versions post, an annotator marks, a reviewer accepts two of v1', async () => {
    const model = await as('model');
    const post = async (version: string, points: [number, number][]): Promise<number[]> => {
      const features = [
        ...points.map((p) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: p }, properties: { radius: 5, scores: { [tumour]: 0.9, [stroma]: 0.1 } } })),
        { type: 'Feature', geometry: { type: 'Polygon', coordinates: square(100, 400, 300, 600) }, properties: { scores: { [tumour]: 0.2, [stroma]: 0.8 } } },
      ];
      return (await model.api.post<{ ids: number[] }>('/api/v1/annotations/suggestions', { slide_id: slideId, model: { name: 'pathofusion', version }, features })).ids;
    };
    v1ids.push(...(await post('v1', v1Points)));
    await post('v2', v2Points);
    const annotator = await as('annotator');
    users.annotator = annotator.id;
    const mine: unknown[] = [...v1Points.slice(0, 8), [800, 800], [850, 850]].map((p) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: p }, properties: { category_id: tumour, radius: 5 } }));
    mine.push({ type: 'Feature', geometry: { type: 'Polygon', coordinates: square(200, 400, 400, 600) }, properties: { category_id: stroma, shape: 'polygon' } });
    await annotator.api.post('/api/v1/annotations', { slide_id: slideId, features: mine });
    const reviewer = await as('reviewer');
    users.reviewer = reviewer.id;
    for (const id of v1ids.slice(8, 10)) await reviewer.api.post(`/api/v1/annotations/suggestions/${id}/accept`, {});
    await Promise.all([model.ctx.dispose(), annotator.ctx.dispose(), reviewer.ctx.dispose()]);
  });

  it('the project list and the slides page say how many suggestions are reviewed', async () => {
    await new Api(b.context.request, env.url).login('admin', env.adminPassword);
    const { page } = b;
    await page.goto(`${env.url}/`);
    await page.locator(`[data-project-progress="${projectId}"]`, { hasText: 'Model suggestions: 2 of 22 reviewed' }).waitFor();
    await page.getByRole('link', { name: `e2e agreement ${run}` }).click();
    await page.getByTestId('project-suggestion-progress').filter({ hasText: 'Model suggestions: 2 of 22 reviewed (2 accepted, 0 rejected)' }).waitFor();
    await page.getByTestId('slide-suggestion-progress').filter({ hasText: '2 of 22 reviewed' }).waitFor();
    await screenshot(page, 'slides-suggestion-progress');
  });

  it('the agreement page shows F1, IoU and kappa per category for v1 and v2 side by side', async () => {
    const { page } = b;
    await page.getByRole('link', { name: 'Model agreement' }).click();
    await page.waitForURL(/\/agreement$/);
    const v1 = page.locator('section.agreement-model[data-model="pathofusion@v1"]');
    await v1.locator('table').first().waitFor();
    // Every version posted to the project is offered, the first chosen.
    assert.deepEqual(await page.locator('#model-versions option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value)), ['pathofusion@v1', 'pathofusion@v2']);
    assert.equal(await page.locator('#agreement-model').inputValue(), 'pathofusion@v1');
    await page.locator('#agreement-compare').fill('pathofusion@v2');
    await page.getByRole('button', { name: 'Compare' }).click();
    await page.waitForURL(/\?model=pathofusion%40v1&compare=pathofusion%40v2$/);
    const v2 = page.locator('section.agreement-model[data-model="pathofusion@v2"]');
    await v2.locator('table').first().waitFor();
    await v1.locator('table').first().waitFor();
    await screenshot(page, 'model-agreement');

    const cell = (panel: Locator, party: string | number, figure: string, category?: number): Locator =>
      panel.locator('table').first().locator(`tr[data-party="${party}"] td[data-figure="${figure}"]${category === undefined ? '' : `[data-category="${category}"]`}`);
    assert.equal(await cell(v1, users.annotator, 'f1', tumour).textContent(), '0.80');
    assert.equal(await cell(v1, users.annotator, 'iou', stroma).textContent(), '0.33');
    assert.equal(await cell(v1, users.annotator, 'iou', tumour).textContent(), '—');
    assert.equal(await cell(v1, users.annotator, 'kappa').textContent(), '—');
    assert.equal(await cell(v1, users.annotator, 'matched').textContent(), '8');
    assert.equal(await cell(v2, users.annotator, 'f1', tumour).textContent(), '0.50');
    assert.equal(await cell(v1, 'accepted:pathofusion@v1', 'f1', tumour).textContent(), '0.33');
    assert.equal(await cell(v1, users.reviewer, 'f1', tumour).textContent(), '0.33');
    // v2's accepted set is empty: nothing to compare, no made-up figure.
    assert.equal(await cell(v2, 'accepted:pathofusion@v2', 'matched').textContent(), '0');
    // Per slide: the same figures under the slide's name.
    const perSlide = v1.locator(`details.agreement-slide[data-slide="${slideId}"]`);
    await perSlide.locator('summary').click();
    assert.equal(await perSlide.locator(`tr[data-party="${users.annotator}"] td[data-figure="f1"][data-category="${tumour}"]`).textContent(), '0.80');
    await v1.getByTestId('agreement-progress').filter({ hasText: '2 of 11 reviewed (2 accepted, 0 rejected)' }).waitFor();
    await v2.getByTestId('agreement-progress').filter({ hasText: '0 of 11 reviewed' }).waitFor();
  });

  it('the service agrees with the page', async () => {
    const ag = await api.get<{ agreement: { categories: { category_id: number; f1: number | null }[] } }>(
      `/api/v1/annotations/agreement?slide_id=${slideId}&a=model:pathofusion@v1&b=${users.annotator}&distance=10`,
    );
    assert.equal(ag.agreement.categories.find((c) => c.category_id === tumour)?.f1, 0.8);
    const p = await api.get<{ reviewed: number; total: number; slides: { slide_id: number; reviewed: number; total: number }[] }>(
      `/api/v1/annotations/suggestions/progress?project_id=${projectId}&model=pathofusion@v1`,
    );
    const slides = p.slides.map(({ slide_id, reviewed, total }) => ({ slide_id, reviewed, total }));
    assert.deepEqual([p.reviewed, p.total, slides], [2, 11, [{ slide_id: slideId, reviewed: 2, total: 11 }]]);
  });

  it('the viewer draws the suggested squares on the suggestions layer once S turns it on', async () => {
    const { page } = b;
    await page.goto(`${env.url}/projects/${projectId}/slides/${slideId}`);
    const view = await aim(page, 1024, 1024);
    // Along the squares' left edge (x = 100, y 400…600): dashed, so some pixels of a run are lit.
    const lit = async (): Promise<number> => {
      let n = 0;
      for (let y = 420; y <= 580; y += 4) {
        const [sx, sy] = view.px(100, y);
        const px = await canvasPixel(page, '.suggestion-overlay', sx, sy);
        if ((px[3] ?? 0) > 0) n++;
      }
      return n;
    };
    assert.equal(await lit(), 0, 'nothing drawn before S');
    await page.keyboard.press('s');
    await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('.suggestion-overlay')?.dataset['held']) === 20);
    await page.waitForTimeout(300);
    assert.ok((await lit()) >= 10, 'the squares are drawn');
  });

  it('loaded nothing from outside and threw no errors', () => {
    assert.deepEqual(b.foreign, []);
    assert.deepEqual(b.pageErrors, []);
  });
});
