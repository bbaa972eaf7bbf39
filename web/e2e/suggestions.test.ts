import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { request, type APIRequestContext, type Page } from 'playwright-core';
import { Api } from './api';
import { openBrowser, screenshot, type Browser } from './browser';
import { e2eEnv } from './env';
import { aim, serverMarks, type Aim, type Created } from './viewing';

const env = e2eEnv();

/** steadyAim reads where the slide is once the flight to a suggestion has ended (the box stops moving). */
async function steadyAim(page: Page): Promise<Aim> {
  let last = '';
  for (;;) {
    const box = (await page.locator('.mark-overlay').getAttribute('data-image-box')) ?? '';
    if (box !== '' && box === last) return aim(page, 1024, 1024);
    last = box;
    await page.waitForTimeout(400);
  }
}

// HEnorm-example1.png: 1024×1024 px; 1,000 suggestions on a 32-wide grid.
const count = 1000;
const at = (i: number): [number, number] => [16 + (i % 32) * 31, 16 + Math.floor(i / 32) * 31];

interface SuggestionFeature {
  id: number;
  properties: { state: string; category_id: number; decision: { by: number; mark_id: number | null; edited: boolean } | null };
}

describe('model suggestions: a model posts 1,000, an annotator decides the most uncertain with the keys', () => {
  let b: Browser;
  let admin: APIRequestContext;
  let modelCtx: APIRequestContext;
  let api: Api;
  let url = '';
  let slideId = 0;
  let projectId = 0;
  let annotatorId = 0;
  const cats = { tumour: 0, stroma: 0 };
  const ids: number[] = [];
  const edited = { id: 0, at: [0, 0] as [number, number] };
  const run = Date.now().toString(36);
  const annotator = { username: `sug-ann-${run}`, password: `pw-${run}-annotator`, display_name: 'Dr Annotator' };
  const model = { username: `sug-model-${run}`, password: `pw-${run}-model`, display_name: 'PathoFusion' };

  before(async () => {
    b = await openBrowser(env);
    admin = await request.newContext();
    api = new Api(admin, env.url);
    await api.login('admin', env.adminPassword);
    projectId = (await api.post<Created>('/api/v1/projects', { name: `e2e suggestions ${run}`, description: 'made by the e2e suite' })).id;
    cats.tumour = (await api.post<Created>(`/api/v1/projects/${projectId}/categories`, { class_id: 1, name: 'Tumour cell', color: '#e6194b', shortcut: '1' })).id;
    cats.stroma = (await api.post<Created>(`/api/v1/projects/${projectId}/categories`, { class_id: 2, name: 'Stroma', color: '#3cb44b', shortcut: '2' })).id;
    for (const [u, role] of [[annotator, 'annotator'], [model, 'model']] as const) {
      const id = (await api.post<Created>('/api/v1/users', { ...u, email: `${u.username}@example.org`, system_role: 'user' })).id;
      if (role === 'annotator') annotatorId = id;
      await api.post(`/api/v1/projects/${projectId}/members`, { username: u.username, role });
    }
    slideId = await api.uploadSlide(projectId, join(env.testdata, 'images', 'HEnorm-example1.png'), { name: `suggestions ${run}` });
    url = `${env.url}/projects/${projectId}/slides/${slideId}`;
    modelCtx = await request.newContext();
  });

  after(async () => {
    await b?.close();
    await admin?.dispose();
    await modelCtx?.dispose();
  });

  it('the model role posts 1,000 suggestions with per-class scores', async () => {
    const m = new Api(modelCtx, env.url);
    await m.login(model.username, model.password);
    const features = Array.from({ length: count }, (_, i) => ({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: at(i) },
      // Suggestion 500 is a coin toss (margin 0), the most uncertain.
      properties: { radius: 5, scores: { [cats.tumour]: i / count, [cats.stroma]: 1 - i / count } },
    }));
    const out = await m.post<{ ids: number[] }>('/api/v1/annotations/suggestions', { slide_id: slideId, model: { name: 'pathofusion', version: 'v3' }, features });
    ids.push(...out.ids);
    assert.equal(ids.length, count);
    assert.equal((await serverMarks(api, slideId)).length, 0, 'suggestions are not marks');
  });

  it('the annotator turns the layer on, flies to the most uncertain and decides with A, 2, R and E', async () => {
    await new Api(b.context.request, env.url).login(annotator.username, annotator.password);
    const { page } = b;
    await page.goto(url);
    await page.locator('.viewer-page[data-ready]').waitFor();
    const progress = page.getByTestId('suggestion-progress');
    const info = page.getByTestId('suggestion-info');
    await page.keyboard.press('s');
    await progress.filter({ hasText: '0 of 1,000 reviewed' }).waitFor();
    assert.equal(await page.locator('fieldset.suggestions a', { hasText: 'Model agreement' }).getAttribute('href'), `/projects/${projectId}/agreement`);
    await page.keyboard.press('u');
    await info.filter({ hasText: 'Tumour cell 0.50 (margin 0.00) · pathofusion v3' }).waitFor();
    await screenshot(page, 'viewer-suggestions');
    // A pathologist who knows the answer does not wait: A, 2 and R pressed
    // at once decide three suggestions in turn (keys pressed while a decision
    // is on its way are queued, not dropped).
    await page.keyboard.press('a');
    await page.keyboard.press('2');
    await page.keyboard.press('r');
    await progress.filter({ hasText: '3 of 1,000 reviewed' }).waitFor();
    // E edits the shape before accepting it: drag the dot 40 screen px right and 20 down, then Enter.
    const next = await api.get<SuggestionFeature & { geometry: { coordinates: [number, number] } }>(`/api/v1/annotations/suggestions/next?slide_id=${slideId}`);
    edited.id = next.id;
    await info.filter({ hasText: 'pathofusion v3' }).waitFor();
    await page.keyboard.press('e');
    await info.filter({ hasText: 'Editing' }).waitFor();
    const view = await steadyAim(page);
    const [x, y] = next.geometry.coordinates;
    const [sx, sy] = view.px(x, y);
    await page.mouse.move(sx, sy);
    await page.mouse.down();
    for (let i = 1; i <= 8; i++) await page.mouse.move(sx + 5 * i, sy + 2.5 * i);
    await page.mouse.up();
    edited.at = [x + 40 / view.scale, y + 20 / view.scale];
    await screenshot(page, 'viewer-suggestion-edit');
    await page.keyboard.press('Enter');
    await progress.filter({ hasText: '4 of 1,000 reviewed' }).waitFor();
  });

  it('the service holds the marks, the decisions and the model agreement', async () => {
    const accepted = await api.get<{ features: SuggestionFeature[] }>(`/api/v1/annotations/suggestions?slide_id=${slideId}&state=accepted`);
    const rejected = await api.get<{ features: SuggestionFeature[] }>(`/api/v1/annotations/suggestions?slide_id=${slideId}&state=rejected`);
    assert.equal(accepted.features.length, 3);
    assert.equal(rejected.features.length, 1);
    const first = accepted.features.find((f) => f.id === ids[500]);
    assert.ok(first, 'the most uncertain suggestion was the first accepted');
    assert.equal(first.properties.decision?.by, annotatorId);
    const marks = await serverMarks(api, slideId);
    assert.equal(marks.length, 3);
    assert.deepEqual(marks.map((m) => m.id).sort(), accepted.features.map((f) => f.properties.decision?.mark_id).sort());
    assert.equal(marks.filter((m) => m.properties.category_id === cats.stroma).length >= 1, true, 'key 2 accepted as stroma');
    assert.ok(marks.every((m) => m.properties.author_id === annotatorId));
    // The edited accept: recorded as edited, and its mark is where the dot was dragged, not where the model put it.
    const e = accepted.features.find((f) => f.id === edited.id);
    assert.ok(e, 'the suggestion edited with E was accepted');
    assert.equal(e.properties.decision?.edited, true);
    const mark = marks.find((m) => m.id === e.properties.decision?.mark_id);
    assert.ok(mark);
    const [mx, my] = mark.geometry.coordinates as [number, number];
    assert.ok(Math.abs(mx - edited.at[0]) < 1.5 && Math.abs(my - edited.at[1]) < 1.5, `edited mark at ${mx},${my}, dragged to ${edited.at.join(',')}`);
    assert.equal(first.properties.decision?.edited, false, 'A accepts as suggested');
    const progress = await api.get<{ progress: { reviewed: number; total: number } }>(`/api/v1/annotations/suggestions/progress?slide_id=${slideId}`);
    assert.deepEqual([progress.progress.reviewed, progress.progress.total], [4, count]);
    const agreement = await api.get<{ a: string; b: number }>(`/api/v1/annotations/agreement?slide_id=${slideId}&a=model:pathofusion@v3&b=${annotatorId}`);
    assert.equal(agreement.a, 'model:pathofusion@v3');
  });

  it('the export names each mark\'s provenance and, asked to, holds the rejected suggestion as a hard negative', async () => {
    const all = await api.get<{ features: SuggestionFeature[] }>(`/api/v1/annotations/suggestions?slide_id=${slideId}&limit=${count}`);
    const accepted = all.features.filter((f) => f.properties.state === 'accepted');
    const rejected = all.features.filter((f) => f.properties.state === 'rejected');
    const marks = await serverMarks(api, slideId);
    // An accept is edited when the mark's category is not the suggested one (key 2 on a tumour suggestion) or E moved it.
    const editedWant = accepted.filter((f) => f.id === edited.id ||
      marks.find((m) => m.id === f.properties.decision?.mark_id)?.properties.category_id !== f.properties.category_id);
    assert.deepEqual(accepted.filter((f) => f.properties.decision?.edited).map((f) => f.id).sort(), editedWant.map((f) => f.id).sort());

    const { id } = await api.post<Created>('/api/v1/exports', { project_id: projectId, formats: ['geojson', 'csv', 'coco'], hard_negatives: true });
    await api.until('the export', 120_000, async () => {
      const job = await api.get<{ status: string; error?: string }>(`/api/v1/exports/${id}`);
      if (job.status === 'failed') throw new Error(`e2e: export failed: ${job.error ?? ''}`);
      return job.status === 'done' ? job : undefined;
    });
    const files = (await api.get<{ files: { path: string; url: string }[] }>(`/api/v1/exports/${id}/files`)).files;
    const fetchFile = async (suffix: string): Promise<string> => {
      const f = files.find((x) => x.path.endsWith(suffix));
      assert.ok(f, `the export has a ${suffix} file: ${files.map((x) => x.path).join(', ')}`);
      const res = await admin.get(new URL(f.url, env.url).toString());
      assert.equal(res.status(), 200);
      return res.text();
    };
    const geo = JSON.parse(await fetchFile('.geojson')) as {
      features: { properties: { classification: { name: string }; patholabel: { id: number; source?: { model: string; version: string; edited?: boolean; rejected?: boolean } } } }[];
    };
    const negatives = geo.features.filter((f) => f.properties.patholabel.source?.rejected === true);
    assert.deepEqual(negatives.map((f) => f.properties.patholabel.id), rejected.map((f) => f.id));
    assert.ok(negatives.every((f) => f.properties.classification.name.startsWith('hard_negative:')));
    const fromModel = geo.features.filter((f) => f.properties.patholabel.source !== undefined && f.properties.patholabel.source.rejected !== true);
    assert.deepEqual(fromModel.map((f) => f.properties.patholabel.id).sort(), marks.map((m) => m.id).sort(), 'every mark came from the model');
    assert.ok(fromModel.every((f) => f.properties.patholabel.source?.model === 'pathofusion' && f.properties.patholabel.source.version === 'v3'));
    assert.equal(fromModel.filter((f) => f.properties.patholabel.source?.edited === true).length, editedWant.length);

    const csv = (await fetchFile('marks.csv')).trim().split('\n');
    assert.match(csv[0] ?? '', /,provenance,model,model_version,score$/);
    const kinds = csv.slice(1).map((row) => row.split(',').at(-4));
    assert.equal(kinds.filter((k) => k === 'hard_negative').length, rejected.length);
    assert.equal(kinds.filter((k) => k === 'model_edited').length, editedWant.length);
    assert.equal(kinds.filter((k) => k === 'model').length, marks.length - editedWant.length);
    const coco = JSON.parse(await fetchFile('annotations.json')) as { categories: { name: string }[] };
    assert.ok(coco.categories.some((c) => c.name === 'hard_negative:Stroma') && coco.categories.some((c) => c.name === 'hard_negative:Tumour cell'));
  });

  it('loaded nothing from outside and threw no errors', () => {
    assert.deepEqual(b.foreign, []);
    assert.deepEqual(b.pageErrors, []);
  });
});
